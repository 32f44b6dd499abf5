// Tokens built byte by byte, so header, payload and signature can each be bent in ways a JWT library would refuse
// to produce: jose's checks and the claim policy this backend adds on top (crit, typ, sub, iat, email, size).
import assert from "node:assert/strict";
import type { webcrypto } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { assertNoLeak, assertRejected } from "./helpers/assertions.ts";
import { bearer, startTestApp, type TestApp } from "./helpers/app.ts";
import { JwksServer } from "./helpers/jwks-server.ts";
import type { JWK } from "jose";
import { base64url, claims, mintToken, newSigningKey, type SigningKey } from "./helpers/keys.ts";

/** A compact JWS over exactly these header and payload segments, signed with the key's Ed25519 private key. */
async function sign(key: SigningKey, headerB64: string, payloadB64: string): Promise<string> {
  const data = new TextEncoder().encode(`${headerB64}.${payloadB64}`);
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", key.privateKey, data));
  return `${headerB64}.${payloadB64}.${Buffer.from(signature).toString("base64url")}`;
}

function edToken(key: SigningKey, claimOverrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  const fullHeader: Record<string, unknown> = { alg: "EdDSA", kid: key.kid, ...header };
  for (const [name, value] of Object.entries(fullHeader)) if (value === undefined) delete fullHeader[name];
  return sign(key, base64url(fullHeader), base64url(claims(claimOverrides)));
}

describe("token shapes", () => {
  let jwks: JwksServer;
  let app: TestApp;
  let key: SigningKey;
  let other: SigningKey;
  let es256: SigningKey;
  const secrets = ["user-alice", "alice@example.com", "Alice"];

  before(async () => {
    key = await newSigningKey("EdDSA");
    other = await newSigningKey("EdDSA");
    es256 = await newSigningKey("ES256");
    jwks = await JwksServer.start([key.publicJwk, es256.publicJwk]);
    app = await startTestApp({ JWKS_URL: jwks.url });
  });
  after(async () => {
    await app?.close();
    await jwks?.close();
  });

  const me = (token: string) => fetch(`${app.url}/api/me`, { headers: bearer(token) });
  const accepts = async (token: string) => {
    const response = await me(token);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Record<string, unknown>;
  };
  const rejects = async (token: string, expectedDetail?: RegExp) => {
    const detail = await assertRejected(await me(token), 401, { token, logs: app.logs, secrets });
    if (expectedDetail) assert.match(detail, expectedDetail);
  };

  test("a token signed byte by byte → 200", async () => {
    assert.deepEqual(await accepts(await edToken(key)), { id: "user-alice", email: "alice@example.com" });
  });

  test("aud as an array containing the audience → 200; without it → 401", async () => {
    const audience = "http://localhost:3000";
    await accepts(await edToken(key, { aud: ["https://other.example", audience] }));
    await rejects(await edToken(key, { aud: ["https://other.example"] }), /aud/);
    await rejects(await edToken(key, { aud: [] }), /aud/);
    await rejects(await edToken(key, { aud: 42 }), /aud/);
  });

  test("wrong alg in the header → 401", async () => {
    // Signed with the Ed25519 key, but the header names another algorithm (or none, or a different spelling).
    for (const alg of ["Ed25519", "ES256", "RS256", "HS256", "none", "eddsa", ""]) {
      await rejects(await edToken(key, {}, { alg }), /algorithm|malformed/);
    }
    await rejects(await edToken(key, {}, { alg: undefined }), /malformed/);
    await rejects(await edToken(key, {}, { alg: ["EdDSA"] }), /algorithm|malformed/);
  });

  test("EdDSA header naming a published non-Ed25519 key → 401 (wrong key type)", async () => {
    await rejects(await edToken(key, {}, { kid: es256.kid }), /unknown signing key/);
  });

  test("unknown kid → 401; missing, empty or non-string kid → 401 even though the JWKS has one Ed25519 key", async () => {
    await rejects(await edToken(other), /unknown signing key/);
    await rejects(await edToken(key, {}, { kid: undefined }), /no kid/);
    await rejects(await edToken(key, {}, { kid: "" }), /no kid/);
    await rejects(await edToken(key, {}, { kid: 7 }), /no kid/);
  });

  test("signed by another key under the published kid → 401", async () => {
    await rejects(await edToken(other, {}, { kid: key.kid }), /signature/);
  });

  test("tampered signature → 401", async () => {
    const [header, payload, signature] = (await edToken(key)).split(".") as [string, string, string];
    const bytes = Buffer.from(signature, "base64url");
    bytes[63] = (bytes[63] as number) ^ 0x01;
    await rejects(`${header}.${payload}.${bytes.toString("base64url")}`, /signature/);
    // Too short, too long, empty.
    await rejects(`${header}.${payload}.${bytes.subarray(0, 63).toString("base64url")}`, /signature/);
    await rejects(`${header}.${payload}.${Buffer.concat([bytes, Buffer.alloc(1)]).toString("base64url")}`, /signature/);
    await rejects(`${header}.${payload}.`, /signature/);
  });

  test("tampered payload → 401", async () => {
    const [header, , signature] = (await edToken(key)).split(".") as [string, string, string];
    await rejects(`${header}.${base64url(claims({ sub: "user-mallory" }))}.${signature}`, /signature/);
  });

  test("header with invalid characters → 401", async () => {
    const headerB64 = base64url({ alg: "EdDSA", kid: key.kid });
    await rejects(await sign(key, `${headerB64}!`, base64url(claims())), /malformed/);
  });

  test("header that is not a JSON object → 401", async () => {
    const payloadB64 = base64url(claims());
    await rejects(await sign(key, base64url(["EdDSA"]), payloadB64), /malformed/);
    await rejects(await sign(key, base64url("null"), payloadB64), /malformed/);
    await rejects(await sign(key, base64url("{not json"), payloadB64), /malformed/);
  });

  test("crit naming any extension → 401, even b64 which jose itself understands (RFC 7515 §4.1.11)", async () => {
    await rejects(await edToken(key, {}, { crit: ["exp"], exp: 1 }), /unsupported/);
    await rejects(await edToken(key, {}, { crit: ["b64"], b64: true }), /unsupported critical header/);
  });

  test('typ absent or "JWT" in any case → 200; any other typ → 401', async () => {
    for (const typ of [undefined, "JWT", "jwt"]) await accepts(await edToken(key, {}, { typ }));
    for (const typ of ["at+jwt", "JOSE", "application/jwt+x", "", 1]) await rejects(await edToken(key, {}, { typ }), /typ/);
  });

  test("iat up to 60 s in the future or absent → 200; further → 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    await accepts(await edToken(key, { iat: now + 30 }));
    await accepts(await edToken(key, { iat: undefined }));
    await rejects(await edToken(key, { iat: now + 120 }), /iat/);
  });

  test("a token longer than 8 KiB → 401 before it is parsed; one just under → verified", async () => {
    const padding = (length: number) => claims({ pad: "x".repeat(length) });
    const headerB64 = base64url({ alg: "EdDSA", kid: key.kid });
    const fits = await sign(key, headerB64, base64url(padding(5800)));
    assert.ok(fits.length <= 8192, `${fits.length}`);
    await accepts(fits);
    const tooLong = await sign(key, headerB64, base64url(padding(6300)));
    assert.ok(tooLong.length > 8192, `${tooLong.length}`);
    await rejects(tooLong, /too long/);
    await rejects(`${"x".repeat(64 * 1024)}`, /too long/);
  });

  test("extra or missing parts → 401", async () => {
    const token = await edToken(key);
    await rejects(`${token}.`, /malformed/);
    await rejects(`${token}.${token.split(".")[2]}`, /malformed/);
    await rejects(token.split(".").slice(0, 2).join("."), /malformed/);
  });

  test("payload that is not a JSON object, properly signed → 401", async () => {
    const headerB64 = base64url({ alg: "EdDSA", kid: key.kid });
    for (const payload of ["[1]", "null", "42", "{not json", ""]) {
      await rejects(await sign(key, headerB64, base64url(payload)), /malformed/);
    }
    await rejects(await sign(key, headerB64, Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")), /malformed/);
  });

  test("exp, nbf or iat of the wrong type → 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejects(await edToken(key, { exp: String(now + 900) }), /exp/);
    await rejects(await edToken(key, { exp: null }), /exp/);
    await rejects(await edToken(key, { nbf: String(now - 10) }), /not yet valid/);
    await rejects(await edToken(key, { iat: String(now) }), /iat/);
  });

  test("registered claims", async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejects(await edToken(key, { exp: now - 31 }), /expired/);
    await accepts(await edToken(key, { exp: now - 10 }));
    await rejects(await edToken(key, { nbf: now + 60 }), /not yet valid/);
    await accepts(await edToken(key, { nbf: now + 10 }));
    await rejects(await edToken(key, { exp: undefined }), /"exp"/);
    await rejects(await edToken(key, { iss: "https://evil.example" }), /iss/);
    await rejects(await edToken(key, { iss: ["http://localhost:3000"] }), /iss/);
    await rejects(await edToken(key, { sub: 42 }), /sub/);
    await rejects(await edToken(key, { sub: "" }), /sub/);
    await rejects(await edToken(key, { sub: undefined }), /sub/);
  });

  test("email absent → 200 with null; not a string → 401", async () => {
    assert.deepEqual(await accepts(await edToken(key, { email: undefined })), { id: "user-alice", email: null });
    for (const email of [5, null, ["alice@example.com"], { address: "alice@example.com" }]) {
      await rejects(await edToken(key, { email }), /email/);
    }
  });

  test("nothing above leaked into the logs", () => {
    assertNoLeak(app.logs.join("\n"), { secrets });
  });
});

describe("EdDSA alongside another configured algorithm", () => {
  let jwks: JwksServer;
  let app: TestApp;
  let ed25519: SigningKey;
  let es256: SigningKey;

  before(async () => {
    ed25519 = await newSigningKey("EdDSA");
    es256 = await newSigningKey("ES256");
    jwks = await JwksServer.start([ed25519.publicJwk, es256.publicJwk]);
    app = await startTestApp({ JWKS_URL: jwks.url, JWT_ALGORITHMS: "EdDSA,ES256" });
  });
  after(async () => {
    await app?.close();
    await jwks?.close();
  });

  const me = (token: string) => fetch(`${app.url}/api/me`, { headers: bearer(token) });

  test("both an EdDSA and an ES256 token → 200; tampered ES256 and RS256 → 401", async () => {
    assert.equal((await me(await mintToken(ed25519))).status, 200);
    assert.equal((await me(await mintToken(es256))).status, 200);
    const [header, , signature] = (await mintToken(es256)).split(".");
    const tampered = `${header}.${base64url(claims({ sub: "user-mallory" }))}.${signature}`;
    assert.match(await assertRejected(await me(tampered), 401, { token: tampered, logs: app.logs }), /signature/);
    const rsa = await mintToken(await newSigningKey("RS256"));
    assert.match(await assertRejected(await me(rsa), 401, { token: rsa, logs: app.logs }), /algorithm/);
  });
});

describe("EdDSA not configured", () => {
  test("an EdDSA token with a published key → 401 when only ES256 is allowed", async () => {
    const ed25519 = await newSigningKey("EdDSA");
    const jwks = await JwksServer.start([ed25519.publicJwk]);
    const app = await startTestApp({ JWKS_URL: jwks.url, JWT_ALGORITHMS: "ES256" });
    try {
      const token = await mintToken(ed25519);
      const response = await fetch(`${app.url}/api/me`, { headers: bearer(token) });
      assert.match(await assertRejected(response, 401, { token, logs: app.logs }), /algorithm/);
    } finally {
      await app.close();
      await jwks.close();
    }
  });
});

describe("JWKS members that must not be used", () => {
  test("a private Ed25519 JWK, or one restricted to another alg or use → unknown signing key", async () => {
    // An extractable pair, so the private half can be (wrongly) published.
    const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const privateJwk = { ...(await crypto.subtle.exportKey("jwk", pair.privateKey)), kid: "leaked", alg: "EdDSA" };
    const withPrivate: SigningKey = { kid: "leaked", alg: "EdDSA", privateKey: pair.privateKey, publicJwk: {} };
    const [otherAlg, encryption, noVerify] = (await Promise.all([newSigningKey(), newSigningKey(), newSigningKey()])) as [
      SigningKey,
      SigningKey,
      SigningKey,
    ];
    const keys = [withPrivate, otherAlg, encryption, noVerify];
    const jwks = await JwksServer.start([
      privateJwk as JWK,
      { ...otherAlg.publicJwk, alg: "Ed25519" },
      { ...encryption.publicJwk, use: "enc" },
      { ...noVerify.publicJwk, key_ops: ["encrypt"] },
    ]);
    const app = await startTestApp({ JWKS_URL: jwks.url });
    try {
      for (const key of keys) {
        const token = await mintToken(key);
        const response = await fetch(`${app.url}/api/me`, { headers: bearer(token) });
        assert.match(await assertRejected(response, 401, { token, logs: app.logs }), /unknown signing key/);
      }
    } finally {
      await app.close();
      await jwks.close();
    }
  });
});

// Every way a request can fail authentication, against one app and one JWKS that publishes an Ed25519 key
// (the one Better Auth uses) and an RSA key (to show the algorithm allow-list, not the key set, rejects RS256).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT } from "jose";
import { assertNoLeak, assertRejected } from "./helpers/assertions.ts";
import { bearer, startTestApp, type TestApp } from "./helpers/app.ts";
import { JwksServer } from "./helpers/jwks-server.ts";
import { base64url, claims, mintToken, newSigningKey, type SigningKey } from "./helpers/keys.ts";

describe("token verification", () => {
  let jwks: JwksServer;
  let app: TestApp;
  let ed25519: SigningKey;
  let rsa: SigningKey;
  const secrets = ["user-alice", "alice@example.com", "Alice"];

  before(async () => {
    ed25519 = await newSigningKey("EdDSA");
    rsa = await newSigningKey("RS256");
    jwks = await JwksServer.start([ed25519.publicJwk, rsa.publicJwk]);
    app = await startTestApp({ JWKS_URL: jwks.url });
  });
  after(async () => {
    // Optional chaining: after() also runs when before() failed (e.g. the database is unreachable).
    await app?.close();
    await jwks?.close();
  });

  const me = (headers: Record<string, string> = {}) => fetch(`${app.url}/api/me`, { headers });
  const rejects = async (token: string, expectedDetail?: RegExp) => {
    const detail = await assertRejected(await me(bearer(token)), 401, { token, logs: app.logs, secrets });
    if (expectedDetail) assert.match(detail, expectedDetail);
  };

  test("a valid Ed25519 token → 200 with the token's sub and email", async () => {
    const response = await me(bearer(await mintToken(ed25519)));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: "user-alice", email: "alice@example.com" });
  });

  test("the same token again → 200 (verified-token cache, from the token's second verification on)", async () => {
    const token = await mintToken(ed25519, { email: undefined });
    for (let i = 0; i < 3; i++) {
      const response = await me(bearer(token));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { id: "user-alice", email: null });
    }
  });

  test("an expired token within the 30 s leeway → 200", async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await me(bearer(await mintToken(ed25519, { exp: now - 10 })))).status, 200);
  });

  test("no Authorization header → 401", async () => {
    await assertRejected(await me(), 401, { logs: app.logs });
  });

  test("Basic scheme → 401", async () => {
    await assertRejected(await me({ authorization: `Basic ${base64url("alice:secret")}` }), 401, { logs: app.logs });
  });

  test("the scheme in any case (RFC 6750 / RFC 7235) → 200", async () => {
    for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
      const response = await me({ authorization: `${scheme} ${await mintToken(ed25519)}` });
      assert.equal(response.status, 200, scheme);
    }
  });

  test("two tokens in one header → 401", async () => {
    const [first, second] = [await mintToken(ed25519), await mintToken(ed25519)];
    for (const authorization of [`Bearer ${first}, Bearer ${second}`, `Bearer ${first} ${second}`]) {
      await assertRejected(await me({ authorization }), 401, { token: first, logs: app.logs, secrets });
    }
  });

  test("Bearer scheme with an empty token → 401", async () => {
    await assertRejected(await me({ authorization: "Bearer " }), 401, { logs: app.logs });
    await assertRejected(await me({ authorization: "Bearer" }), 401, { logs: app.logs });
  });

  test("the session cookie alone (no Authorization header) → 401", async () => {
    const token = await mintToken(ed25519);
    const response = await me({ cookie: `better-auth.session_token=${token}; better-auth.session_data=${token}` });
    await assertRejected(response, 401, { token, logs: app.logs, secrets });
  });

  test("garbage → 401", async () => {
    await rejects("not-a-jwt", /malformed/);
    await rejects("a.b.c", /malformed/);
  });

  test("header only → 401", async () => {
    const header = base64url({ alg: "EdDSA", kid: ed25519.kid });
    await rejects(header);
    await rejects(`${header}.`);
    await rejects(`${header}..`);
  });

  test('alg "none" → 401', async () => {
    await rejects(`${base64url({ alg: "none", kid: ed25519.kid })}.${base64url(claims())}.`, /algorithm/);
  });

  test("HS256 signed with the public key's bytes (algorithm confusion) → 401", async () => {
    const publicKeyBytes = Buffer.from(ed25519.publicJwk.x as string, "base64url");
    const jwkBytes = new TextEncoder().encode(JSON.stringify(ed25519.publicJwk));
    for (const secret of [publicKeyBytes, jwkBytes]) {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: ed25519.kid }).sign(secret);
      await rejects(token, /algorithm/);
    }
  });

  test("RS256 token, key published, but only EdDSA allowed → 401", async () => {
    await rejects(await mintToken(rsa), /algorithm/);
  });

  test("tampered payload → 401", async () => {
    const [header, , signature] = (await mintToken(ed25519)).split(".");
    await rejects(`${header}.${base64url(claims({ sub: "user-mallory" }))}.${signature}`, /signature/);
  });

  test("tampered signature → 401", async () => {
    const [header, payload, signature] = (await mintToken(ed25519)).split(".") as [string, string, string];
    const bytes = Buffer.from(signature, "base64url");
    bytes[0] = (bytes[0] as number) ^ 0xff;
    await rejects(`${header}.${payload}.${bytes.toString("base64url")}`, /signature/);
  });

  test("expired (beyond the leeway) → 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejects(await mintToken(ed25519, { iat: now - 1000, exp: now - 60 }), /expired/);
  });

  test("nbf in the future → 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejects(await mintToken(ed25519, { nbf: now + 120 }), /not yet valid/);
  });

  test("wrong iss → 401", async () => {
    await rejects(await mintToken(ed25519, { iss: "https://evil.example" }), /iss/);
    await rejects(await mintToken(ed25519, { iss: undefined }), /iss/);
  });

  test("wrong aud → 401", async () => {
    await rejects(await mintToken(ed25519, { aud: "https://other-app.example" }), /aud/);
    await rejects(await mintToken(ed25519, { aud: undefined }), /aud/);
  });

  test("missing or empty sub → 401", async () => {
    await rejects(await mintToken(ed25519, { sub: undefined }), /sub/);
    await rejects(await mintToken(ed25519, { sub: "" }), /sub|subject/);
  });

  test("missing exp → 401", async () => {
    await rejects(await mintToken(ed25519, { exp: undefined }), /exp/);
  });

  test("an anonymous POST with a broken body → 401, not 400 (authentication comes first)", async () => {
    const response = await fetch(`${app.url}/api/notes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    await assertRejected(response, 401, { logs: app.logs });
  });

  test("one log line per request: method, path, status, duration", async () => {
    const token = await mintToken(ed25519);
    const before = app.logs.length;
    await fetch(`${app.url}/api/me?page=secret-query`, { headers: bearer(token) });
    await fetch(`${app.url}/api/me`);
    const lines = await infoLinesSince(app.logs, before, 2);
    assert.equal(lines.length, 2);
    assert.match(lines[0] as string, /^info GET \/api\/me 200 \d+\.\dms$/);
    assert.match(lines[1] as string, /^info GET \/api\/me 401 \d+\.\dms$/);
    assertNoLeak(lines.join("\n"), { token, secrets: ["secret-query"] });
  });

  test("why a token was refused is logged at debug level, without the token", async () => {
    const token = await mintToken(ed25519, { iss: "https://evil.example" });
    const before = app.logs.length;
    await assertRejected(await me(bearer(token)), 401, { token, logs: app.logs, secrets });
    assert.ok(app.logs.slice(before).includes('debug token refused: invalid "iss" claim'), app.logs.slice(before).join("\n"));
  });

  test("nothing above leaked into the logs", () => {
    assertNoLeak(app.logs.join("\n"), { secrets });
  });
});

/** The request lines logged since index `from`, once there are `count` of them (written just after the answer). */
async function infoLinesSince(logs: string[], from: number, count: number): Promise<string[]> {
  const lines = () => logs.slice(from).filter((line) => line.startsWith("info "));
  for (let waited = 0; lines().length < count && waited < 2000; waited += 10) await sleep(10);
  return lines();
}

describe("issuer and audience from the origin of BETTER_AUTH_URL", () => {
  test("BETTER_AUTH_URL written with a trailing slash, upper case or a default port → tokens still verify", async () => {
    const key = await newSigningKey("EdDSA");
    const jwks = await JwksServer.start([key.publicJwk]);
    try {
      for (const betterAuthUrl of ["http://localhost:3000/", "HTTP://LOCALHOST:3000", "http://localhost:3000/app/"]) {
        const app = await startTestApp({ JWKS_URL: jwks.url, BETTER_AUTH_URL: betterAuthUrl });
        try {
          const response = await fetch(`${app.url}/api/me`, { headers: bearer(await mintToken(key)) });
          assert.equal(response.status, 200, betterAuthUrl);
        } finally {
          await app.close();
        }
      }
      const app = await startTestApp({ JWKS_URL: jwks.url, BETTER_AUTH_URL: "https://APP.example:443/" });
      try {
        const token = await mintToken(key, { iss: "https://app.example", aud: "https://app.example" });
        assert.equal((await fetch(`${app.url}/api/me`, { headers: bearer(token) })).status, 200);
      } finally {
        await app.close();
      }
    } finally {
      await jwks.close();
    }
  });
});

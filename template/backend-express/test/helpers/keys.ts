// Real signing keys and tokens, minted the way Better Auth's jwt() plugin does (header {alg, kid}, EdDSA/Ed25519).
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

export const ISSUER = "http://localhost:3000";

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  /** What the JWKS endpoint publishes for this key. */
  publicJwk: JWK;
}

export async function newSigningKey(alg = "EdDSA"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = randomUUID();
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

/** Claims of a valid token for `sub`; pass `undefined` for a claim to leave it out. */
export function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    sub: "user-alice",
    email: "alice@example.com",
    name: "Alice",
    iss: ISSUER,
    aud: ISSUER,
    iat: now,
    exp: now + 900,
    // Makes every token unique, so a test never hits a token verified by an earlier test.
    jti: randomUUID(),
    ...overrides,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return payload;
}

export async function mintToken(
  key: SigningKey,
  overrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims(overrides)).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

export function base64url(value: unknown): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

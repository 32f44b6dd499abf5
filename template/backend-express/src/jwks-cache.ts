// The frontend's public keys (Better Auth's /api/auth/jwks), fetched lazily and kept for the process lifetime.
//
// Why not jose's createRemoteJWKSet: its refetch cooldown starts only after a *successful* fetch, so while the
// JWKS endpoint is down every request with an unknown kid triggers another fetch. Here every fetch attempt,
// failed or not, counts towards the minimum interval, so a flood of random kids costs at most one fetch per
// interval, and the interval (5 s by default) is short enough that a rotated key is accepted within 10 s.
//
// Ed25519 keys (what Better Auth signs with) are also imported once per fetch into node:crypto KeyObjects, so
// EdDSA tokens are verified synchronously by auth.ts instead of through jose's WebCrypto path.
import { createPublicKey, type KeyObject } from "node:crypto";
import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
} from "jose";

/** No key can be trusted right now (the JWKS was never fetched, or the last fetch failed): answer 503. */
export class KeysUnavailableError extends Error {}

export interface JwksCacheOptions {
  url: string;
  minRefetchMs: number;
  onFetchError?: (message: string) => void;
}

type KeySet = ReturnType<typeof createLocalJWKSet>;

// A hung JWKS endpoint must not hold requests for long: after this the fetch counts as failed (503).
const FETCH_TIMEOUT_MS = 5000;

export class JwksCache {
  #options: JwksCacheOptions;
  #keySet: KeySet | undefined;
  /** Usable Ed25519 verification keys of the current key set, by kid (several keys may share a kid). */
  #ed25519 = new Map<string, KeyObject[]>();
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastAttemptFailed = false;
  #pending: Promise<void> | undefined;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
  }

  /** jose key resolver: the key whose kid (and algorithm/curve) match the token header. */
  getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (typeof header.kid !== "string" || header.kid === "") throw new errors.JWKSNoMatchingKey("token has no kid");
    if (this.#keySet) {
      try {
        return await this.#keySet(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      }
    }
    // Unknown kid (or nothing fetched yet): maybe the key was rotated, so refetch unless we did so recently.
    await this.#refetchIfAllowed();
    if (!this.#keySet) throw new KeysUnavailableError();
    try {
      return await this.#keySet(header, token);
    } catch (error) {
      // We could not ask the JWKS endpoint about this kid, so we cannot tell "forged" from "new".
      if (error instanceof errors.JWKSNoMatchingKey && this.#lastAttemptFailed) throw new KeysUnavailableError();
      throw error;
    }
  };

  /** The Ed25519 keys already known for this kid, without fetching: the synchronous fast path. */
  ed25519Keys(kid: string): readonly KeyObject[] | undefined {
    return this.#ed25519.get(kid);
  }

  /**
   * The Ed25519 keys for this kid, refetching the JWKS (at most once per interval) when it is unknown; the same
   * semantics as getKey: still unknown → JWKSNoMatchingKey, unknown and the JWKS cannot be asked → KeysUnavailableError.
   */
  resolveEd25519Keys = async (kid: string): Promise<readonly KeyObject[]> => {
    if (kid === "") throw new errors.JWKSNoMatchingKey("token has no kid");
    const known = this.#ed25519.get(kid);
    if (known) return known;
    await this.#refetchIfAllowed();
    if (!this.#keySet) throw new KeysUnavailableError();
    const fetched = this.#ed25519.get(kid);
    if (fetched) return fetched;
    if (this.#lastAttemptFailed) throw new KeysUnavailableError();
    throw new errors.JWKSNoMatchingKey();
  };

  #refetchIfAllowed(): Promise<void> {
    // Concurrent callers share one in-flight fetch.
    if (this.#pending) return this.#pending;
    if (Date.now() - this.#lastAttemptAt < this.#options.minRefetchMs) return Promise.resolve();
    this.#lastAttemptAt = Date.now();
    this.#pending = this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(): Promise<void> {
    try {
      const response = await fetch(this.#options.url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      // createLocalJWKSet validates the document's shape; a malformed one keeps the previous keys.
      const document = (await response.json()) as JSONWebKeySet;
      const keySet = createLocalJWKSet(document);
      const ed25519 = importEd25519Keys(document.keys);
      this.#keySet = keySet;
      this.#ed25519 = ed25519;
      this.#lastAttemptFailed = false;
    } catch (error) {
      this.#lastAttemptFailed = true;
      const reason = error instanceof Error ? error.message : String(error);
      this.#options.onFetchError?.(`could not fetch the JWKS from ${this.#options.url}: ${reason}`);
    }
  }
}

/**
 * The members jose's createLocalJWKSet would pick for an EdDSA token (OKP/Ed25519, alg absent or "EdDSA", use absent
 * or "sig", key_ops absent or a duplicate-free list of strings with "verify", ext absent or boolean), each imported
 * once. Members that are private keys or that fail to import are left out, as jose would refuse them.
 */
function importEd25519Keys(keys: JWK[]): Map<string, KeyObject[]> {
  const byKid = new Map<string, KeyObject[]>();
  for (const jwk of keys) {
    if (!isUsableEd25519Jwk(jwk)) continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" });
    } catch {
      continue;
    }
    if (key.asymmetricKeyType !== "ed25519") continue;
    const kid = jwk.kid as string;
    byKid.set(kid, [...(byKid.get(kid) ?? []), key]);
  }
  return byKid;
}

function isUsableEd25519Jwk(jwk: JWK): boolean {
  if (typeof jwk !== "object" || jwk === null) return false;
  const { kty, crv, x, d, kid, alg, use, key_ops: keyOps, ext } = jwk;
  return (
    kty === "OKP" &&
    crv === "Ed25519" &&
    typeof x === "string" &&
    d === undefined &&
    typeof kid === "string" &&
    kid !== "" &&
    (alg === undefined || alg === "EdDSA") &&
    (use === undefined || use === "sig") &&
    (ext === undefined || typeof ext === "boolean") &&
    (keyOps === undefined ||
      (Array.isArray(keyOps) &&
        keyOps.every((op, index) => typeof op === "string" && keyOps.indexOf(op) === index) &&
        keyOps.includes("verify")))
  );
}

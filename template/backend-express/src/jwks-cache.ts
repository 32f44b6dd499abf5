// The frontend's public keys (Better Auth's /api/auth/jwks), fetched lazily and kept for the process lifetime.
//
// Why not jose's createRemoteJWKSet: its refetch cooldown starts only after a *successful* fetch, so while the
// JWKS endpoint is down every request with an unknown kid triggers another fetch. Here every fetch attempt,
// failed or not, counts towards the minimum interval, so a flood of random kids costs at most one fetch per
// interval, and the interval (5 s by default) is short enough that a rotated key is accepted within 10 s.
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from "jose";

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
      this.#keySet = createLocalJWKSet((await response.json()) as JSONWebKeySet);
      this.#lastAttemptFailed = false;
    } catch (error) {
      this.#lastAttemptFailed = true;
      const reason = error instanceof Error ? error.message : String(error);
      this.#options.onFetchError?.(`could not fetch the JWKS from ${this.#options.url}: ${reason}`);
    }
  }
}

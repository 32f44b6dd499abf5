// The frontend's public keys (Better Auth's /api/auth/jwks), fetched lazily and kept between fetches; jose's
// createLocalJWKSet picks the key for a token header and imports each key once.
//
// Why not jose's createRemoteJWKSet: its refetch cooldown starts only after a *successful* fetch, so while the
// JWKS endpoint is down every request with an unknown kid triggers another fetch. Here every fetch attempt,
// failed or not, counts towards the minimum interval, so a flood of random kids costs at most one fetch per
// interval, and the interval (5 s by default) is short enough that a rotated key is accepted within 10 s.
// After the maximum age (10 minutes by default) the set is refetched in the background, so a key removed from
// the JWKS stops being trusted without waiting for an unknown kid; while the endpoint is down the cached keys stay.
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from "jose";

/** No key can be trusted right now (the JWKS was never fetched, or the last fetch failed): answer 503. */
export class KeysUnavailableError extends Error {}

/** The token header names no key (no "kid"): refused even when the JWKS holds a single key. */
export class MissingKidError extends Error {}

export interface JwksCacheOptions {
  url: string;
  minRefetchMs: number;
  maxAgeMs: number;
  onFetchError?: (message: string) => void;
  /** A fetch brought a different key set: what was verified with the old one must be checked again. */
  onKeysChanged?: () => void;
}

type KeySet = ReturnType<typeof createLocalJWKSet>;

// A hung JWKS endpoint must not hold requests for long: after this the fetch counts as failed (503).
const FETCH_TIMEOUT_MS = 5000;

export class JwksCache {
  #options: JwksCacheOptions;
  #keySet: KeySet | undefined;
  /** The fetched keys as JSON text, to tell a changed set from the same one fetched again. */
  #keysText: string | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastAttemptFailed = false;
  #pending: Promise<void> | undefined;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
  }

  /** Starts a background refetch when the keys are older than the maximum age; never waits for it. */
  refreshIfStale(): void {
    if (this.#keySet && Date.now() - this.#fetchedAt >= this.#options.maxAgeMs) void this.#refetchIfAllowed();
  }

  /** jose key resolver: the key whose kid (and algorithm/curve) match the token header. */
  getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (typeof header.kid !== "string" || header.kid === "") throw new MissingKidError();
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
      const document = (await response.json()) as JSONWebKeySet;
      const keySet = createLocalJWKSet(document);
      const keysText = JSON.stringify(document.keys);
      const changed = this.#keysText !== undefined && keysText !== this.#keysText;
      this.#keySet = keySet;
      this.#keysText = keysText;
      this.#fetchedAt = Date.now();
      this.#lastAttemptFailed = false;
      if (changed) this.#options.onKeysChanged?.();
    } catch (error) {
      this.#lastAttemptFailed = true;
      const reason = error instanceof Error ? error.message : String(error);
      this.#options.onFetchError?.(`could not fetch the JWKS from ${this.#options.url}: ${reason}`);
    }
  }
}

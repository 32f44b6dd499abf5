// Remembers tokens whose signature and claims were already checked, so a client that reuses its token does not
// pay for a signature check on every request. Keyed by the whole token string (any change is a miss), bounded,
// and each entry is dropped once the token expires.

export class VerifiedTokenCache<T> {
  #entries = new Map<string, { value: T; expiresAtMs: number }>();
  #maxEntries: number;

  constructor(maxEntries = 10_000) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string, now = Date.now()): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAtMs) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  set(token: string, value: T, expiresAtMs: number, now = Date.now()): void {
    if (now >= expiresAtMs) return;
    if (this.#entries.size >= this.#maxEntries) this.#makeRoom(now);
    this.#entries.set(token, { value, expiresAtMs });
  }

  /** Drops expired entries; if the cache is still full, drops the oldest one (Map keeps insertion order). */
  #makeRoom(now: number): void {
    for (const [token, entry] of this.#entries) {
      if (now >= entry.expiresAtMs) this.#entries.delete(token);
    }
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }
}

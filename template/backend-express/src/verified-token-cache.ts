// Remembers tokens whose signature and claims were already checked, so a client that reuses its token does not
// pay for a signature check on every request. Keyed by the whole token string (any change is a miss), bounded,
// and an entry is never served once its token has expired.

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

  /** Forgets every token, e.g. when the signing keys changed. */
  clear(): void {
    this.#entries.clear();
  }

  set(token: string, value: T, expiresAtMs: number, now = Date.now()): void {
    if (now >= expiresAtMs) return;
    // Map keeps insertion order, and Better Auth gives every token the same lifetime, so the oldest entry is the
    // first to expire: expired entries at the front go, then the oldest while the cache is full. Only the front is
    // looked at, O(1) per insertion however full the cache is (scanning every entry on each insertion would make a
    // flood of new tokens cost more and more). An expired entry further in is never served (see get).
    for (const [oldest, entry] of this.#entries) {
      if (now < entry.expiresAtMs && this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(token, { value, expiresAtMs });
  }
}

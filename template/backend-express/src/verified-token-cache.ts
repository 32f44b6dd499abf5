// Remembers tokens whose signature and claims were already checked, so a client that reuses its token does not
// pay for a signature check on every request. Keyed by the whole token string (any change is a miss), bounded,
// and an entry is never served once its token has expired.

export class VerifiedTokenCache<T> {
  #entries = new Map<string, { value: T; expiresAtMs: number }>();
  // The stored tokens in insertion order, as a ring: once it is full, the slot at #oldest names the next entry to
  // drop. The Map is never iterated for that: V8 keeps a deleted entry's slot until the table is rebuilt, so
  // reaching the oldest entry by iteration steps over thousands of them per insertion in a full cache.
  #order: string[] = [];
  #oldest = 0;
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
    this.#order = [];
    this.#oldest = 0;
  }

  /** Keeps a verified token until its expiry; a full cache drops its oldest entry, in constant time. */
  set(token: string, value: T, expiresAtMs: number, now = Date.now()): void {
    if (now >= expiresAtMs) return;
    if (!this.#entries.has(token)) {
      if (this.#order.length < this.#maxEntries) {
        this.#order.push(token);
      } else {
        this.#entries.delete(this.#order[this.#oldest] as string); // the ring is full: every slot is set
        this.#order[this.#oldest] = token;
        this.#oldest = (this.#oldest + 1) % this.#maxEntries;
      }
    }
    this.#entries.set(token, { value, expiresAtMs });
  }
}

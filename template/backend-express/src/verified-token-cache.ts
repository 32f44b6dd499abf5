// Remembers tokens whose signature and claims were already checked, so a client that reuses its token does not
// pay for a signature check on every request. Keyed by the whole token string (any change is a miss), bounded,
// and an entry is never served once its token has expired.
//
// A token is cached from its second verification on (SeenTokens): a flood of tokens each sent once (a crawler, a
// burst of sign-ins) then neither evicts the tokens users keep sending nor fills the cache with tokens that never
// come back.

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

/**
 * Which verified tokens were seen before, without keeping them: a fixed table of hashes of their last characters
 * (the signature's). Two tokens sharing a slot can only fake or forget a sighting, so at worst a verified token is
 * cached one verification early or verified once more; what the cache serves is still keyed by the whole token.
 */
export class SeenTokens {
  #hashes: Int32Array;

  constructor(slots = 16_384) {
    this.#hashes = new Int32Array(slots);
  }

  /** Whether `token` was offered since its slot last changed; remembers it either way. */
  seenBefore(token: string): boolean {
    // FNV-1a, 32 bits, over the last 64 UTF-16 code units.
    let hash = 0x811c9dc5 | 0;
    for (let i = Math.max(0, token.length - 64); i < token.length; i++) {
      hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
    }
    const slot = (hash >>> 0) % this.#hashes.length;
    if (this.#hashes[slot] === hash) return true;
    this.#hashes[slot] = hash;
    return false;
  }
}

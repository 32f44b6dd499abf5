"""Verified tokens: a token the frontend reuses costs a dict lookup, not a signature check.

A token is cached from its second verification on (`SeenTokens`): a flood of tokens each sent once
(a crawler, a burst of sign-ins) then neither evicts the tokens users keep sending nor fills the
cache with tokens that never come back."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class VerifiedTokenCache(Generic[Value]):
    """Bounded map token → value; an entry is never served at or after its token's `exp`.

    Entries stay in insertion order. Better Auth gives every token the same lifetime, so the oldest
    entry is the first to expire: making room only looks at the front, O(1) per insertion however
    full the cache is (scanning every entry on each insertion would make a flood of new tokens
    cost more and more).
    """

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.time) -> None:
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Value]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> Value | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        expires_at, value = entry
        if self._clock() >= expires_at:
            with self._lock:
                self._entries.pop(token, None)
            return None
        return value

    def put(self, token: str, expires_at: float, value: Value) -> None:
        now = self._clock()
        if now >= expires_at:
            return
        with self._lock:
            entries = self._entries
            # Expired entries at the front go; then, while still full, the oldest ones.
            while entries:
                oldest_expiry = next(iter(entries.values()))[0]
                if now < oldest_expiry and len(entries) < self._max_entries:
                    break
                entries.popitem(last=False)
            entries[token] = (expires_at, value)

    def __len__(self) -> int:
        return len(self._entries)


class SeenTokens:
    """Which verified tokens were seen before, without keeping them: a fixed table of hashes.

    Two tokens sharing a slot can only fake or forget a sighting, so at worst a verified token is
    cached one verification early or verified once more; what the cache serves is still keyed by
    the whole token.
    """

    def __init__(self, slots: int = 16_384) -> None:
        self._hashes = [0] * slots

    def seen_before(self, token: str) -> bool:
        """Whether `token` was offered since its slot last changed; remembers it either way."""
        # str caches its hash: the cache lookup before verifying already computed it.
        fingerprint = hash(token)
        slot = fingerprint % len(self._hashes)
        if self._hashes[slot] == fingerprint:
            return True
        self._hashes[slot] = fingerprint
        return False

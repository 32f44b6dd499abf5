"""Verified tokens: a token the frontend reuses costs a dict lookup, not a signature check."""

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

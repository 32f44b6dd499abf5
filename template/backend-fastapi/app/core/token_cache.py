"""Verified tokens: a token the frontend reuses costs a dict lookup, not a signature check."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class VerifiedTokenCache(Generic[Value]):
    """Bounded map token → value; an entry is dropped once its token's `exp` has passed."""

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
        if self._clock() >= expires_at:
            return
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._evict()
            self._entries[token] = (expires_at, value)

    def __len__(self) -> int:
        return len(self._entries)

    def _evict(self) -> None:
        now = self._clock()
        for token in [token for token, (exp, _) in self._entries.items() if now >= exp]:
            del self._entries[token]
        # Still full: drop the oldest insertions (they expire first with equal lifetimes).
        while len(self._entries) >= self._max_entries:
            self._entries.popitem(last=False)

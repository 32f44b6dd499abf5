"""The JWKS of the Better Auth app: fetched on first use, refetched for an unknown kid
(rate-limited) and in the background once the keys are older than a maximum age.

PyJWKClient is not used: its refetch cooldown is fixed, it has no maximum age for keys it already
holds, and it does not tell "endpoint down" (503) apart from "unknown key" (401).
"""

import logging
import threading
import time
from collections.abc import Callable

import httpx
import jwt

logger = logging.getLogger(__name__)


class KeysUnavailable(Exception):
    """The JWKS endpoint cannot be reached and no cached key fits the token."""


class JwksCache:
    def __init__(
        self,
        url: str,
        min_refetch_seconds: float,
        max_age_seconds: float,
        timeout_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._min_refetch_seconds = min_refetch_seconds
        self._max_age_seconds = max_age_seconds
        self._timeout_seconds = timeout_seconds
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._last_attempt: float | None = None
        self._last_attempt_failed = False
        self._refreshing = False
        # One fetch at a time: concurrent requests with the same new kid wait for it instead
        # of each fetching.
        self._lock = threading.Lock()

    def cached(self, kid: str) -> jwt.PyJWK | None:
        """The key for `kid` if it was already fetched; never waits for the network. Keys older
        than the maximum age are still returned while a background refetch replaces them."""
        if self._is_stale() and self._may_fetch():
            self._refresh_in_background()
        return self._keys.get(kid)

    def get(self, kid: str) -> jwt.PyJWK | None:
        """The key for `kid`, or None when the (fresh enough) JWKS does not have it; may block on
        a fetch. Raises KeysUnavailable when the JWKS cannot be fetched and no key fits."""
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            key = self._keys.get(kid)  # another thread may have just fetched it
            if key is None and self._may_fetch():
                self._fetch()
                key = self._keys.get(kid)
            if key is None and self._last_attempt_failed:
                raise KeysUnavailable
            return key

    def _is_stale(self) -> bool:
        return (
            self._fetched_at is not None
            and self._clock() - self._fetched_at >= self._max_age_seconds
        )

    def _may_fetch(self) -> bool:
        return (
            self._last_attempt is None
            or self._clock() - self._last_attempt >= self._min_refetch_seconds
        )

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, name="jwks-refresh", daemon=True).start()

    def _refresh(self) -> None:
        try:
            with self._lock:
                if self._is_stale() and self._may_fetch():
                    self._fetch()
        finally:
            self._refreshing = False

    def _fetch(self) -> None:
        """Replaces the key set; the caller holds the lock."""
        self._last_attempt = self._clock()
        try:
            response = httpx.get(self._url, timeout=self._timeout_seconds)
            response.raise_for_status()
            keys = _parse_key_set(response.json())
        except (httpx.HTTPError, ValueError) as error:
            self._last_attempt_failed = True
            # Keep the keys we have: they stay valid while the endpoint is down.
            logger.warning("JWKS fetch from %s failed: %s", self._url, error)
            return
        removed = self._keys.keys() - keys.keys()
        if removed:
            logger.info("JWKS no longer publishes key(s) %s", ", ".join(sorted(removed)))
        self._last_attempt_failed = False
        self._fetched_at = self._last_attempt
        self._keys = keys


def _parse_key_set(document: object) -> dict[str, jwt.PyJWK]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWK set")
    keys = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue  # a key we cannot select by kid is of no use
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            logger.warning("JWKS key %s skipped: unsupported key type", entry["kid"])
    return keys

"""The verified-token cache: bounded, dropped at exp, and much cheaper than verifying."""

import asyncio
import time

from app.core.security import TokenVerifier
from app.core.token_cache import SeenTokens, VerifiedTokenCache
from tests.conftest import make_settings
from tests.jwks_server import JwksServer
from tests.tokens import SigningKey, claims


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entry_dropped_at_exp() -> None:
    clock = FakeClock()
    cache: VerifiedTokenCache[str] = VerifiedTokenCache(clock=clock)
    cache.put("token", 1010.0, "user")
    assert cache.get("token") == "user"
    clock.now = 1010.0
    assert cache.get("token") is None
    assert len(cache) == 0


def test_expired_token_is_not_stored() -> None:
    cache: VerifiedTokenCache[str] = VerifiedTokenCache(clock=FakeClock())
    cache.put("token", 999.0, "user")
    assert len(cache) == 0


def test_bounded_size_drops_expired_then_oldest() -> None:
    clock = FakeClock()
    cache: VerifiedTokenCache[int] = VerifiedTokenCache(max_entries=3, clock=clock)
    cache.put("short", 1001.0, 0)
    cache.put("a", 2000.0, 1)
    cache.put("b", 2000.0, 2)
    clock.now = 1500.0
    cache.put("c", 2000.0, 3)  # full: the expired entry goes first
    assert [cache.get(t) for t in ("a", "b", "c")] == [1, 2, 3]
    cache.put("d", 2000.0, 4)  # full, nothing expired: the oldest goes
    assert cache.get("a") is None
    assert len(cache) == 3


def test_expired_entry_behind_a_live_one_is_never_served() -> None:
    clock = FakeClock()
    cache: VerifiedTokenCache[str] = VerifiedTokenCache(clock=clock)
    cache.put("long", 2000.0, "a")
    cache.put("short", 1010.0, "b")
    clock.now = 1010.0
    assert cache.get("short") is None
    assert cache.get("long") == "a"


def test_flood_of_new_tokens_keeps_the_newest_within_the_bound() -> None:
    cache: VerifiedTokenCache[int] = VerifiedTokenCache(max_entries=100, clock=FakeClock())
    for i in range(10_000):
        cache.put(f"token-{i}", 2000.0, i)
    assert len(cache) == 100
    assert cache.get("token-9899") is None
    assert [cache.get("token-9900"), cache.get("token-9999")] == [9900, 9999]


def test_insertion_into_a_full_cache_does_not_scan_it() -> None:
    # Making room looks at the front only: filling a big cache twice over takes about as long
    # per token as filling a small one (a scan per insertion would be ~100x slower here).
    def per_token(max_entries: int) -> float:
        cache: VerifiedTokenCache[int] = VerifiedTokenCache(max_entries, clock=FakeClock())
        started = time.perf_counter()
        for i in range(2 * max_entries):
            cache.put(f"token-{i}", 2000.0, i)
        return (time.perf_counter() - started) / (2 * max_entries)

    assert per_token(20_000) < 10 * per_token(200)


def test_cached_token_costs_less_than_half_a_verification(
    jwks: JwksServer, key: SigningKey, database_url: str
) -> None:
    verifier = TokenVerifier(make_settings(database_url, jwks.url))
    token = key.sign(claims())
    rounds = 300
    fresh_tokens = [key.sign(claims()) for _ in range(rounds)]

    async def seconds_per_verification(tokens: list[str]) -> float:
        started = time.perf_counter()
        for each in tokens:
            await verifier.verify(each)
        return (time.perf_counter() - started) / len(tokens)

    async def measure() -> tuple[float, float]:
        await verifier.verify(token)  # JWKS fetched
        await verifier.verify(token)  # seen again: cached
        return (
            await seconds_per_verification(fresh_tokens),
            await seconds_per_verification([token] * rounds),
        )

    full, cached = asyncio.run(measure())
    assert cached < full / 2, f"cached {cached * 1e6:.1f} µs vs verified {full * 1e6:.1f} µs"


def test_seen_tokens_tells_a_second_sighting_from_a_first() -> None:
    seen = SeenTokens(slots=64)
    assert not seen.seen_before("a.b.c")
    assert seen.seen_before("a.b.c")
    assert not seen.seen_before("a.b.d")


def test_a_token_is_cached_from_its_second_verification_on(
    jwks: JwksServer, key: SigningKey, database_url: str
) -> None:
    verifier = TokenVerifier(make_settings(database_url, jwks.url))
    once = [key.sign(claims()) for _ in range(50)]
    reused = key.sign(claims())

    async def verify_all() -> None:
        for token in once:
            await verifier.verify(token)
        await verifier.verify(reused)
        assert len(verifier._verified) == 0  # tokens seen once are not kept
        await verifier.verify(reused)
        assert len(verifier._verified) == 1

    asyncio.run(verify_all())

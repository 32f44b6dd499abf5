"""JWKS fetching as the contract wants it: once, rotation-friendly, flood-proof, outage-tolerant."""

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from app.core.jwks import JwksCache
from app.core.security import TokenVerifier
from tests.assertions import assert_keys_unavailable, assert_rejected, bearer
from tests.conftest import make_settings
from tests.jwks_server import JwksServer
from tests.tokens import SigningKey, claims

# Short enough to keep the suite fast, long enough that "still inside the interval" holds on a
# slow, busy CI machine.
REFETCH_SECONDS = 1.0


def test_jwks_is_fetched_once_and_reused(client, key: SigningKey, jwks: JwksServer) -> None:
    assert jwks.fetches == 0  # lazily: nothing before the first token
    for _ in range(5):
        assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    assert jwks.fetches == 1


def test_unknown_kid_refetches_once_then_401(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    client = make_client(jwks_min_refetch_seconds=REFETCH_SECONDS)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    time.sleep(REFETCH_SECONDS)
    stranger = SigningKey.ed25519()  # never published
    token = stranger.sign(claims())
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)
    assert jwks.fetches == 2
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)
    assert jwks.fetches == 2  # within the interval: no second refetch


def test_rotated_key_is_accepted_after_one_refetch(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    client = make_client(jwks_min_refetch_seconds=REFETCH_SECONDS)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    rotated = SigningKey.ed25519()
    jwks.keys = [rotated.public_jwk()]
    time.sleep(REFETCH_SECONDS)
    response = client.get("/api/me", headers=bearer(rotated.sign(claims())))
    assert response.status_code == 200
    assert jwks.fetches == 2


def test_new_key_waits_for_the_refetch_interval(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    client = make_client(jwks_min_refetch_seconds=REFETCH_SECONDS)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    new_key = SigningKey.ed25519()
    jwks.keys.append(new_key.public_jwk())
    token = new_key.sign(claims())
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)  # just fetched
    time.sleep(REFETCH_SECONDS)
    assert client.get("/api/me", headers=bearer(new_key.sign(claims()))).status_code == 200
    assert jwks.fetches == 2


def test_cached_key_keeps_working_while_jwks_is_down(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    client = make_client(jwks_min_refetch_seconds=0)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    jwks.down = True
    # A fresh token, so the verified-token cache cannot answer: the cached key does.
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    assert jwks.fetches == 1


def test_jwks_down_and_no_key_cached_is_503(client, key: SigningKey, jwks: JwksServer) -> None:
    jwks.down = True
    token = key.sign(claims())
    assert_keys_unavailable(client.get("/api/me", headers=bearer(token)), token)


def test_jwks_unreachable_and_no_key_cached_is_503(make_client, key: SigningKey) -> None:
    client = make_client(jwks_url="http://127.0.0.1:9/api/auth/jwks")  # discard port: refused
    token = key.sign(claims())
    assert_keys_unavailable(client.get("/api/me", headers=bearer(token)), token)


def test_unknown_kid_while_jwks_is_down_is_503(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    client = make_client(jwks_min_refetch_seconds=0)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    jwks.down = True
    token = SigningKey.ed25519().sign(claims())
    assert_keys_unavailable(client.get("/api/me", headers=bearer(token)), token)


def test_jwks_back_up_is_used_again(make_client, key: SigningKey, jwks: JwksServer) -> None:
    client = make_client(jwks_min_refetch_seconds=REFETCH_SECONDS)
    jwks.down = True
    token = key.sign(claims())
    assert_keys_unavailable(client.get("/api/me", headers=bearer(token)), token)
    jwks.down = False
    time.sleep(REFETCH_SECONDS)
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_random_kid_flood_is_rate_limited(client, key: SigningKey, jwks: JwksServer) -> None:
    # Default interval (5 s): one initial fetch, then no refetch however many kids arrive.
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    attacker = SigningKey.ed25519()
    for _ in range(200):
        attacker.kid = uuid.uuid4().hex
        token = attacker.sign(claims())
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)
    assert jwks.fetches == 1


def test_flood_over_time_costs_one_fetch_per_interval(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    interval = 0.3
    client = make_client(jwks_min_refetch_seconds=interval)
    attacker = SigningKey.ed25519()
    started = time.monotonic()
    while time.monotonic() - started < 3 * interval:
        attacker.kid = uuid.uuid4().hex
        token = attacker.sign(claims())
        assert client.get("/api/me", headers=bearer(token)).status_code == 401
    elapsed = time.monotonic() - started
    assert jwks.fetches <= elapsed / interval + 1


def test_concurrent_unknown_kids_share_one_fetch(key: SigningKey, jwks: JwksServer) -> None:
    cache = JwksCache(jwks.url, min_refetch_seconds=60, max_age_seconds=600)
    kids = [key.kid] + [uuid.uuid4().hex for _ in range(31)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        found = list(pool.map(cache.get, kids))
    assert found[0] is not None and found[1:] == [None] * 31
    assert jwks.fetches == 1


def test_requests_fetch_the_jwks_off_the_event_loop(
    key: SigningKey, jwks: JwksServer, database_url: str
) -> None:
    # A slow JWKS endpoint must not stall the event loop: the download runs in a worker thread,
    # and only when the kid is not cached yet.
    verifier = TokenVerifier(make_settings(database_url, jwks.url))
    fetching_threads: list[int] = []
    fetch = verifier._jwks.get

    def spy(kid: str):
        fetching_threads.append(threading.get_ident())
        return fetch(kid)

    verifier._jwks.get = spy  # type: ignore[method-assign]

    async def two_new_tokens() -> int:
        for _ in range(2):
            await verifier.verify(key.sign(claims()))
        return threading.get_ident()

    loop_thread = asyncio.run(two_new_tokens())
    assert len(fetching_threads) == 1 and fetching_threads[0] != loop_thread
    assert jwks.fetches == 1


def test_removed_key_stops_being_trusted_after_the_maximum_age(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    # No unknown kid ever arrives: only the maximum age makes the backend notice the removal.
    client = make_client(
        jwks_min_refetch_seconds=REFETCH_SECONDS, jwks_max_age_seconds=REFETCH_SECONDS
    )
    seen_before = key.sign(claims())
    assert client.get("/api/me", headers=bearer(seen_before)).status_code == 200
    jwks.keys = [SigningKey.ed25519().public_jwk()]  # Better Auth rotated and dropped the key
    time.sleep(REFETCH_SECONDS)
    # The stale key still answers while the background refetch runs...
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    wait_for(lambda: jwks.fetches == 2)
    # ...then, once the refetched keys replace the old ones (a moment after the JWKS server saw the
    # request), neither a token verified before nor a new one is accepted.
    wait_for(lambda: client.get("/api/me", headers=bearer(seen_before)).status_code == 401)
    for token in (key.sign(claims()), seen_before):
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_keys_younger_than_the_maximum_age_are_not_refetched(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    client = make_client(jwks_min_refetch_seconds=0, jwks_max_age_seconds=60)
    for _ in range(3):
        assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    assert jwks.fetches == 1


def test_stale_keys_are_kept_while_the_jwks_is_down(
    make_client, key: SigningKey, jwks: JwksServer
) -> None:
    client = make_client(jwks_min_refetch_seconds=0, jwks_max_age_seconds=0.2)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    jwks.down = True
    time.sleep(0.2)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200
    wait_for(lambda: jwks.fetches == 2)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200


def test_background_refetches_are_merged(key: SigningKey, jwks: JwksServer) -> None:
    now = [0.0]
    cache = JwksCache(jwks.url, min_refetch_seconds=0, max_age_seconds=10, clock=lambda: now[0])
    assert cache.get(key.kid) is not None
    now[0] = 11.0
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(cache.cached, [key.kid] * 64))
    wait_for(lambda: jwks.fetches >= 2)
    time.sleep(0.2)  # a second background fetch, if one had been started, has landed now
    assert jwks.fetches == 2


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)

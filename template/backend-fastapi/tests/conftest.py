import logging
import os
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.config import Settings
from app.db import create_db_engine, create_tables
from app.main import create_app
from tests.jwks_server import JwksServer
from tests.tokens import BETTER_AUTH_URL, MINTED, TEST_USER_PREFIX, SigningKey

ClientFactory = Callable[..., TestClient]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DATABASE_URL from the environment (CI: PostgreSQL, MariaDB), else a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL") or f"file:{tmp_path_factory.mktemp('db') / 'notes.db'}"
    yield url
    engine = create_db_engine(make_settings(url, "http://127.0.0.1:9/unused"))
    create_tables(engine)  # in case no test started the app
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM note WHERE user_id LIKE :prefix"), {"prefix": f"{TEST_USER_PREFIX}%"}
        )
    engine.dispose()


def make_settings(database_url: str, jwks_url: str, **overrides: object) -> Settings:
    # _env_file=None: a developer's backend/.env must not change what the tests check.
    overrides.setdefault("better_auth_url", BETTER_AUTH_URL)
    return Settings(_env_file=None, jwks_url=jwks_url, database_url=database_url, **overrides)


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer().start()
    yield server
    server.stop()


@pytest.fixture
def key(jwks: JwksServer) -> SigningKey:
    """An Ed25519 key published at the JWKS, like Better Auth's default."""
    signing_key = SigningKey.ed25519()
    jwks.keys.append(signing_key.public_jwk())
    return signing_key


@pytest.fixture
def make_client(jwks: JwksServer, database_url: str) -> Iterator[ClientFactory]:
    """A TestClient (startup included) for settings overrides such as jwks_min_refetch_seconds."""
    clients: list[TestClient] = []

    def factory(**overrides: object) -> TestClient:
        overrides.setdefault("jwks_url", jwks.url)
        settings = make_settings(database_url, **overrides)
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.fixture(autouse=True)
def tokens_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    MINTED.clear()
    yield
    for token in MINTED:
        for segment in token.split(".")[1:]:
            # Too short a segment (alg none's empty signature) could match any text.
            assert len(segment) < 8 or segment not in caplog.text

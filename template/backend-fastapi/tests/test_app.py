"""Health, CORS and the start command."""

import pytest
from fastapi.testclient import TestClient

from app.__main__ import main as start_command
from tests.tokens import BETTER_AUTH_URL


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_cors_allows_the_frontend_origin(client: TestClient) -> None:
    response = client.options(
        "/api/notes",
        headers={
            "Origin": BETTER_AUTH_URL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == BETTER_AUTH_URL
    assert "access-control-allow-credentials" not in response.headers


def test_cors_refuses_other_origins(client: TestClient) -> None:
    response = client.options(
        "/api/notes",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers
    simple = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_start_command_refuses_bad_config_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BETTER_AUTH_URL", "not a url")
    with pytest.raises(SystemExit) as exit_info:
        start_command()
    message = str(exit_info.value.code)
    assert message.startswith("error: ") and "BETTER_AUTH_URL" in message
    assert "not a url" not in message  # reasons, not values (values may be secrets)

"""Health, CORS, the lifespan, the request log and the start command."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from app.__main__ import main as start_command
from app.api.deps import get_current_user
from app.core.config import BACKEND_DIR
from app.core.security import AuthenticatedUser
from app.main import create_app
from tests.assertions import bearer
from tests.conftest import make_settings
from tests.tokens import BETTER_AUTH_URL, SigningKey, claims


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_routes_honour_the_apps_dependency_overrides(client: TestClient) -> None:
    """FastAPI's testing idiom: `app.dependency_overrides` reaches every route (they are included
    with `app.include_router`, which gives them the app as their overrides provider)."""
    app: FastAPI = client.app  # type: ignore[assignment]
    app.dependency_overrides[get_current_user] = lambda: AuthenticatedUser(id="u1", email=None)
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json() == {"id": "u1", "email": None}


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


def test_tables_are_created_at_startup_and_the_engine_disposed_at_shutdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "notes.db"
    app = create_app(make_settings(f"file:{database}", "http://127.0.0.1:9/unused"))
    disposed = []
    monkeypatch.setattr(app.state.engine, "dispose", lambda: disposed.append(True))
    assert not database.exists()  # nothing touched before the lifespan starts
    with TestClient(app):
        assert "note" in inspect(app.state.engine).get_table_names()
        assert not disposed
    assert disposed == [True]


def test_one_log_line_per_request_without_the_token(
    client: TestClient, key: SigningKey, caplog: pytest.LogCaptureFixture
) -> None:
    token = key.sign(claims())
    client.get("/api/me", headers=bearer(token))
    client.get("/api/notes?x=1", headers=bearer("not-a-token"))
    lines = [r.getMessage() for r in caplog.records if r.name == "app.requests"]
    assert len(lines) == 2
    assert re.fullmatch(r"GET /api/me 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"GET /api/notes 401 \d+\.\dms", lines[1])  # no query string


def test_why_a_token_was_refused_is_logged_at_debug(
    client: TestClient, key: SigningKey, caplog: pytest.LogCaptureFixture
) -> None:
    token = key.sign(claims(iss="http://evil.example"))
    client.get("/api/me", headers=bearer(token))
    refusals = [r for r in caplog.records if r.getMessage().startswith("token refused")]
    assert [(r.levelno, r.getMessage()) for r in refusals] == [
        (logging.DEBUG, "token refused: token issuer is not JWT_ISSUER")
    ]


def test_start_command_names_an_unusable_database_in_one_line(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "BETTER_AUTH_URL": BETTER_AUTH_URL,
        "DATABASE_URL": f"file:{tmp_path / 'missing-dir' / 'notes.db'}",
        "PORT": "9",  # never bound: startup fails first
    }
    result = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=BACKEND_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "error: DATABASE_URL: cannot use the database: unable to open database file" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr

"""The shared conformance cases (../conformance/jwt-cases.json), each run through the real app:
every backend of this template must give each case the same answer."""

import json

import pytest

from app.core.config import BACKEND_DIR
from tests.conftest import ClientFactory
from tests.jwks_server import JwksServer
from tests.tokens import MINTED

CONFORMANCE_FILE = BACKEND_DIR.parent / "conformance" / "jwt-cases.json"
UNREACHABLE_JWKS_URL = "http://127.0.0.1:9/api/auth/jwks"  # the discard port: refused


def load_conformance() -> dict:
    document = json.loads(CONFORMANCE_FILE.read_text())
    assert document["version"] == 1, f"{CONFORMANCE_FILE}: unsupported version"
    return document


CONFORMANCE = load_conformance()


@pytest.mark.parametrize("case", CONFORMANCE["cases"], ids=lambda case: case["name"])
def test_conformance_case(case: dict, make_client: ClientFactory, jwks: JwksServer) -> None:
    settings = {"better_auth_url": case.get("better_auth_url") or CONFORMANCE["issuer"]}
    if case["jwks"] is None:
        settings["jwks_url"] = UNREACHABLE_JWKS_URL
    else:
        jwks.keys = CONFORMANCE["jwks"][case["jwks"]]["keys"]
    client = make_client(**settings)
    headers = {}
    if case["authorization"] is not None:
        headers["Authorization"] = case["authorization"]
        MINTED.append(case["authorization"].partition(" ")[2])  # must never reach the log

    response = client.get("/api/me", headers=headers)

    expect = case["expect"]
    why = f"{case['name']}: {case['why']}"
    assert response.status_code == expect["status"], f"{why} ({response.text})"
    if expect["status"] == 200:
        assert response.json() == {"id": expect["sub"], "email": expect.get("email")}, why
    elif expect["status"] == 401:
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer"), why
        assert f'error="{expect.get("error", "invalid_token")}"' in challenge, why

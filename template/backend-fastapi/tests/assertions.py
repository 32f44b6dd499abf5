import base64
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from httpx2 import Response

WWW_AUTHENTICATE = 'Bearer error="invalid_token"'


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_no_leak(response: "Response", token: str | None) -> None:
    """Neither the token, nor its claims, nor a stack trace may come back to the client."""
    body = response.text
    assert "Traceback" not in body and 'File "' not in body
    if not token:
        return
    for segment in token.split("."):
        if len(segment) > 8:
            assert segment not in body
    for value in _claim_values(token):
        assert value not in body


def assert_rejected(response: "Response", token: str | None = None) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE
    detail = response.json()["detail"]
    assert isinstance(detail, str) and 0 < len(detail) < 100
    assert_no_leak(response, token)


def assert_keys_unavailable(response: "Response", token: str) -> None:
    assert response.status_code == 503, response.text
    assert response.json() == {"detail": "authentication keys unavailable"}
    assert_no_leak(response, token)


def _claim_values(token: str) -> list[str]:
    parts = token.split(".")
    if len(parts) < 2:
        return []
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return []
    if not isinstance(payload, dict):
        return []
    # Values a client could not know without the token (skip the public issuer URL).
    return [str(v) for k, v in payload.items() if k not in ("iss", "aud") and len(str(v)) > 4]

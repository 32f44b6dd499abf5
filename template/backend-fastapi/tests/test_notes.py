"""Notes are scoped to the token's sub; bad bodies are 4xx, never 500."""

import pytest
from fastapi.testclient import TestClient

from tests.assertions import assert_rejected, bearer
from tests.tokens import SigningKey, claims


@pytest.fixture
def alice(key: SigningKey) -> dict[str, str]:
    return bearer(key.sign(claims()))


@pytest.fixture
def bob(key: SigningKey) -> dict[str, str]:
    return bearer(key.sign(claims()))


def test_create_then_list_newest_first(client: TestClient, alice: dict) -> None:
    first = client.post("/api/notes", json={"text": "first"}, headers=alice)
    second = client.post("/api/notes", json={"text": "second"}, headers=alice)
    assert first.status_code == second.status_code == 201
    assert set(first.json()) == {"id", "text", "createdAt"}
    listed = client.get("/api/notes", headers=alice)
    assert listed.status_code == 200
    assert [note["text"] for note in listed.json()] == ["second", "first"]
    assert listed.json()[0]["createdAt"].endswith(("Z", "+00:00"))


def test_a_new_user_has_no_notes(client: TestClient, alice: dict) -> None:
    assert client.get("/api/notes", headers=alice).json() == []


def test_delete_own_note(client: TestClient, alice: dict) -> None:
    note_id = client.post("/api/notes", json={"text": "bye"}, headers=alice).json()["id"]
    response = client.delete(f"/api/notes/{note_id}", headers=alice)
    assert response.status_code == 204
    assert response.content == b""
    assert client.get("/api/notes", headers=alice).json() == []
    assert client.delete(f"/api/notes/{note_id}", headers=alice).status_code == 404


def test_other_users_notes_are_invisible_and_undeletable(
    client: TestClient, alice: dict, bob: dict
) -> None:
    note_id = client.post("/api/notes", json={"text": "alice's"}, headers=alice).json()["id"]
    assert client.get("/api/notes", headers=bob).json() == []
    response = client.delete(f"/api/notes/{note_id}", headers=bob)
    assert response.status_code == 404  # not 403: no hint that the note exists
    assert response.json() == {"detail": "note not found"}
    assert [note["id"] for note in client.get("/api/notes", headers=alice).json()] == [note_id]


def test_missing_note_is_404(client: TestClient, alice: dict) -> None:
    assert client.delete("/api/notes/does-not-exist", headers=alice).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"text": ""}, id="empty"),
        pytest.param({"text": "x" * 1001}, id="too-long"),
        pytest.param({}, id="missing-field"),
        pytest.param({"text": None}, id="null"),
        pytest.param({"text": 12}, id="number"),
        pytest.param(["text"], id="not-an-object"),
    ],
)
def test_bad_bodies_are_422(client: TestClient, alice: dict, body: object) -> None:
    response = client.post("/api/notes", json=body, headers=alice)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_malformed_json_is_422(client: TestClient, alice: dict) -> None:
    headers = {**alice, "Content-Type": "application/json"}
    response = client.post("/api/notes", content=b'{"text": ', headers=headers)
    assert response.status_code == 422


def test_longest_allowed_text(client: TestClient, alice: dict) -> None:
    text = "é" * 1000
    response = client.post("/api/notes", json={"text": text}, headers=alice)
    assert response.status_code == 201
    assert response.json()["text"] == text


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/notes"), ("POST", "/api/notes"), ("DELETE", "/api/notes/some-id")],
)
def test_notes_need_a_token(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"text": "hi"})
    assert_rejected(response)

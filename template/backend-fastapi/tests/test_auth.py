"""Every token shape an attacker or a misconfiguration can produce, against GET /api/me."""

import time

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.assertions import assert_rejected, bearer
from tests.jwks_server import JwksServer
from tests.tokens import SigningKey, b64url, claims, hs256_with_key_bytes, unsigned


def test_valid_token_returns_the_user(client: TestClient, key: SigningKey) -> None:
    token_claims = claims()
    response = client.get("/api/me", headers=bearer(key.sign(token_claims)))
    assert response.status_code == 200
    assert response.json() == {"id": token_claims["sub"], "email": token_claims["email"]}


def test_token_without_email_claim_gives_null_email(client: TestClient, key: SigningKey) -> None:
    token_claims = claims(email=None)
    response = client.get("/api/me", headers=bearer(key.sign(token_claims)))
    assert response.json() == {"id": token_claims["sub"], "email": None}


def test_non_string_email_is_refused(client: TestClient, key: SigningKey) -> None:
    # Decided verdict: a malformed claim is a malformed token, not a user without an email.
    for email in (42, ["a@example.com"], None):
        token = key.sign({**claims(), "email": email})
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_lower_case_bearer_scheme_is_accepted(client: TestClient, key: SigningKey) -> None:
    # RFC 6750 (via RFC 9110 §11.1): the auth scheme is case-insensitive.
    for scheme in ("bearer", "BEARER"):
        headers = {"Authorization": f"{scheme} {key.sign(claims())}"}
        assert client.get("/api/me", headers=headers).status_code == 200


def test_two_tokens_in_one_header_are_refused(client: TestClient, key: SigningKey) -> None:
    first, second = key.sign(claims()), key.sign(claims())
    for value in (f"Bearer {first}, Bearer {second}", f"Bearer {first} {second}"):
        response = client.get("/api/me", headers={"Authorization": value})
        assert_rejected(response)
        assert response.json() == {"detail": "expected exactly one bearer token"}


def test_token_longer_than_8_kib_is_refused_unread(client: TestClient, key: SigningKey) -> None:
    # Validly signed, so only the length rule refuses it.
    token = key.sign(claims(padding="x" * 8192))
    assert len(token) > 8192
    response = client.get("/api/me", headers=bearer(token))
    assert_rejected(response, token)
    assert response.json() == {"detail": "token too long"}


@pytest.mark.parametrize("typ", ["JWT", "jwt", None])
def test_typ_jwt_or_absent_is_accepted(client: TestClient, key: SigningKey, typ) -> None:
    token = key.sign(claims(), typ=typ)
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("typ", ["at+jwt", "JWS", 1])
def test_other_typ_is_refused(client: TestClient, key: SigningKey, typ) -> None:
    token = key.sign(claims(), typ=typ)
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


@pytest.mark.parametrize("crit", [["exp"], ["urn:example:ext"]])
def test_critical_header_extensions_are_refused(
    client: TestClient, key: SigningKey, crit: list
) -> None:
    # RFC 7515 §4.1.11: this backend understands no extension, so any crit fails.
    token = key.sign(claims(), crit=crit, **dict.fromkeys(crit, True))
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_missing_kid_is_refused_even_with_one_published_key(
    client: TestClient, key: SigningKey
) -> None:
    token = jwt.encode(claims(), key.private_key, algorithm="EdDSA")
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_iat_up_to_60_seconds_ahead_is_accepted(client: TestClient, key: SigningKey) -> None:
    token = key.sign(claims(iat=int(time.time()) + 45))
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(
    "better_auth_url",
    ["http://localhost:3000/", "HTTP://LOCALHOST:3000", "http://LocalHost:3000/some/path?q#f"],
)
def test_better_auth_url_as_typed_still_verifies(
    make_client, key: SigningKey, better_auth_url: str
) -> None:
    # The frontend signs iss and aud with the origin: http://localhost:3000.
    client = make_client(better_auth_url=better_auth_url)
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200


def test_expiry_within_leeway_is_accepted(client: TestClient, key: SigningKey) -> None:
    token = key.sign(claims(exp=int(time.time()) - 10))
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_missing_authorization_header(client: TestClient) -> None:
    assert_rejected(client.get("/api/me"))


def test_basic_scheme(client: TestClient, key: SigningKey) -> None:
    token = key.sign(claims())
    assert_rejected(client.get("/api/me", headers={"Authorization": f"Basic {token}"}), token)


@pytest.mark.parametrize("value", ["Bearer", "Bearer ", "Bearer    "])
def test_empty_bearer(client: TestClient, value: str) -> None:
    assert_rejected(client.get("/api/me", headers={"Authorization": value}))


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "....", "ey.ey.ey", "🔑"])
def test_garbage_token(client: TestClient, garbage: str) -> None:
    response = client.get("/api/me", headers={"Authorization": f"Bearer {garbage}".encode()})
    assert_rejected(response, garbage)


def test_header_only_token(client: TestClient, key: SigningKey) -> None:
    header = b64url(b'{"alg":"EdDSA","kid":"%s"}' % key.kid.encode())
    for token in (header, f"{header}.", f"{header}.."):
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_alg_none(client: TestClient, key: SigningKey) -> None:
    for alg in ("none", "None", "NONE"):
        token = unsigned({"alg": alg, "kid": key.kid}, claims())
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_hs256_signed_with_the_public_key(client: TestClient, key: SigningKey) -> None:
    jwk = key.public_jwk()
    for secret in (key.public_key_bytes(), jwk["x"].encode(), str(jwk).encode()):
        token = hs256_with_key_bytes(secret, key.kid, claims())
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_rs256_when_only_eddsa_is_allowed(
    client: TestClient, key: SigningKey, jwks: JwksServer
) -> None:
    rsa_key = SigningKey.rsa()
    jwks.keys.append(rsa_key.public_jwk())  # published, so only the algorithm pin refuses it
    token = rsa_key.sign(claims())
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_rs256_accepted_when_configured(make_client, key: SigningKey, jwks: JwksServer) -> None:
    rsa_key = SigningKey.rsa()
    jwks.keys.append(rsa_key.public_jwk())
    client = make_client(jwt_algorithms="EdDSA,RS256")
    assert client.get("/api/me", headers=bearer(rsa_key.sign(claims()))).status_code == 200
    assert client.get("/api/me", headers=bearer(key.sign(claims()))).status_code == 200


def test_header_alg_must_match_the_key(make_client, key: SigningKey) -> None:
    client = make_client(jwt_algorithms="EdDSA,RS256")
    eddsa_token = key.sign(claims())
    _, payload, signature = eddsa_token.split(".")
    relabeled = unsigned({"alg": "RS256", "kid": key.kid}, {}).split(".")[0]
    token = f"{relabeled}.{payload}.{signature}"
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_tampered_payload(client: TestClient, key: SigningKey) -> None:
    header, _, signature = key.sign(claims()).split(".")
    forged = unsigned({}, claims(sub="pytest-admin")).split(".")[1]
    token = f"{header}.{forged}.{signature}"
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_tampered_signature(client: TestClient, key: SigningKey) -> None:
    header, payload, signature = key.sign(claims()).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    token = f"{header}.{payload}.{flipped}"
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"exp": int(time.time()) - 60}, id="expired"),
        pytest.param({"nbf": int(time.time()) + 120}, id="nbf-in-future"),
        pytest.param({"iss": "http://evil.example"}, id="wrong-iss"),
        pytest.param({"aud": "http://other-app.example"}, id="wrong-aud"),
        pytest.param({"sub": None}, id="missing-sub"),
        pytest.param({"sub": ""}, id="empty-sub"),
        pytest.param({"sub": 42}, id="non-string-sub"),
        pytest.param({"exp": None}, id="missing-exp"),
        pytest.param({"exp": "tomorrow"}, id="non-numeric-exp"),
        pytest.param({"iss": None}, id="missing-iss"),
        pytest.param({"aud": None}, id="missing-aud"),
    ],
)
def test_invalid_claims(client: TestClient, key: SigningKey, overrides: dict) -> None:
    token = key.sign(claims(**overrides))
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"exp": float("inf")}, id="exp-infinity"),
        pytest.param({"exp": float("nan")}, id="exp-nan"),
        pytest.param({"exp": True}, id="exp-boolean"),
        pytest.param({"exp": 10**400}, id="exp-beyond-any-float"),
        pytest.param({"exp": "4102444800"}, id="exp-numeric-string"),
        pytest.param({"nbf": float("nan")}, id="nbf-nan"),
        pytest.param({"iat": int(time.time()) + 120}, id="iat-in-future"),
        pytest.param({"iat": "0"}, id="iat-string"),
        pytest.param({"aud": ["http://localhost:3000", 5]}, id="aud-list-non-string"),
        pytest.param({"aud": {"aud": "http://localhost:3000"}}, id="aud-object"),
    ],
)
def test_claims_beyond_what_better_auth_signs(
    client: TestClient, key: SigningKey, overrides: dict
) -> None:
    # Odd JSON values fail closed, also those PyJWT alone would accept ("123", 10**400).
    token = key.sign(claims(**overrides))
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_audience_list_naming_us_and_fractional_exp_are_accepted(
    client: TestClient, key: SigningKey
) -> None:
    token_claims = claims(aud=["http://other.example", "http://localhost:3000"])
    token_claims["exp"] += 0.5
    response = client.get("/api/me", headers=bearer(key.sign(token_claims)))
    assert response.status_code == 200


def test_validly_signed_payload_that_is_not_an_object(client: TestClient, key: SigningKey) -> None:
    header = b64url(b'{"alg":"EdDSA","kid":"%s"}' % key.kid.encode())
    for payload in (b"[1, 2]", b"not json", b'"sub"'):
        signing_input = f"{header}.{b64url(payload)}"
        token = f"{signing_input}.{b64url(key.private_key.sign(signing_input.encode()))}"
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_signature_encodings_other_than_plain_base64url(
    client: TestClient, key: SigningKey
) -> None:
    header, payload, signature = key.sign(claims()).split(".")
    for bad in (signature + "=", signature + "A", signature[:-1] + "+", signature[:-2]):
        token = f"{header}.{payload}.{bad}"
        assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_reasons_name_what_to_fix(client: TestClient, key: SigningKey) -> None:
    expected = {
        "token expired": claims(exp=int(time.time()) - 60),
        "token issuer is not JWT_ISSUER": claims(iss="http://evil.example"),
        "token audience is not JWT_AUDIENCE": claims(aud="http://other.example"),
        "token has no sub claim": claims(sub=None),
    }
    for reason, token_claims in expected.items():
        response = client.get("/api/me", headers=bearer(key.sign(token_claims)))
        assert response.json() == {"detail": reason}


def test_session_cookie_is_never_a_credential(client: TestClient, key: SigningKey) -> None:
    token = key.sign(claims())
    cookies = {"better-auth.session_token": token, "__Secure-better-auth.session_token": token}
    for name, value in cookies.items():
        client.cookies.set(name, value)
    assert_rejected(client.get("/api/me"), token)
    client.cookies.clear()


def test_token_past_exp_is_not_served_from_cache(client: TestClient, key: SigningKey) -> None:
    # Accepted inside the 30 s leeway, but never cached past exp: once the leeway is over too,
    # the same token is refused.
    token = key.sign(claims(exp=int(time.time()) - 28))
    for _ in range(2):  # cached from its second verification on
        assert client.get("/api/me", headers=bearer(token)).status_code == 200
    time.sleep(2.2)
    assert_rejected(client.get("/api/me", headers=bearer(token)), token)


def test_pyjwt_reference_decodes_the_minted_token(key: SigningKey) -> None:
    # Guards the test helpers themselves: the tokens above are genuine EdDSA JWTs.
    token = key.sign(claims())
    decoded = jwt.decode(
        token,
        jwt.PyJWK(key.public_jwk()).key,
        algorithms=["EdDSA"],
        audience="http://localhost:3000",
    )
    assert decoded["sub"].startswith("pytest-")

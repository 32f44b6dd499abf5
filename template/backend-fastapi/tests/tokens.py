"""Real keys and real signed tokens, shaped like Better Auth's jwt() plugin output."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

BETTER_AUTH_URL = "http://localhost:3000"
# Every token a test made, so conftest can check that none of them reached the logs.
MINTED: list[str] = []
# Test users' ids carry this prefix, so conftest can remove their notes from a shared database.
TEST_USER_PREFIX = "pytest-"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class SigningKey:
    algorithm: str
    private_key: object
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def ed25519(cls) -> "SigningKey":
        return cls("EdDSA", ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def rsa(cls) -> "SigningKey":
        return cls("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def public_jwk(self) -> dict:
        public_key = self.private_key.public_key()
        to_jwk = OKPAlgorithm.to_jwk if self.algorithm == "EdDSA" else RSAAlgorithm.to_jwk
        return {**to_jwk(public_key, as_dict=True), "kid": self.kid, "alg": self.algorithm}

    def public_key_bytes(self) -> bytes:
        return base64.urlsafe_b64decode(self.public_jwk()["x"] + "==")

    def sign(self, claims: dict, **header: object) -> str:
        token = jwt.encode(
            claims, self.private_key, algorithm=self.algorithm, headers={"kid": self.kid, **header}
        )
        MINTED.append(token)
        return token


def claims(**overrides: object) -> dict:
    """Better Auth's default payload: the user row plus sub, iss = aud = base URL, 15 min."""
    now = int(time.time())
    user_id = f"{TEST_USER_PREFIX}{uuid.uuid4().hex[:12]}"
    base = {
        "sub": user_id,
        "id": user_id,
        "email": f"{user_id}@example.com",
        "name": "Test User",
        "iat": now,
        "exp": now + 900,
        "iss": BETTER_AUTH_URL,
        "aud": BETTER_AUTH_URL,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def unsigned(header: dict, payload: dict, signature: bytes = b"") -> str:
    """A token assembled by hand, for the shapes no library will produce."""
    parts = [json.dumps(header).encode(), json.dumps(payload).encode()]
    return ".".join([*(b64url(part) for part in parts), b64url(signature)])


def hs256_with_key_bytes(secret: bytes, kid: str, payload: dict) -> str:
    """Algorithm confusion: HS256 "signed" with bytes an attacker can read from the JWKS."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64url(json.dumps(payload).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64url(signature)}"

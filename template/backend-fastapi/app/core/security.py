"""Better Auth JWT verification: pinned algorithms, key by kid, signature, exp/nbf/iat, iss, aud,
sub.

The claim checks are written out below instead of calling `jwt.decode`: PyJWT's generic decode
costs about as much again as the signature check itself (`cargo xtask bench --only auth`
measures it), and the rules a Better Auth token must meet are few. The signature is still checked
by PyJWT's algorithm object for the key (the `cryptography` package underneath), and the keys
still come from PyJWT's JWK parsing.
"""

import base64
import json
import math
import re
import time
from dataclasses import dataclass

import jwt
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.core.jwks import JwksCache, KeysUnavailable
from app.core.token_cache import VerifiedTokenCache

# Better Auth's clock and ours may differ slightly.
LEEWAY_SECONDS = 30

# Three base64url segments and nothing else: no padding, no whitespace, no second encoding of the
# same bytes (Python's base64 decoder would otherwise skip characters outside the alphabet).
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")

__all__ = ["AuthenticatedUser", "InvalidToken", "KeysUnavailable", "TokenVerifier"]


class InvalidToken(Exception):
    """The token is not acceptable; the message is a short reason safe to show the client."""


@dataclass(frozen=True)
class AuthenticatedUser:
    id: str
    email: str | None


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._algorithms = settings.algorithms
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._jwks = JwksCache(str(settings.jwks_url), settings.jwks_min_refetch_seconds)
        self._verified: VerifiedTokenCache[AuthenticatedUser] = VerifiedTokenCache()

    def verify(self, token: str) -> AuthenticatedUser:
        """The token's user; raises InvalidToken (→ 401) or KeysUnavailable (→ 503).

        May block on the JWKS download: for scripts and tests. Requests use `verify_async`.
        """
        user = self._verified.get(token)
        if user is not None:
            return user
        header = _Header(token, self._algorithms)
        return self._verify_with(token, header, self._jwks.get(header.kid))

    async def verify_async(self, token: str) -> AuthenticatedUser:
        """`verify` for the event loop: a token seen before is a dict lookup, a new one a signature
        check, both without leaving the loop (a worker-thread hop would cost more than the lookup).
        Only the rare JWKS download (first token, unknown kid) runs in a worker thread, so a slow
        JWKS endpoint never stalls other requests.
        """
        user = self._verified.get(token)
        if user is not None:
            return user
        header = _Header(token, self._algorithms)
        key = self._jwks.cached(header.kid)
        if key is None:
            key = await run_in_threadpool(self._jwks.get, header.kid)
        return self._verify_with(token, header, key)

    def _verify_with(
        self, token: str, header: "_Header", key: jwt.PyJWK | None
    ) -> AuthenticatedUser:
        if key is None:
            raise InvalidToken("unknown signing key")
        if key.algorithm_name != header.algorithm:
            raise InvalidToken("token algorithm does not match its key")
        # The key's own algorithm object (never one the token names): False for a bad signature
        # and for one that does not fit the key's format.
        if not key.Algorithm.verify(header.signing_input, key.key, header.signature):
            raise InvalidToken("invalid signature")
        # Only now is the payload trusted enough to read.
        try:
            claims = json.loads(_decode(header.payload))
        except ValueError:
            raise InvalidToken("malformed token") from None
        if not isinstance(claims, dict):
            raise InvalidToken("malformed token")
        user = AuthenticatedUser(id=self._check_claims(claims), email=_email_or_none(claims))
        self._verified.put(token, float(claims["exp"]), user)
        return user

    def _check_claims(self, claims: dict) -> str:
        """The same rules as PyJWT's decode with require=[exp, sub], issuer, audience and leeway;
        returns `sub`."""
        now = time.time()
        for name in ("exp", "sub", "iss", "aud"):
            if name not in claims:
                raise InvalidToken(f"token has no {name} claim")
        exp, nbf, iat = (_number(claims, name) for name in ("exp", "nbf", "iat"))
        if exp is None:
            raise InvalidToken("invalid token")
        if exp <= now - LEEWAY_SECONDS:
            raise InvalidToken("token expired")
        if (nbf is not None and nbf > now + LEEWAY_SECONDS) or (
            iat is not None and iat > now + LEEWAY_SECONDS
        ):
            raise InvalidToken("token not yet valid")
        if claims["iss"] != self._issuer:
            raise InvalidToken("token issuer is not JWT_ISSUER")
        audiences = claims["aud"]
        if isinstance(audiences, str):
            audiences = [audiences]
        if (
            not isinstance(audiences, list)
            or not all(isinstance(audience, str) for audience in audiences)
            or self._audience not in audiences
        ):
            raise InvalidToken("token audience is not JWT_AUDIENCE")
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub:
            raise InvalidToken("invalid token")
        return sub


class _Header:
    """The protected header, read before the signature check only to pick the key."""

    __slots__ = ("algorithm", "kid", "payload", "signature", "signing_input")

    def __init__(self, token: str, allowed: list[str]) -> None:
        if not _COMPACT_JWS.fullmatch(token):
            raise InvalidToken("malformed token")
        encoded_header, self.payload, signature = token.split(".")
        self.signing_input = f"{encoded_header}.{self.payload}".encode()
        try:
            self.signature = _decode(signature)
            header = json.loads(_decode(encoded_header))
        except ValueError:  # bad base64 (binascii.Error) or bad JSON
            raise InvalidToken("malformed token") from None
        if not isinstance(header, dict):
            raise InvalidToken("malformed token")
        algorithm = header.get("alg")
        if algorithm not in allowed:
            raise InvalidToken("token algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no key id")
        self.algorithm: str = algorithm
        self.kid: str = kid


def _decode(segment: str) -> bytes:
    """base64url without padding; ValueError (binascii.Error) for an impossible length."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _number(claims: dict, name: str) -> float | None:
    """A NumericDate claim; None when absent. Anything but a finite JSON number is refused."""
    if name not in claims:
        return None
    value = claims[name]
    # bool is an int in Python ("exp": true is no date); json.loads accepts NaN and Infinity.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken("invalid token")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        raise InvalidToken("invalid token") from None
    if not math.isfinite(number):
        raise InvalidToken("invalid token")
    return number


def _email_or_none(claims: dict) -> str | None:
    email = claims.get("email")
    return email if isinstance(email, str) else None

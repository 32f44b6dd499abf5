"""Better Auth JWT verification.

PyJWT checks the signature (with the algorithm pinned to the key's), exp, nbf, iss, aud and that
exp, iss, aud and sub are present. This module adds what PyJWT leaves to the application: the key
chosen by kid from the cached JWKS, the header rules (typ, crit), the claim rules (a non-empty
string sub, an email that is a string or absent, dates that are JSON numbers, iat not in the
future) and the cache of tokens already verified (from a token's second verification on).
"""

import math
import time
from dataclasses import dataclass

import jwt
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.core.jwks import JwksCache, KeysUnavailable
from app.core.token_cache import SeenTokens, VerifiedTokenCache

__all__ = ["AuthenticatedUser", "InvalidToken", "KeysUnavailable", "TokenVerifier"]

# Better Auth's clock and ours may differ slightly (exp, nbf).
LEEWAY_SECONDS = 30
# An iat further ahead than this was not issued by a clock close to ours.
MAX_IAT_SKEW = 60
# Better Auth's tokens are well under 1 KiB; a longer one is refused before it is parsed.
MAX_TOKEN_LENGTH = 8 * 1024
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]

# Short reasons for the 401 body, by PyJWT exception (subclasses before their parents).
_REASONS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidIssuerError, "token issuer is not JWT_ISSUER"),
    (jwt.InvalidAudienceError, "token audience is not JWT_AUDIENCE"),
    (jwt.InvalidSignatureError, "invalid signature"),
    (jwt.InvalidAlgorithmError, "token algorithm not allowed"),
    (jwt.DecodeError, "malformed token"),
]


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
        # Verified token → (user, kid of the key that verified it).
        self._verified: VerifiedTokenCache[tuple[AuthenticatedUser, str]] = VerifiedTokenCache()
        self._seen = SeenTokens()
        self._jwks = JwksCache(
            str(settings.jwks_url),
            min_refetch_seconds=settings.jwks_min_refetch_seconds,
            max_age_seconds=settings.jwks_max_age_seconds,
        )
        # iat is checked below with its own margin; PyJWT would use the exp leeway.
        self._jwt = jwt.PyJWT(options={"require": REQUIRED_CLAIMS, "verify_iat": False})

    async def verify(self, token: str) -> AuthenticatedUser:
        """The token's user; raises InvalidToken (→ 401) or KeysUnavailable (→ 503).

        A token seen before is a dict lookup. Only a JWKS download (first token, unknown kid) runs
        in a worker thread, so a slow JWKS endpoint never blocks the event loop.
        """
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("token too long")
        verified = self._verified.get(token)
        # Served from the cache only while the JWKS still publishes the key that verified it.
        if verified is not None and self._jwks.cached(verified[1]) is not None:
            return verified[0]
        kid = self._key_id(token)
        key = self._jwks.cached(kid)
        if key is None:
            key = await run_in_threadpool(self._jwks.get, kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        return self._verify_with(token, kid, key)

    def _key_id(self, token: str) -> str:
        """The kid of a header that may be acceptable; nothing in it is trusted yet."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        if header.get("alg") not in self._algorithms:
            raise InvalidToken("token algorithm not allowed")
        # RFC 7515 §4.1.11: an extension named in crit must be understood; we understand none.
        if "crit" in header:
            raise InvalidToken("token has critical header extensions")
        typ = header.get("typ", "JWT")
        if not isinstance(typ, str) or typ.upper() != "JWT":
            raise InvalidToken("token type is not JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no key id")
        return kid

    def _verify_with(self, token: str, kid: str, key: jwt.PyJWK) -> AuthenticatedUser:
        if key.algorithm_name not in self._algorithms:
            raise InvalidToken("signing key algorithm not allowed")
        try:
            claims = self._jwt.decode(
                token,
                key.key,
                # The key's own algorithm: a token naming another one is refused.
                algorithms=[key.algorithm_name],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
            )
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"token has no {error.claim} claim") from None
        except jwt.PyJWTError as error:
            reason = next((r for kind, r in _REASONS if isinstance(error, kind)), "invalid token")
            raise InvalidToken(reason) from None
        exp = _check_claim_policy(claims)
        user = AuthenticatedUser(id=claims["sub"], email=claims.get("email"))
        if self._seen.seen_before(token):
            self._verified.put(token, exp, (user, kid))
        return user


def _check_claim_policy(claims: dict) -> float:
    """The rules PyJWT leaves optional; returns exp (present: PyJWT required it)."""
    exp = _numeric_date(claims["exp"], "exp")
    if "nbf" in claims:
        _numeric_date(claims["nbf"], "nbf")
    if "iat" in claims and _numeric_date(claims["iat"], "iat") > time.time() + MAX_IAT_SKEW:
        raise InvalidToken("token not yet valid")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise InvalidToken("token has no sub claim")
    if not isinstance(claims.get("email", ""), str):
        raise InvalidToken("malformed email claim")
    return exp


def _numeric_date(value: object, name: str) -> float:
    """RFC 7519 NumericDate: a finite JSON number. PyJWT also accepts "123" and true."""
    # bool is an int in Python; json.loads accepts NaN and Infinity.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"malformed {name} claim")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        raise InvalidToken(f"malformed {name} claim") from None
    if not math.isfinite(number):
        raise InvalidToken(f"malformed {name} claim")
    return number

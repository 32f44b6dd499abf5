"""Better Auth JWT verification: pinned algorithms, key by kid, exp/nbf/iss/aud/sub checked."""

from dataclasses import dataclass

import jwt

from app.core.config import Settings
from app.core.jwks import JwksCache, KeysUnavailable
from app.core.token_cache import VerifiedTokenCache

# Better Auth's clock and ours may differ slightly.
LEEWAY_SECONDS = 30

# Specific reasons make a misconfiguration (issuer, audience, clock) obvious in the browser.
_REASONS = {
    jwt.ExpiredSignatureError: "token expired",
    jwt.ImmatureSignatureError: "token not yet valid",
    jwt.InvalidIssuerError: "token issuer is not JWT_ISSUER",
    jwt.InvalidAudienceError: "token audience is not JWT_AUDIENCE",
    jwt.InvalidSignatureError: "invalid signature",
}

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
        """The token's user; raises InvalidToken (→ 401) or KeysUnavailable (→ 503)."""
        user = self._verified.get(token)
        if user is not None:
            return user
        claims = self._decode(token)
        user = AuthenticatedUser(id=claims["sub"], email=_email_or_none(claims))
        self._verified.put(token, float(claims["exp"]), user)
        return user

    def _decode(self, token: str) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        algorithm = header.get("alg")
        if algorithm not in self._algorithms:
            raise InvalidToken("token algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no key id")
        key = self._jwks.get(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        if key.algorithm_name != algorithm:
            raise InvalidToken("token algorithm does not match its key")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "sub"]},
            )
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"token has no {error.claim} claim") from None
        except jwt.PyJWTError as error:
            # PyJWT's own messages can quote claim values: answer with a fixed reason per failure.
            raise InvalidToken(_REASONS.get(type(error), "invalid token")) from None
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise InvalidToken("invalid token")
        return claims


def _email_or_none(claims: dict) -> str | None:
    email = claims.get("email")
    return email if isinstance(email, str) else None

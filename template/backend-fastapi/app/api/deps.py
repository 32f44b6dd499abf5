"""The verified caller, as a route dependency: `CurrentUser` in a route's parameters."""

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.security import AuthenticatedUser, InvalidToken, KeysUnavailable, TokenVerifier

logger = logging.getLogger(__name__)

# Reads `Authorization: Bearer <token>` (scheme case-insensitive, never cookies) and shows the
# scheme in /docs; auto_error=False so every refusal gets the same RFC 6750 challenge below.
bearer_scheme = HTTPBearer(auto_error=False)


def invalid_token(reason: str) -> HTTPException:
    logger.debug("token refused: %s", reason)
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        reason,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def get_current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AuthenticatedUser:
    """The caller, verified: 401 with the reason, or 503 when the JWKS cannot be fetched.

    `async`: it never blocks the event loop (a JWKS download runs in a worker thread)."""
    if credentials is None:
        raise invalid_token("missing bearer token")
    token = credentials.credentials
    # Exactly one token: `Bearer a b` and `Bearer a, Bearer b` are refused, not half-read.
    if any(separator in token for separator in " \t,"):
        raise invalid_token("expected exactly one bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return await verifier.verify(token)
    except InvalidToken as error:
        raise invalid_token(str(error)) from None
    except KeysUnavailable:
        logger.debug("token refused: JWKS unavailable and its key is not cached")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "authentication keys unavailable"
        ) from None


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]

"""Dependencies shared by the routes: the verified caller and a database session."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.core.security import AuthenticatedUser, InvalidToken, KeysUnavailable, TokenVerifier
from app.db import session_for

# Reads only the Authorization header (never cookies); auto_error=False so that every failure
# gets the same 401 below. Also documents the scheme in /docs.
bearer_scheme = HTTPBearer(auto_error=False)

INVALID_TOKEN_HEADERS = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def get_current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AuthenticatedUser:
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers=INVALID_TOKEN_HEADERS
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(credentials.credentials.strip())
    except InvalidToken as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(error), headers=INVALID_TOKEN_HEADERS
        ) from None
    except KeysUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "authentication keys unavailable"
        ) from None


def get_session(request: Request) -> Iterator[Session]:
    yield from session_for(request.app.state.engine)


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]
SessionDep = Annotated[Session, Depends(get_session)]

"""Dependencies shared by the routes: the verified caller and a database session."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlmodel import Session

from app.core.security import AuthenticatedUser, InvalidToken, KeysUnavailable, TokenVerifier
from app.db import session_for

INVALID_TOKEN_HEADERS = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class BearerUser(HTTPBearer):
    """The caller, from `Authorization: Bearer <token>` (never cookies), verified.

    One dependency that both reads the header and verifies the token: FastAPI resolves nested
    dependencies anew on every request, and HTTPBearer plus a dependency on top of it cost about
    as much as the cached-token lookup itself. Being an HTTPBearer, it still shows the scheme in
    /docs. `async`, because FastAPI runs a plain `def` dependency in a worker thread, a hop that
    costs more again (see TokenVerifier.verify_async).
    """

    def __init__(self) -> None:
        super().__init__(auto_error=False)

    async def __call__(self, request: Request) -> AuthenticatedUser:  # type: ignore[override]
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        token = token.strip()
        # Every failure gets the same 401 challenge.
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers=INVALID_TOKEN_HEADERS
            )
        verifier: TokenVerifier = request.app.state.token_verifier
        try:
            return await verifier.verify_async(token)
        except InvalidToken as error:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, str(error), headers=INVALID_TOKEN_HEADERS
            ) from None
        except KeysUnavailable:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "authentication keys unavailable"
            ) from None


get_current_user = BearerUser()


def get_session(request: Request) -> Iterator[Session]:
    yield from session_for(request.app.state.engine)


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]
SessionDep = Annotated[Session, Depends(get_session)]

"""The usual FastAPI + PyJWT setup (PyJWT's "Retrieve RSA signing keys from a JWKS endpoint" and
FastAPI's security tutorial): a module-level PyJWKClient and `jwt.decode` in a dependency.
`cargo xtask bench --only auth` measures it beside the generated FastAPI backend, served as
uvicorn's docs run an app (one process, httptools + uvloop, uvicorn's default access log: one line
per request, as the generated backend writes its own request log):

    JWKS_URL=... JWT_ISSUER=... JWT_AUDIENCE=... HOST=127.0.0.1 PORT=8000 python main.py
"""

import os
from typing import Annotated, Any

import jwt
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ISSUER = os.environ["JWT_ISSUER"]
AUDIENCE = os.environ["JWT_AUDIENCE"]

# Created once; it caches the fetched key set (5 minutes by default).
jwks_client = jwt.PyJWKClient(os.environ["JWKS_URL"])
bearer_scheme = HTTPBearer()

app = FastAPI()


async def get_claims(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer_scheme)],
) -> dict[str, Any]:
    token = credentials.credentials
    try:
        signing_key = jwks_client.get_signing_key_from_jwt(token)
        return jwt.decode(
            token,
            signing_key.key,
            algorithms=["EdDSA"],
            audience=AUDIENCE,
            issuer=ISSUER,
            # The same claims the generated backend requires.
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            str(error),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/me")
async def read_me(claims: Annotated[dict[str, Any], Depends(get_claims)]) -> dict[str, Any]:
    return {"id": claims["sub"], "email": claims.get("email")}


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ["HOST"], port=int(os.environ["PORT"]))

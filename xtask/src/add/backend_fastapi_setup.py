"""Better Auth for this API, added by better-auth-v2's `cargo xtask add`.

Bearer JWTs from the Next.js app are verified against its JWKS (security.py, with the JWKS cache in
jwks.py and the verified-token cache in token_cache.py); a route takes the caller as a `CurrentUser`
parameter (deps.py); GET /api/me answers {id, email} (me.py). Settings: BETTER_AUTH_URL and
FRONTEND_URL in this backend's .env (config.py lists the optional ones). These files are the
generated FastAPI backend's own, so `cargo xtask add` can bring later fixes the same way.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from {package}.config import load_settings
from {package}.deps import CurrentUser
from {package}.me import router
from {package}.security import AuthenticatedUser, TokenVerifier

__all__ = ["AuthenticatedUser", "CurrentUser", "setup"]


def setup(app: FastAPI, *, cors: bool = True) -> None:
    """Verifies tokens for `app` and serves GET /api/me; a bad setting fails here, at startup.

    cors=False when the app has its own CORSMiddleware: that one must then allow the origin of
    FRONTEND_URL and the Authorization header."""
    settings = load_settings()
    app.state.token_verifier = TokenVerifier(settings)
    if cors:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[settings.cors_origin],
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,  # bearer tokens, never cookies
        )
    app.include_router(router, prefix="/api")

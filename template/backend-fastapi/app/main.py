"""The FastAPI application: CORS for the frontend, routes, and the notes table."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api.routes import health, me, notes
from app.core.config import Settings
from app.core.security import TokenVerifier
from app.db import create_db_engine, create_tables


def create_app(settings: Settings) -> FastAPI:
    """The app, with the `note` table created if missing (so a bad DATABASE_URL fails here)."""
    engine = create_db_engine(settings)
    create_tables(engine)
    app = FastAPI(title="Notes API")
    app.state.engine = engine
    app.state.token_verifier = TokenVerifier(settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.cors_origin],
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,  # bearer tokens, never cookies
    )
    # Every router straight on the app: FastAPI matches nested routers level by level on each
    # request, and a level costs about as much as the cached-token lookup on /api/me.
    app.include_router(health.router)
    app.include_router(me.router, prefix="/api")
    app.include_router(notes.router, prefix="/api")
    return app

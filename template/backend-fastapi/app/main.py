"""The FastAPI application: CORS for the frontend, routes, request log, and the notes table."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api.routes import health, me, notes
from app.core.config import Settings
from app.core.security import TokenVerifier
from app.db import create_db_engine, create_tables
from app.request_log import RequestLogMiddleware


def create_app(settings: Settings) -> FastAPI:
    """The app; a DATABASE_URL naming a driver that is not installed fails here already."""
    engine = create_db_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        create_tables(engine)  # the `note` table, if missing; a bad DATABASE_URL fails here
        yield
        engine.dispose()

    app = FastAPI(title="Notes API", lifespan=lifespan)
    app.state.engine = engine
    app.state.token_verifier = TokenVerifier(settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.cors_origin],
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,  # bearer tokens, never cookies
    )
    app.add_middleware(RequestLogMiddleware)  # outermost: CORS answers are logged too
    app.include_router(health.router)
    app.include_router(me.router, prefix="/api")
    app.include_router(notes.router, prefix="/api")
    return app

"""The SQLModel engine for DATABASE_URL, in the URL forms the frontend's .env uses too."""

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import NoSuchModuleError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from app.core.config import BACKEND_DIR, ConfigError, Settings

# Scheme as written in .env → the SQLAlchemy dialect+driver this backend installs.
_DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
}
# What `uv add` needs when the URL names a database this project was not generated for.
_DRIVER_PACKAGES = {
    "postgresql": "psycopg[binary]",
    "mysql": "pymysql",
    "sqlite+libsql": "sqlalchemy-libsql",
}


def sqlalchemy_url(database_url: str) -> str:
    """`file:./x.db`, `postgres://…`, `mysql://…`, `libsql://…` → a SQLAlchemy URL."""
    if database_url.startswith("file:"):
        path = Path(database_url.removeprefix("file:").removeprefix("//"))
        # Relative to backend/, like the frontend's file: URLs are relative to frontend/.
        return f"sqlite:///{path if path.is_absolute() else BACKEND_DIR / path}"
    scheme, separator, rest = database_url.partition("://")
    if not separator:
        raise ConfigError("DATABASE_URL is not a URL (expected e.g. file:./notes.db)")
    if scheme == "libsql":
        # Turso's remote databases speak libSQL over TLS.
        return f"sqlite+libsql://{rest}{'&' if '?' in rest else '?'}secure=true"
    if scheme in _DRIVERS:
        return f"{_DRIVERS[scheme]}://{rest}"
    if scheme.startswith(("sqlite", "postgresql+", "mysql+")):
        return database_url  # already a SQLAlchemy URL
    raise ConfigError(f"DATABASE_URL scheme {scheme!r} is not supported")


def create_db_engine(settings: Settings) -> Engine:
    url = sqlalchemy_url(settings.database_url)
    try:
        return _create_engine(url, settings.database_auth_token)
    except (ModuleNotFoundError, NoSuchModuleError):
        package = next(
            (p for prefix, p in _DRIVER_PACKAGES.items() if url.startswith(prefix)), None
        )
        fix = f"run `uv add '{package}'` in backend/" if package else "install its driver"
        raise ConfigError(
            f"DATABASE_URL needs a database driver that is not installed: {fix}"
        ) from None


def _create_engine(url: str, auth_token: str | None) -> Engine:
    if url.startswith("sqlite+libsql://") and urlsplit(url).hostname:
        return create_engine(url, connect_args={"auth_token": auth_token or ""})
    if url.startswith("sqlite"):
        # FastAPI serves sync routes from a thread pool; sqlite3 objects refuse other threads
        # unless told otherwise. Only SQLite takes this argument.
        return create_engine(url, connect_args={"check_same_thread": False})
    # Servers close idle connections; test each one before use.
    return create_engine(url, pool_pre_ping=True)


def create_tables(engine: Engine) -> None:
    try:
        SQLModel.metadata.create_all(engine)
    except (OperationalError, ValueError) as error:  # libSQL's client raises ValueError
        # The driver's first line says what is wrong (refused, unknown database, bad password).
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise ConfigError(f"DATABASE_URL: cannot use the database: {reason}") from None


def get_session(request: Request) -> Iterator[Session]:
    """The request's database session (a route dependency)."""
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

import importlib.util
from pathlib import Path

import pytest

from app.core.config import BACKEND_DIR, ConfigError, Settings
from app.db import create_db_engine, create_tables, sqlalchemy_url


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("file:./notes.db", f"sqlite:///{BACKEND_DIR / 'notes.db'}"),
        ("file:/var/data/notes.db", "sqlite:////var/data/notes.db"),
        ("file:///var/data/notes.db", "sqlite:////var/data/notes.db"),
        ("sqlite:///./notes.db", "sqlite:///./notes.db"),
        (
            "postgresql://postgres@127.0.0.1:5432/app",
            "postgresql+psycopg://postgres@127.0.0.1:5432/app",
        ),
        (
            "postgres://u:p@db.example/app?sslmode=require",
            "postgresql+psycopg://u:p@db.example/app?sslmode=require",
        ),
        ("mysql://root@127.0.0.1:3306/app", "mysql+pymysql://root@127.0.0.1:3306/app"),
        ("libsql://db-org.turso.io", "sqlite+libsql://db-org.turso.io?secure=true"),
        ("postgresql+psycopg://h/app", "postgresql+psycopg://h/app"),
    ],
)
def test_database_url_forms(database_url: str, expected: str) -> None:
    assert sqlalchemy_url(database_url) == expected


@pytest.mark.parametrize("database_url", ["notes.db", "mongodb://h/app"])
def test_unsupported_database_url_names_the_variable(database_url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        sqlalchemy_url(database_url)


@pytest.mark.parametrize(
    ("database_url", "module"),
    [("postgresql://h/app", "psycopg"), ("mysql://h/app", "pymysql")],
)
def test_missing_driver_says_what_to_install(database_url: str, module: str) -> None:
    if importlib.util.find_spec(module):
        pytest.skip(f"{module} is installed in this variant")
    with pytest.raises(ConfigError, match="DATABASE_URL needs .*uv add"):
        create_db_engine(settings_for(database_url))


def test_unusable_database_names_the_variable(tmp_path: Path) -> None:
    engine = create_db_engine(settings_for(f"file:{tmp_path / 'missing-dir' / 'notes.db'}"))
    with pytest.raises(ConfigError, match="DATABASE_URL: cannot use the database"):
        create_tables(engine)


def settings_for(database_url: str) -> Settings:
    return Settings(
        _env_file=None, better_auth_url="http://localhost:3000", database_url=database_url
    )

import pytest

from app.core.config import BACKEND_DIR, ConfigError
from app.db import sqlalchemy_url


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

"""The `note` table and the shapes the API reads and writes."""

import uuid
from datetime import UTC, datetime

from pydantic import field_validator
from sqlalchemy import DateTime, Text
from sqlalchemy.dialects import mysql
from sqlmodel import Field, SQLModel

# MySQL's DATETIME drops fractions of a second by default; "newest first" needs them.
TIMESTAMP = DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Note(SQLModel, table=True):
    # No foreign key to Better Auth's `user` table: the backend never depends on its schema.
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    user_id: str = Field(index=True, max_length=255)
    text: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utc_now, sa_type=TIMESTAMP)


class NoteCreate(SQLModel):
    text: str = Field(min_length=1, max_length=1000)


class NotePublic(SQLModel):
    id: str
    text: str
    created_at: datetime = Field(serialization_alias="createdAt")

    @field_validator("created_at")
    @classmethod
    def as_utc(cls, value: datetime) -> datetime:
        # SQLite and MySQL hand back naive datetimes; they were written in UTC.
        return value if value.tzinfo else value.replace(tzinfo=UTC)

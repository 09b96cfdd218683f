"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored as naive UTC so both databases compare it alike."""

    impl = DateTime
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        """On SQLite, the stored text in one step (the answer path binds many timestamps).

        SQLAlchemy would chain ``process_bind_param`` with SQLite's DATETIME formatting
        (a ``%``-format of eight fields); ``isoformat`` writes the same text
        (``YYYY-MM-DD HH:MM:SS.ffffff``) in C.
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            return self._naive_utc(value).isoformat(" ", "microseconds")

        return process

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Check that ``value`` is aware and store it as naive UTC."""
        return None if value is None else self._naive_utc(value)

    @staticmethod
    def _naive_utc(value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not accepted; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The stored naive UTC time as an aware datetime."""
        return None if value is None else value.replace(tzinfo=UTC)


# An auto-incrementing surrogate key: BIGINT on PostgreSQL, INTEGER (rowid) on SQLite.
AutoId = BigInteger().with_variant(Integer(), "sqlite")

IdPK = Annotated[int, mapped_column(AutoId, primary_key=True, autoincrement=True)]
Snowflake = Annotated[int, mapped_column(BigInteger)]

"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:  # the clock's and the database's own: nothing to convert
        return value.replace(tzinfo=None)
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not accepted; pass an aware UTC datetime")
    return value.astimezone(UTC).replace(tzinfo=None)


# A batch of answers binds each click's moment a dozen times (its answer, activity, ledger
# and board rows...), so SQLite's text of the UTC moments bound last is kept: a lookup
# costs a twentieth of writing it again. Only for UTC: two equal moments of one other
# zone can still be different instants (a repeated hour's fold).
@functools.lru_cache(maxsize=4096)
def _utc_text(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


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
            if value.tzinfo is UTC:
                return _utc_text(value)
            return _naive_utc(value).isoformat(" ", "microseconds")

        return process

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Check that ``value`` is aware and store it as naive UTC."""
        return None if value is None else _naive_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The stored naive UTC time as an aware datetime."""
        return None if value is None else value.replace(tzinfo=UTC)


# An auto-incrementing surrogate key: BIGINT on PostgreSQL, INTEGER (rowid) on SQLite.
AutoId = BigInteger().with_variant(Integer(), "sqlite")

IdPK = Annotated[int, mapped_column(AutoId, primary_key=True, autoincrement=True)]
Snowflake = Annotated[int, mapped_column(BigInteger)]

"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored as naive UTC so both databases compare it alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Check that ``value`` is aware and store it as naive UTC."""
        if value is None:
            return None
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

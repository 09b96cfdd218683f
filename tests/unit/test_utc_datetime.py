"""``UTCDateTime``: aware datetimes stored as naive UTC, the same text SQLite always had."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.types import DateTime

from bot.db.engine import Database
from bot.db.models import Activity
from bot.db.types import UTCDateTime
from bot.services.users import ensure_users

PLUS_FIVE = timezone(timedelta(hours=5))
MOMENTS = [
    datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
    datetime(2026, 3, 1, 17, 30, 0, 7, tzinfo=PLUS_FIVE),
    datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
]


def test_sqlite_text_is_what_sqlalchemys_datetime_writes() -> None:
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    for moment in MOMENTS:
        assert ours(moment) == theirs(moment.astimezone(UTC).replace(tzinfo=None))
    assert ours(None) is None


def test_a_repeated_local_hour_binds_as_the_two_instants_it_names() -> None:
    # 01:30 on 2026-11-01 happens twice in New York: the two datetimes compare equal, so
    # a conversion kept by value would give the second one the first one's instant.
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    second = first.replace(fold=1)
    assert first == second
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        assert process is not None
        bound = [str(process(moment)) for moment in (first, second, first.astimezone(UTC))]
        # SQLite gets the stored text, PostgreSQL a naive datetime (str() has no fraction).
        fraction = ".000000" if dialect.name == "sqlite" else ""
        assert bound == [f"2026-11-01 {hour}:30:00{fraction}" for hour in ("05", "06", "05")]


async def test_moments_come_back_equal_and_compare_in_order(db: Database) -> None:
    async with db.transaction() as session:
        await ensure_users(session, [1], MOMENTS[0])
        await session.execute(
            insert(Activity),
            [
                {"user_id": 1, "kind": "study", "occurred_at": m, "local_day": date(2026, 3, 1)}
                for m in MOMENTS
            ],
        )
    async with db.read() as session:
        stored = list(
            await session.scalars(select(Activity.occurred_at).order_by(Activity.occurred_at))
        )
        later = list(
            await session.scalars(
                select(Activity.occurred_at).where(Activity.occurred_at > MOMENTS[0])
            )
        )
        if db.dialect == "sqlite":
            raw = await session.scalar(text("SELECT min(occurred_at) FROM activity"))
            assert raw == "2026-03-01 12:30:00.000000"
    assert stored == sorted(MOMENTS)
    assert all(m.tzinfo is UTC for m in stored)
    assert sorted(later) == [MOMENTS[1], MOMENTS[2]]  # 12:30:00.000007 UTC is later


async def test_a_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetimes are not accepted"):
        async with db.transaction() as session:
            await ensure_users(session, [1], datetime(2026, 3, 1, 12, 30))  # noqa: DTZ001

"""``insert_rows``: many rows in one statement, whose text does not depend on how many."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError

from bot.db.engine import Database
from bot.db.models import Activity, BoardTotal, Guild, PointsEntry
from bot.db.sqlite_rows import THREAD_ROWS, CompiledRows, execute_rows
from bot.db.upsert import DialectInsert, insert_for, insert_rows
from bot.services.points import open_season
from bot.services.users import ensure_guilds, ensure_users
from tests.unit.test_sqlite_driver import counted_trips

NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def _activity(user_id: int, note: str | None) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "guild_id": None,
        "kind": "study",
        "occurred_at": NOW,
        "local_day": date(2026, 3, 1),
        "minutes": 25,
        "skill": None,
        "note": note,
        "ref": None,
    }


def _returning_keys(statement: DialectInsert) -> Any:
    table = PointsEntry.__table__.c
    return statement.on_conflict_do_nothing().returning(table.user_id, table.ref)


async def test_rows_go_in_with_their_values_and_nulls_and_the_text_is_the_same_for_any_count(
    db: Database,
) -> None:
    texts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO activity"):
            texts.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    async with db.transaction() as session:
        await ensure_users(session, [1, 2, 3], NOW)
        await insert_rows(session, "test-activity", Activity.__table__, [_activity(1, "a")])
        await insert_rows(
            session,
            "test-activity",
            Activity.__table__,
            [_activity(2, None), _activity(3, "c"), _activity(1, "d")],
        )
    async with db.read() as session:
        stored = (
            await session.execute(
                select(
                    Activity.user_id, Activity.note, Activity.occurred_at, Activity.minutes
                ).order_by(Activity.id)
            )
        ).all()
    assert sorted((u, n) for u, n, _, _ in stored) == [(1, "a"), (1, "d"), (2, None), (3, "c")]
    assert {(at, minutes) for _, _, at, minutes in stored} == {(NOW, 25)}
    # One statement per call, one text for 1 row and for 3 (SQLite: one executemany).
    assert len(texts) == 2 and texts[0] == texts[1]


async def test_conflicting_rows_are_skipped_and_returning_names_the_ones_added(
    db: Database,
) -> None:
    async with db.transaction() as session:
        await ensure_users(session, [1, 2], NOW)
        await ensure_guilds(session, [7], NOW)
        season = await open_season(session, 7, NOW)
    rows = [
        {
            "guild_id": 7,
            "user_id": user,
            "season_id": season,
            "amount": 10,
            "reason": "daily",
            "ref": ref,
            "created_at": NOW,
        }
        for user, ref in ((1, "p1"), (2, "p1"))
    ]
    async with db.transaction() as session:
        first = await insert_rows(
            session, "test-ledger", PointsEntry.__table__, rows[:1], _returning_keys
        )
        assert first == [(1, "p1")]
        again = await insert_rows(
            session, "test-ledger", PointsEntry.__table__, rows, _returning_keys
        )
        assert again == [(2, "p1")]
    async with db.read() as session:
        assert (
            await session.scalar(select(PointsEntry.id).where(PointsEntry.user_id == 1)) is not None
        )
        count = len((await session.execute(select(PointsEntry.id))).all())
    assert count == 2


async def test_values_are_stored_exactly_as_sqlalchemy_stores_them(db: Database) -> None:
    """Rows given to the driver directly (SQLite) match those SQLAlchemy writes itself."""
    async with db.transaction() as session:
        await ensure_users(session, [1, 2], NOW)
        await session.execute(insert_for(session, Activity), [_activity(1, "same")])
        await insert_rows(session, "test-activity", Activity.__table__, [_activity(2, "same")])
        stored = (
            await session.execute(
                text(
                    "SELECT user_id, kind, occurred_at, local_day, minutes, note, skill "
                    "FROM activity ORDER BY user_id"
                )
            )
        ).all()
    assert [tuple(row[1:]) for row in stored] == [tuple(stored[0][1:])] * 2
    assert [row[0] for row in stored] == [1, 2]


async def test_left_out_columns_take_their_default_and_update_clauses_their_values(
    db: Database,
) -> None:
    async with db.transaction() as session:
        await ensure_users(session, [1], NOW)
        await ensure_guilds(session, [7], NOW)
        total = {
            "guild_id": 7,
            "board": "points",
            "period": "all",
            "period_key": "all",
            "user_id": 1,
            "value": 5,
            "reached_at": NOW,
        }
        await insert_rows(session, "test-total", BoardTotal.__table__, [total])
        retimed = [{"id": 7, "timezone": "UTC", "created_at": NOW}]
        await insert_rows(session, "test-guild", Guild.__table__, retimed, _set_timezone)
    async with db.read() as session:
        assert (await session.execute(select(BoardTotal.active, BoardTotal.value))).all() == [
            (True, 5)
        ]
        assert await session.scalar(select(Guild.timezone)) == "Europe/Paris"


def _set_timezone(statement: DialectInsert) -> Any:
    return statement.on_conflict_do_update(index_elements=["id"], set_={"timezone": "Europe/Paris"})


async def test_returning_rows_come_back_from_every_page(sqlite_db: Database) -> None:
    """SQLite: RETURNING over more rows than one statement takes (PostgreSQL sends arrays)."""
    db = sqlite_db
    table = PointsEntry.__table__
    columns = ("guild_id", "user_id", "season_id", "amount", "reason", "ref", "created_at")
    async with db.transaction() as session:
        await ensure_users(session, range(1, 6), NOW)
        await ensure_guilds(session, [7], NOW)
        season = await open_season(session, 7, NOW)
        statement = _returning_keys(sqlite.insert(table))
        compiled = CompiledRows.compile(statement, table, columns, db.engine.dialect)
        compiled.page = 2
        rows = [
            dict(zip(columns, (7, user, season, 10, "daily", "p", NOW), strict=True))
            for user in range(1, 6)
        ]
        returned = await execute_rows(session, compiled, rows)
    assert sorted(returned) == [(user, "p") for user in range(1, 6)]


async def test_a_row_without_a_column_the_others_give_is_refused(db: Database) -> None:
    partial = _activity(2, "short")
    del partial["note"]
    with pytest.raises(StatementError):
        async with db.transaction() as session:
            await ensure_users(session, [1, 2], NOW)
            await insert_rows(
                session, "test-activity", Activity.__table__, [_activity(1, "full"), partial]
            )
    async with db.read() as session:
        assert (await session.execute(select(Activity.id))).all() == []


async def test_many_rows_returning_nothing_leave_the_loop_one_trip_per_page(
    sqlite_db: Database,
) -> None:
    """SQLite, inside ``statements_on_loop``: a long INSERT goes to the driver's thread.

    Written as multi-row statements (one trip per page), with the same result as row by
    row: totals added up across pages, the bucket trigger run for every row. A short
    INSERT stays on the loop.
    """
    db = sqlite_db
    table = BoardTotal.__table__
    users = range(1, THREAD_ROWS + 11)

    def total(user: int, value: int) -> dict[str, Any]:
        return {
            "guild_id": 7,
            "board": "points",
            "period": "all",
            "period_key": "all",
            "user_id": user,
            "value": value,
            "reached_at": NOW,
        }

    async with db.transaction() as session:
        await ensure_users(session, users, NOW)
        await ensure_guilds(session, [7], NOW)
    statement = _add_up(sqlite.insert(table))
    compiled = CompiledRows.compile(statement, table, list(total(1, 1)), db.engine.dialect)
    compiled.page = 25
    rows = [total(user, 2) for user in users] + [total(1, 3)]  # user 1 again, last page
    async with db.transaction(on_loop=True) as session:
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        with counted_trips(driver) as long_trips:
            await execute_rows(session, compiled, rows)
        with counted_trips(driver) as short_trips:
            await execute_rows(session, compiled, rows[:2])
    assert long_trips.count == 3  # 71 rows, 25 per statement
    assert short_trips.count == 0
    async with db.read() as session:
        values = dict((await session.execute(select(BoardTotal.user_id, BoardTotal.value))).all())
        counted = await session.scalar(text("SELECT sum(members) FROM board_buckets"))
    assert values == {1: 7, 2: 4} | {user: 2 for user in users if user > 2}
    assert counted == len(users)


def _add_up(statement: DialectInsert) -> Any:
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "board", "period", "period_key", "user_id"],
        set_={"value": BoardTotal.__table__.c.value + statement.excluded.value},
    )

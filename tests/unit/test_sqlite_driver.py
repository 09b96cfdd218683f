"""The one-trip aiosqlite cursor: same results as SQLAlchemy's, one trip to the thread per statement."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.sqlite_driver import OneTripCursor


@dataclass
class Trips:
    """How many calls went to aiosqlite's thread."""

    count: int = 0


@contextmanager
def counted_trips(connection: Any) -> Iterator[Trips]:
    """Count the trips to the thread of ``connection`` (an aiosqlite connection) while inside."""
    trips = Trips()
    queue = connection._tx
    put = queue.put_nowait

    def counted(item: object) -> None:
        trips.count += 1
        put(item)

    connection._tx = type("Counted", (), {"put_nowait": staticmethod(counted)})()
    try:
        yield trips
    finally:
        connection._tx = queue


async def test_statements_return_what_sqlite_returns_in_one_trip_each(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/one.db")
    try:
        async with db.engine.begin() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            assert isinstance(
                (await conn.get_raw_connection()).dbapi_connection.cursor(), OneTripCursor
            )
            with counted_trips(raw) as trips:
                await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
                inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
                assert inserted.rowcount == 1 and inserted.lastrowid == 1
                many = await conn.execute(
                    text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}]
                )
                assert many.rowcount == 2
                returned = await conn.execute(text("INSERT INTO t (v) VALUES ('d') RETURNING id"))
                assert returned.scalar_one() == 4
                rows = await conn.execute(text("SELECT id, v FROM t ORDER BY id"))
                assert list(rows.keys()) == ["id", "v"]
                assert rows.all() == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
                assert trips.count == 5  # one per statement (SQLAlchemy's cursor: 3 or 4 each)
                with pytest.raises(IntegrityError):
                    await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
    finally:
        await db.close()


async def test_group_commit_statements_run_on_the_loop_thread_begin_and_commit_do_not(
    tmp_path: Path,
) -> None:
    """Inside ``transaction(on_loop=True)`` only BEGIN and COMMIT take the trip to the thread.

    BEGIN may wait on the busy timeout for another process and COMMIT may checkpoint the
    WAL, so they must not hold up the event loop; a plain transaction stays on the thread.
    """
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/threads.db")
    traced: list[tuple[int, str]] = []

    @event.listens_for(db.engine.sync_engine, "connect")
    def _trace(dbapi_connection: Any, _record: Any) -> None:
        sqlite = dbapi_connection._connection  # the aiosqlite connection SQLAlchemy wraps
        dbapi_connection.await_(
            sqlite.set_trace_callback(lambda sql: traced.append((threading.get_ident(), sql)))
        )

    loop_thread = threading.get_ident()
    try:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE t (v TEXT)"))
        for on_loop in (True, False):
            traced.clear()
            async with db.transaction(on_loop=on_loop) as session:
                await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
                assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() >= 1
            where = {sql.split()[0]: thread == loop_thread for thread, sql in traced}
            assert where == {
                "BEGIN": False,
                "INSERT": on_loop,
                "SELECT": on_loop,
                "COMMIT": False,
            }, (on_loop, traced)
    finally:
        await db.close()


async def test_a_task_started_inside_an_on_loop_transaction_keeps_its_own_on_the_thread(
    tmp_path: Path,
) -> None:
    """The switch belongs to the transaction's connection, not to the tasks it starts."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/tasks.db")
    traced: list[tuple[int, str]] = []

    @event.listens_for(db.engine.sync_engine, "connect")
    def _trace(dbapi_connection: Any, _record: Any) -> None:
        sqlite = dbapi_connection._connection
        dbapi_connection.await_(
            sqlite.set_trace_callback(lambda sql: traced.append((threading.get_ident(), sql)))
        )

    async def read_elsewhere() -> None:
        async with db.read() as session:
            await session.execute(text("SELECT 'from the task'"))

    loop_thread = threading.get_ident()
    try:
        async with db.transaction(on_loop=True) as session:
            await session.execute(text("SELECT 'in the batch'"))
            spawned = asyncio.create_task(read_elsewhere())
        await spawned
        threads = {sql: thread == loop_thread for thread, sql in traced if "'" in sql}
        assert threads == {"SELECT 'in the batch'": True, "SELECT 'from the task'": False}
    finally:
        await db.close()


async def test_the_pool_reset_trips_to_the_thread_only_for_an_open_transaction(
    tmp_path: Path,
) -> None:
    """A connection given back after its commit costs no rollback trip; an open one is undone."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/reset.db")
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (v TEXT)"))
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
        with counted_trips(raw) as trips:
            async with db.transaction() as session:  # BEGIN, INSERT, COMMIT; no reset trip
                await session.execute(text("INSERT INTO t VALUES ('kept')"))
            assert trips.count == 3
            async with db.engine.connect() as conn:  # a transaction left open: the reset undoes it
                adapted = await conn.get_raw_connection()
                await adapted.driver_connection.execute("BEGIN")
                await adapted.driver_connection.execute("INSERT INTO t VALUES ('undone')")
        async with db.read() as session:
            assert (await session.execute(text("SELECT v FROM t"))).all() == [("kept",)]
    finally:
        await db.close()

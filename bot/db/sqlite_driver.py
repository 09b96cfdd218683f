"""aiosqlite with one trip to its thread per statement.

SQLAlchemy's aiosqlite adapter awaits aiosqlite's worker thread separately for
``cursor()``, ``execute()``, ``fetchall()`` and ``close()``: three or four trips per
statement, each a queue put, a thread wake-up and an event-loop wake-up. On a busy
machine the trips, not SQLite, set the pace of a transaction of many statements
(a batch of answers runs about thirty). This cursor does the four steps in one
function on that thread, the way SQLAlchemy's own adapter sets ``isolation_level``.
Server-side cursors (``session.stream``) are SQLAlchemy's, unchanged.

Inside :func:`statements_on_loop` (the group commit's short write transactions), the
statements after ``BEGIN IMMEDIATE`` skip the thread altogether and run on the event
loop's thread, yielding to the loop once before each. They never wait for a lock: the
transaction already holds SQLite's write lock, and in WAL mode readers do not block a
writer. ``BEGIN`` (which may wait on the busy timeout for another process), ``COMMIT``
(which may checkpoint the WAL to disk), a long statement sent back with
:func:`on_driver_thread` and every other transaction's statements still go to the
thread: the switch is on that transaction's connection, for that block only (a task
started inside inherits nothing). The trip costs more than most of these
statements: about 50 µs of the event loop's time each way, and at 50 answers in flight
(the whole population in one batch) the loop has nothing to do while it waits
(bench.quiz: +10 % clicks per second).
The sqlite3 connection is opened with ``check_same_thread=False`` for that; it is still
used by one thread at a time, since SQLAlchemy lends a connection to one session and
each statement is finished before the next.

``make_engine`` passes :func:`dbapi` as the engine's DBAPI ``module`` for
``sqlite+aiosqlite`` URLs; nothing else changes (dialect, pool, URL).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """Executes, fetches and closes a statement in one call on the connection's thread."""

    __slots__ = ()

    def _on_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` on the connection's thread, or on this one inside ``statements_on_loop``."""
        connection = self._connection
        if cast("OneTripConnection", self._adapt_connection).statements_on_loop:
            self.await_(asyncio.sleep(0))  # let the loop run what is ready, as a trip would
            return work(connection._conn)

        def run() -> T:
            return work(connection._conn)

        result: T = self.await_(connection._execute(run))  # SQLAlchemy leaves await_ untyped
        return result

    def execute(self, operation: Any, parameters: Any = None) -> None:
        """Run one statement; its rows (if any) are fetched in the same trip."""

        def work(db: sqlite3.Connection) -> tuple[Any, list[Any] | None, Any, int]:
            cursor = db.cursor()
            try:
                if parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                if cursor.description:
                    return cursor.description, cursor.fetchall(), -1, -1
                return None, None, cursor.lastrowid, cursor.rowcount
            finally:
                cursor.close()

        try:
            description, rows, lastrowid, rowcount = self._on_thread(work)
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = description
        self.lastrowid = lastrowid
        self.rowcount = rowcount
        if rows is not None:
            self._rows = deque(rows)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        """Run one statement for every parameter set, in one trip."""

        def work(db: sqlite3.Connection) -> tuple[Any, int]:
            cursor = db.cursor()
            try:
                cursor.executemany(operation, seq_of_parameters)
                return cursor.lastrowid, cursor.rowcount
            finally:
                cursor.close()

        try:
            lastrowid, rowcount = self._on_thread(work)
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = None
        self.lastrowid = lastrowid
        self.rowcount = rowcount


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, handing out :class:`OneTripCursor` cursors."""

    __slots__ = ("statements_on_loop",)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.statements_on_loop = False  # set for one transaction by statements_on_loop

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        """A one-trip cursor; a server-side one (streaming) is SQLAlchemy's."""
        if server_side:
            return super().cursor(server_side=True)
        return OneTripCursor(self)

    def rollback(self) -> None:
        """Roll back, with no trip to the thread when no transaction is open.

        The pool rolls back every connection it takes back (its reset on return), after
        the session has already committed or rolled back: on SQLite a no-op, which cost
        a trip to the thread and back at the end of every transaction and every read.
        """
        if self._connection.in_transaction:
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim, connecting with :class:`OneTripConnection`."""

    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdapt_aiosqlite_connection:
        """Connect as SQLAlchemy does, wrapped in a :class:`OneTripConnection`."""
        kwargs.setdefault("check_same_thread", False)  # see statements_on_loop
        adapted = super().connect(*args, **kwargs)
        if type(adapted) is not AsyncAdapt_aiosqlite_connection:  # the sync fallback
            return adapted
        return OneTripConnection(self, adapted._connection)


@asynccontextmanager
async def statements_on_loop(session: AsyncSession) -> AsyncIterator[None]:
    """Run ``session``'s statements on the event loop's thread until the block ends.

    Its transaction begins first, on the driver's thread (``BEGIN IMMEDIATE`` may wait).
    """
    connection = await session.connection()
    adapted: Any = (await connection.get_raw_connection()).dbapi_connection
    if not isinstance(adapted, OneTripConnection):  # SQLAlchemy's sync fallback
        yield
        return
    adapted.statements_on_loop = True
    try:
        yield
    finally:
        adapted.statements_on_loop = False


@contextmanager
def on_driver_thread(adapted: Any) -> Iterator[None]:
    """Inside ``statements_on_loop``, send this block's statements to the driver's thread.

    For a statement whose SQLite work is long enough to outweigh the trip (see
    ``bot.db.sqlite_rows``). ``adapted`` is the DBAPI connection a SQLAlchemy connection
    holds; anything but a :class:`OneTripConnection` is left alone.
    """
    if not isinstance(adapted, OneTripConnection) or not adapted.statements_on_loop:
        yield
        return
    adapted.statements_on_loop = False
    try:
        yield
    finally:
        adapted.statements_on_loop = True


def dbapi() -> OneTripDBAPI:
    """The DBAPI module to give ``create_async_engine(..., module=...)`` for aiosqlite."""
    return OneTripDBAPI(aiosqlite, sqlite3)

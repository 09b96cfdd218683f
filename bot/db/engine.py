"""Engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import sqlite_driver

if TYPE_CHECKING:
    from bot.config import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
# asyncpg waits 60 s for a server that accepts but never answers; a wrong address should
# fail in seconds. Passing ``connect_args={"timeout": ...}`` overrides it.
POSTGRES_CONNECT_TIMEOUT_S = 10
READ_ONLY = "mentor_read_only"


class NestedTransaction(RuntimeError):
    """A write transaction was opened while the same task already had one open."""


# The task that holds an open write transaction of a Database, if any (see ``transaction``).
# A task started inside a transaction inherits the value but is not that task.
_writing: ContextVar[tuple[Database, asyncio.Task[Any] | None] | None] = ContextVar(
    "mentor_writing", default=None
)


def _prepare_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every transaction.

    BEGIN IMMEDIATE takes the write lock up front, so two concurrent writers queue on
    the busy timeout instead of one failing when it upgrades a read snapshot.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(
    url: str | URL, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> AsyncEngine:
    """Create an async engine configured for the database behind ``url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        if parsed.get_driver_name() == "aiosqlite":
            kwargs.setdefault("module", sqlite_driver.dbapi())
        engine = create_async_engine(parsed, **kwargs)
        _prepare_sqlite(engine, sqlite_busy_timeout_ms)
        return engine
    if parsed.get_driver_name() == "asyncpg":
        kwargs["connect_args"] = {
            "timeout": POSTGRES_CONNECT_TIMEOUT_S,
            **kwargs.get("connect_args", {}),
        }
    return create_async_engine(parsed, pool_pre_ping=True, **kwargs)


class Database:
    """The engine plus a session factory; one per process."""

    def __init__(self, url: str | URL, **engine_kwargs: Any) -> None:
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._readers = async_sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        # PostgreSQL runs each statement of a READ COMMITTED transaction on a snapshot of
        # its own, so reads that need no lock gain nothing from BEGIN/COMMIT but two
        # round trips. (SQLite keeps its read transaction: it is one snapshot, and local.)
        self._lookups = (
            async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
            if self.dialect == "postgresql"
            else self._readers
        )
        # SQLite has one writer at a time. Queueing writers here, in order, is far cheaper
        # than letting them poll the file lock through the busy timeout.
        self._sqlite_writer = asyncio.Lock() if self.dialect == "sqlite" else None

    @classmethod
    def for_settings(cls, settings: Settings) -> Database:
        """The database of ``settings``: its URL, with its SQLite busy timeout."""
        busy_timeout_ms = round(settings.sqlite_busy_timeout_seconds * 1000)
        return cls(settings.database_url, sqlite_busy_timeout_ms=busy_timeout_ms)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self, *, on_loop: bool = False) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        Transactions must not nest: on SQLite the inner one would wait for the outer
        forever (they queue on one writer lock). Opening one inside another in the same
        task raises NestedTransaction, on both databases, before anything is written.

        ``on_loop`` (SQLite only; for short transactions of many small statements, like
        the group commit's) runs the statements after BEGIN on the event loop's thread
        instead of the driver's: see ``bot.db.sqlite_driver``.
        """
        task = asyncio.current_task()
        holder = _writing.get()
        if holder is not None and holder[0] is self and holder[1] is task:
            raise NestedTransaction(
                "a write transaction is already open in this task; pass its session down "
                "instead of opening another (on SQLite the second would wait for ever)"
            )
        token = _writing.set((self, task))
        try:
            if self._sqlite_writer is None:
                async with self.sessions() as session, session.begin():
                    yield session
                return
            async with self._sqlite_writer, self.sessions() as session, session.begin():
                if not on_loop:
                    yield session
                    return
                async with sqlite_driver.statements_on_loop(session):
                    yield session
        finally:
            _writing.reset(token)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only: on SQLite it neither queues behind writers nor blocks them."""
        async with self._readers() as session, session.begin():
            yield session

    @asynccontextmanager
    async def lookup(self) -> AsyncIterator[AsyncSession]:
        """A session for reads whose statements need not share one snapshot.

        On PostgreSQL it is in autocommit (no BEGIN and COMMIT round trips); on SQLite it is
        the same as ``read``.
        """
        async with self._lookups() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Fail fast if the database cannot be reached."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

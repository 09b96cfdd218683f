"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

Every test that asks for ``db`` runs once per backend in ``MENTOR_TEST_BACKENDS``
(default: both). PostgreSQL is never skipped silently. Which server the PostgreSQL half
uses is settled once, after collection, and only if a collected test needs it:

- ``MENTOR_TEST_POSTGRES`` set (CI sets it): that server;
- else, if something accepts a connection on ``MENTOR_TEST_PG_PROBE`` (default
  ``127.0.0.1:5432``): ``postgresql+asyncpg://postgres@<probe>/test``;
- else an embedded PostgreSQL (``pgserver``, from the dev lock) started for the session
  in a temporary directory and deleted at the end.

The chosen server must answer a query within ``PG_CHECK_TIMEOUT_S``; if it does not, the
run stops before the first test with one line saying so.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.content.catalogue import Content, load_content
from bot.db import migrate
from bot.db.engine import Database

PG_PROBE = os.environ.get("MENTOR_TEST_PG_PROBE", "127.0.0.1:5432")
PG_PROBE_TIMEOUT_S = 1.0
PG_CHECK_TIMEOUT_S = 5.0
# Settled by pytest_collection_finish; read by the fixtures below.
POSTGRES_URL = os.environ.get(
    "MENTOR_TEST_POSTGRES", f"postgresql+asyncpg://postgres@{PG_PROBE}/test"
)
BACKENDS = [
    b.strip()
    for b in os.environ.get("MENTOR_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]

_embedded: Any = None  # the pgserver handle, when this session started one


def _answers(address: str, timeout: float) -> bool:
    """Whether something accepts a TCP connection at ``host:port`` within ``timeout``."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except (OSError, ValueError):
        return False
    return True


def _where(url: str) -> str:
    """``host:port`` (or the socket directory) of a PostgreSQL URL, for messages."""
    parsed = make_url(url)
    if parsed.host:
        return f"{parsed.host}:{parsed.port or 5432}"
    return str(parsed.query.get("host", "the default socket"))


def _start_embedded() -> str:
    """Start pgserver's PostgreSQL in a temporary directory; return its SQLAlchemy URL."""
    global _embedded
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
        warnings.simplefilter("ignore")
        import pgserver

    pgdata = tempfile.mkdtemp(prefix="mentor-pg-")
    try:
        # As root, pgserver runs initdb and postgres as its own system user "pgserver".
        _embedded = pgserver.get_server(pgdata, cleanup_mode="delete")
    except Exception as exc:
        raise pytest.UsageError(
            f"No PostgreSQL answered on {PG_PROBE} and the embedded one (pgserver) did not "
            f"start: {exc!r} (log: {pgdata}/log; or set MENTOR_TEST_BACKENDS=sqlite)"
        ) from None
    return _embedded.get_uri().replace("postgresql://", "postgresql+asyncpg://", 1)


async def _check(url: str) -> str:
    """The server's version, if it answers within PG_CHECK_TIMEOUT_S."""
    conn = await asyncpg.connect(_plain_dsn(url), timeout=PG_CHECK_TIMEOUT_S)
    try:
        return await asyncio.wait_for(conn.fetchval("SHOW server_version"), PG_CHECK_TIMEOUT_S)
    finally:
        await conn.close()


def _settle_postgres() -> tuple[str, str]:
    """The URL of the PostgreSQL server this session uses and a line saying which it is.

    Raises UsageError, which pytest prints as one line, if that server is unusable.
    """
    if "MENTOR_TEST_POSTGRES" in os.environ:
        url, source = os.environ["MENTOR_TEST_POSTGRES"], "MENTOR_TEST_POSTGRES"
    elif _answers(PG_PROBE, PG_PROBE_TIMEOUT_S):
        url, source = f"postgresql+asyncpg://postgres@{PG_PROBE}/test", "the local server"
    else:
        url, source = _start_embedded(), "the embedded server"
    where = _where(url)
    hint = "set MENTOR_TEST_POSTGRES to a working server, or MENTOR_TEST_BACKENDS=sqlite"
    try:
        version = asyncio.run(_check(url))
    except TimeoutError:
        raise pytest.UsageError(
            f"PostgreSQL at {where} ({source}) did not answer within {PG_CHECK_TIMEOUT_S:g} s; {hint}"
        ) from None
    except Exception as exc:
        raise pytest.UsageError(
            f"PostgreSQL at {where} ({source}) cannot be used: {type(exc).__name__}: {exc}; {hint}"
        ) from None
    return url, f"PostgreSQL {version} at {where} ({source})"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Settle the PostgreSQL server once, if any collected test runs on it."""
    global POSTGRES_URL
    if session.config.option.collectonly:
        return
    if not any(
        getattr(item, "callspec", None) is not None
        and item.callspec.params.get("backend") == "postgresql"
        for item in session.items
    ):
        return
    POSTGRES_URL, line = _settle_postgres()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    # Child processes (the bot started by a test) see the same server.
    os.environ["MENTOR_TEST_POSTGRES"] = POSTGRES_URL


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop and delete the embedded server, if this session started one."""
    global _embedded
    if _embedded is not None:
        _embedded.cleanup()
        _embedded = None


_content: Content | None = None


def shipped_content() -> Content:
    """The content in data/, loaded once per test session."""
    global _content
    if _content is None:
        _content = load_content()
    return _content


@pytest.fixture
def content() -> Content:
    return shipped_content()


def _plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _fresh_postgres_schema() -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_plain_dsn(POSTGRES_URL), timeout=PG_CHECK_TIMEOUT_S)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema, POSTGRES_URL


async def _drop_postgres_schema(schema: str) -> None:
    conn = await asyncpg.connect(_plain_dsn(POSTGRES_URL), timeout=PG_CHECK_TIMEOUT_S)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


async def open_test_database(backend: str, tmp_path: Path) -> tuple[Database, str | None]:
    """A new empty database for ``backend``; returns it and the PostgreSQL schema to drop."""
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"), None
    schema, url = await _fresh_postgres_schema()
    db = Database(
        url,
        connect_args={"server_settings": {"search_path": schema}, "timeout": PG_CHECK_TIMEOUT_S},
    )
    return db, schema


@pytest.fixture
async def empty_db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database (no tables) on the current backend."""
    db, schema = await open_test_database(backend, tmp_path)
    try:
        yield db
    finally:
        await db.close()
        if schema:
            await _drop_postgres_schema(schema)


@pytest.fixture
async def db(empty_db: Database) -> Database:
    """A database migrated to head on the current backend."""
    await migrate.upgrade(empty_db)
    return empty_db

"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

Every test that asks for ``db`` runs once per backend in ``MENTOR_TEST_BACKENDS``
(default: both). PostgreSQL is never skipped silently. Which server the PostgreSQL half
uses is settled once, before collection (so modules that import ``POSTGRES_URL`` see it):

- ``MENTOR_TEST_POSTGRES`` set (CI sets it): that server;
- else, if something accepts a connection on ``MENTOR_TEST_PG_PROBE`` (default
  ``127.0.0.1:5432``): ``postgresql+asyncpg://postgres@<probe>/test``;
- else an embedded PostgreSQL, pgserver's binaries (from the dev lock), on 127.0.0.1 at a
  free port, in a temporary directory deleted at the end of the session.

The chosen server must answer a query within ``PG_CHECK_TIMEOUT_S``; if it does not, the
run stops before the first test with one line saying so.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import socket
import stat
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import asyncpg
import pytest
from alembic import command
from sqlalchemy.engine import Connection, make_url

from bot.content.catalogue import Content
from bot.db import migrate
from bot.db.engine import Database
from bot.db.models import Base
from sandbox.harness import shipped_content

PG_PROBE = os.environ.get("MENTOR_TEST_PG_PROBE", "127.0.0.1:5432")
PG_PROBE_TIMEOUT_S = 1.0
PG_CHECK_TIMEOUT_S = 5.0
# Settled by pytest_configure, before any test module is imported.
POSTGRES_URL = os.environ.get(
    "MENTOR_TEST_POSTGRES", f"postgresql+asyncpg://postgres@{PG_PROBE}/test"
)
BACKENDS = [
    b.strip()
    for b in os.environ.get("MENTOR_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]


def _answers(address: str, timeout: float) -> bool:
    """Whether something accepts a TCP connection at ``host:port`` within ``timeout``."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except (OSError, ValueError):
        return False
    return True


def _where(url: str) -> str:
    """``host:port`` of a PostgreSQL URL, for messages."""
    parsed = make_url(url)
    return f"{parsed.host or parsed.query.get('host', 'localhost')}:{parsed.port or 5432}"


def _pgserver() -> ModuleType:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
        warnings.simplefilter("ignore")
        import pgserver
    return pgserver


class EmbeddedPostgres:
    """PostgreSQL 16 from pgserver's binaries, for one test session.

    pgserver's own ``get_server`` listens on a Unix socket only; this runs the same binaries
    on 127.0.0.1 at a free port, so its URL has the same shape as any other server's. initdb
    refuses to run as root, so as root (as pgserver does) it runs as the system user
    ``pgserver``, created if missing, with read access to the binaries.
    """

    def __init__(self) -> None:
        self._pg = _pgserver()
        self.pgdata = Path(tempfile.mkdtemp(prefix="mentor-pg-"))
        self.port = 0
        self.user: str | None = None
        self.running = False

    def start(self) -> str:
        """initdb, start, create database ``test``; return its SQLAlchemy URL."""
        from pgserver import utils
        from pgserver._commands import POSTGRES_BIN_PATH as bin_path

        if os.geteuid() == 0:
            self.user = "pgserver"
            entry = utils.ensure_user_exists(self.user)
            for path in (self.pgdata, bin_path):
                utils.ensure_prefix_permissions(path)
            read, run = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
            utils.ensure_folder_permissions(bin_path, read | run)
            utils.ensure_folder_permissions(bin_path.parent / "lib", read)
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        self._pg.initdb(
            ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"],
            pgdata=self.pgdata,
            user=self.user,
        )
        self.port = utils.find_suitable_port("127.0.0.1")
        # TCP only (-k "": no Unix socket, whose path length would depend on TMPDIR).
        options = f'-h 127.0.0.1 -p {self.port} -k ""'
        log = str(self.pgdata / "log")
        atexit.register(self.stop)
        self.running = True
        self._pg.pg_ctl(
            ["-w", "-o", options, "-l", log, "start"],
            pgdata=self.pgdata,
            user=self.user,
            timeout=60,
        )
        asyncio.run(self._create_database("test"))
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/test"

    async def _create_database(self, name: str) -> None:
        dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        conn = await asyncpg.connect(dsn, timeout=PG_CHECK_TIMEOUT_S)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if self.running:
            self.running = False
            with contextlib.suppress(Exception):  # already gone: nothing left to stop
                self._pg.pg_ctl(
                    ["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.user, timeout=60
                )
        shutil.rmtree(self.pgdata, ignore_errors=True)


_embedded: EmbeddedPostgres | None = None


def _start_embedded() -> str:
    global _embedded
    _embedded = EmbeddedPostgres()
    try:
        return _embedded.start()
    except Exception as exc:
        log = _embedded.pgdata / "log"
        detail = log.read_text().strip().splitlines()[-1:] if log.exists() else []
        _embedded.stop()
        raise pytest.UsageError(
            f"No PostgreSQL answered on {PG_PROBE} and the embedded one did not start: "
            f"{type(exc).__name__}: {exc} {' '.join(detail)} "
            "(set MENTOR_TEST_POSTGRES, or MENTOR_TEST_BACKENDS=sqlite)"
        ) from None


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
        url, source = _start_embedded(), "embedded, for this run"
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
    return url, f"PostgreSQL {version.split()[0]} at {where} ({source})"


_postgres_line = ""


def pytest_configure(config: pytest.Config) -> None:
    """Settle the PostgreSQL server once, unless the run only lists or explains."""
    global POSTGRES_URL, _postgres_line
    if "postgresql" not in BACKENDS or any(
        config.getoption(name, default=False) for name in ("collectonly", "help", "version")
    ):
        return
    POSTGRES_URL, _postgres_line = _settle_postgres()
    # Child processes (bots started by a test) and late readers see the same server.
    os.environ["MENTOR_TEST_POSTGRES"] = POSTGRES_URL


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if _postgres_line and reporter is not None:
        reporter.write_line(_postgres_line)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop and delete the embedded server, if this session started one."""
    if _embedded is not None:
        _embedded.stop()


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


async def create_at_head(db: Database) -> None:
    """The head schema from the models, stamped at the head revision.

    Equal to running every migration (tests/unit/test_migrations.py proves the models and
    the migrations agree, and runs the migrations themselves), at a fraction of the cost:
    most tests need an empty database at head, and replaying 16 revisions (SQLite's batch
    table copies among them) for each was most of the suite's time.
    """

    def build(connection: Connection) -> None:
        Base.metadata.create_all(connection)
        config = migrate.alembic_config()
        config.attributes["connection"] = connection
        command.stamp(config, "head")

    async with db.engine.begin() as connection:
        await connection.run_sync(build)


@pytest.fixture
async def db(empty_db: Database) -> Database:
    """An empty database at the newest schema on the current backend."""
    await create_at_head(empty_db)
    return empty_db


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """An empty SQLite database at the newest schema, for what only SQLite does."""
    db, _ = await open_test_database("sqlite", tmp_path)
    try:
        await create_at_head(db)
        yield db
    finally:
        await db.close()


@pytest.fixture
async def postgres_db(tmp_path: Path) -> AsyncIterator[Database]:
    """An empty PostgreSQL schema at the newest schema, for what only PostgreSQL does.

    Skipped only where this run does not test PostgreSQL (``MENTOR_TEST_BACKENDS``).
    """
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is not among this run's backends")
    db, schema = await open_test_database("postgresql", tmp_path)
    try:
        await create_at_head(db)
        yield db
    finally:
        await db.close()
        if schema:
            await _drop_postgres_schema(schema)

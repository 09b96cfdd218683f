"""Run Alembic migrations programmatically, on the bot's own engine."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.config import PROJECT_ROOT
from bot.db.engine import Database


def alembic_config() -> Config:
    """The Alembic configuration of this project."""
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def head_revision() -> str:
    """The newest revision in ``migrations/versions``."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/versions has no revision"
    return head


# Any constant works; processes that migrate the same database must agree on it.
MIGRATION_LOCK_KEY = 0x6D656E746F72  # "mentor"


async def _run(db: Database, action: str, revision: str) -> None:
    """Run an Alembic command in one transaction.

    On PostgreSQL the transaction first takes an advisory lock, so processes that start
    together on an empty database migrate one after the other: the first creates the
    schema, the others wait, then find it at head and do nothing. (SQLite's
    BEGIN IMMEDIATE already serialises them.)
    """

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

    async with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(run)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (head by default)."""
    await _run(db, "upgrade", revision)


async def downgrade(db: Database, revision: str) -> None:
    """Downgrade the schema to ``revision`` (``base`` drops everything)."""
    await _run(db, "downgrade", revision)


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as connection:
        return await connection.run_sync(read)

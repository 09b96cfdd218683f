"""Run Alembic migrations programmatically, on the bot's own engine."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
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


async def _run(db: Database, action: str, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

    async with db.engine.begin() as connection:
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

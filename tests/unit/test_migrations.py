"""Migrations go from empty to head and back to base, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db import migrate
from bot.db.engine import Database
from bot.db.models import Base


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_upgrade_to_head_then_downgrade_to_base(empty_db: Database) -> None:
    await migrate.upgrade(empty_db)
    assert await migrate.current_revision(empty_db) == migrate.head_revision()
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set(Base.metadata.tables)

    await migrate.downgrade(empty_db, "base")
    assert await migrate.current_revision(empty_db) is None
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set()


async def test_models_and_migrations_agree(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []

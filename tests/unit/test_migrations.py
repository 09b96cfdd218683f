"""Migrations go from empty to head and back to base, and match the models exactly."""

from __future__ import annotations

from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.db import migrate
from bot.db.engine import Database
from bot.db.models import Base

NOW = datetime(2026, 11, 21, 12, 0)  # noqa: DTZ001  # raw SQL below: the columns hold naive UTC


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


# Alembic cannot compare expression indexes (``value DESC``); they are checked by name instead.
EXPRESSION_INDEXES = {"ix_board_totals_rank"}


def _skip_expression_indexes(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


async def test_models_and_migrations_agree(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _skip_expression_indexes}
        )
        return compare_metadata(context, Base.metadata)

    def index_names(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {
            index["name"]
            for table in inspector.get_table_names()
            for index in inspector.get_indexes(table)
        }

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
        assert await conn.run_sync(index_names) >= EXPRESSION_INDEXES


async def test_board_buckets_are_filled_from_existing_totals_and_kept_after(
    empty_db: Database,
) -> None:
    await migrate.upgrade(empty_db, "0016_deletion_keeps_moderation")
    totals = "INSERT INTO board_totals VALUES (1, 'points', 'all', 'all', :u, :v, :t, :a)"
    async with empty_db.transaction() as session:
        await session.execute(
            text("INSERT INTO guilds (id, timezone, created_at) VALUES (1, 'UTC', :t)"), {"t": NOW}
        )
        for user_id, value, active in (
            (1, 5, True),
            (2, 5, True),
            (3, 700, True),
            (4, 9, False),
            (5, 0, True),
        ):
            await session.execute(
                text("INSERT INTO users (id, created_at) VALUES (:u, :t)"), {"u": user_id, "t": NOW}
            )
            await session.execute(text(totals), {"u": user_id, "v": value, "t": NOW, "a": active})
    await migrate.upgrade(empty_db)
    query = text("SELECT bucket, members FROM board_buckets WHERE members != 0 ORDER BY bucket")
    async with empty_db.read() as session:
        assert (await session.execute(query)).all() == [(5, 2), (672, 1)]  # 700 is in [672, 704)
    async with empty_db.transaction() as session:
        await session.execute(
            text("UPDATE board_totals SET active = :a WHERE user_id = 4"), {"a": True}
        )
    async with empty_db.read() as session:
        assert (await session.execute(query)).all() == [(5, 2), (9, 1), (672, 1)]

"""``in_list``: the rows whose column is in a list given at execution, one text for any length."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from bot.db.engine import Database
from bot.db.in_list import in_list
from bot.db.models import User
from bot.services.users import ensure_users

NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
_user = User.__table__.c
_by_ids = select(_user.id).where(in_list(_user.id, "ids")).order_by(_user.id)


async def test_it_finds_the_listed_rows_for_any_length_including_none(db: Database) -> None:
    async with db.transaction() as session:
        await ensure_users(session, range(1, 11), NOW)
    async with db.read() as session:
        found = {
            length: list(await session.scalars(_by_ids, {"ids": [*range(1, length + 1), 99]}))
            for length in (0, 1, 3, 10)
        }
        nothing = list(await session.scalars(_by_ids, {"ids": []}))
    assert found == {length: list(range(1, length + 1)) for length in (0, 1, 3, 10)}
    assert nothing == []


async def test_postgresql_runs_one_statement_text_whatever_the_length(db: Database) -> None:
    texts: set[str] = set()

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("SELECT users.id"):
            texts.add(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    async with db.read() as session:
        for length in (1, 2, 7):
            await session.scalars(_by_ids, {"ids": list(range(length))})
    # SQLite expands the list into one placeholder per value; PostgreSQL binds one array.
    assert len(texts) == (1 if db.dialect == "postgresql" else 3)


def test_the_cache_key_tells_lists_of_other_columns_and_names_apart() -> None:
    def key(column: Any, name: str) -> Any:
        return select(_user.id).where(in_list(column, name))._generate_cache_key()

    assert key(_user.id, "ids") == key(_user.id, "ids")
    assert key(_user.id, "ids") != key(_user.id, "others")
    assert key(_user.id, "ids") != key(_user.streak_best, "ids")

"""Portable INSERT ... ON CONFLICT for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def insert_for(session: AsyncSession, model: type[DeclarativeBase]) -> Any:
    """An INSERT for ``model`` in the session's dialect, so ON CONFLICT clauses are available."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


async def insert_ignore(session: AsyncSession, model: type[DeclarativeBase], **values: Any) -> bool:
    """Insert a row unless it would break a unique constraint; True when a row was added."""
    statement = insert_for(session, model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)


async def insert_many_ignore(
    session: AsyncSession, model: type[DeclarativeBase], rows: list[dict[str, Any]]
) -> None:
    """Insert several rows in one statement, skipping those that break a unique constraint."""
    if rows:
        await session.execute(insert_for(session, model).values(rows).on_conflict_do_nothing())


async def upsert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    keys: Sequence[str],
    values: dict[str, Any],
    update: dict[str, Any],
) -> None:
    """Insert ``values``, or on a conflict over ``keys`` apply ``update`` to the existing row.

    ``update`` values may refer to the proposed row as ``excluded(model_column_name)``.
    """
    statement = insert_for(session, model).values(**values)
    statement = statement.on_conflict_do_update(index_elements=list(keys), set_=update)
    await session.execute(statement)


async def upsert_many(
    session: AsyncSession,
    model: type[DeclarativeBase],
    keys: Sequence[str],
    rows: list[dict[str, Any]],
    update: dict[str, Any],
) -> None:
    """``upsert`` for several rows in one statement (the same ``update`` for each)."""
    statement = insert_for(session, model).values(rows)
    statement = statement.on_conflict_do_update(index_elements=list(keys), set_=update)
    await session.execute(statement)

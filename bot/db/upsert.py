"""Portable INSERT ... ON CONFLICT for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine

from bot.db.changes import changed_rows
from bot.db.models.base import Base
from bot.db.sqlite_rows import CompiledRows, execute_rows

# An INSERT with ON CONFLICT clauses: SQLite's or PostgreSQL's (they share that part).
DialectInsert = sqlite.Insert | postgresql.Insert
Statement = TypeVar("Statement", bound=ClauseElement)


def session_dialect(session: AsyncSession) -> str:
    """The name of the session's database dialect ("sqlite" or "postgresql")."""
    return session.bind.dialect.name if session.bind else "sqlite"


def insert_for(session: AsyncSession, model: type[Base]) -> DialectInsert:
    """An INSERT for ``model`` in the session's dialect, so ON CONFLICT clauses are available.

    ORM-enabled (``returning(model)`` gives objects), unlike ``dialect_insert``'s.
    """
    dialect = session_dialect(session)
    return postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)


async def insert_ignore(session: AsyncSession, model: type[Base], **values: Any) -> bool:
    """Insert a row unless it would break a unique constraint; True when a row was added."""
    statement = insert_for(session, model).values(**values).on_conflict_do_nothing()
    changed = await changed_rows(session, statement)
    return bool(changed)


async def insert_many_ignore(
    session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]
) -> None:
    """Insert several rows (all with the same keys), skipping those that break a unique constraint."""
    if rows:
        await insert_rows(
            session,
            f"insert-ignore:{model.__tablename__}",
            model.__table__,
            rows,
            lambda statement: statement.on_conflict_do_nothing(),
        )


async def upsert(
    session: AsyncSession,
    model: type[Base],
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


_built: dict[tuple[str, str], Any] = {}  # each entry is what its ``build`` returned


def built_once(session: AsyncSession, name: str, build: Callable[[str], Statement]) -> Statement:
    """The statement ``name`` for the session's dialect, built by ``build(dialect)`` once.

    Dialect INSERTs with ON CONFLICT are not covered by SQLAlchemy's compiled cache
    (``inherit_cache = False``: it would compile them on every execution), so the
    batched writer builds each one once, gives it a cache key, and executes it with
    its rows (``insert_rows``: arrays on PostgreSQL, parameter sets on SQLite).
    """
    dialect = session_dialect(session)
    key = (dialect, name)
    statement: Statement | None = _built.get(key)
    if statement is None:
        statement = _built[key] = build(dialect)
        # The object is built once and never changed, and every value it takes comes in
        # as an execution parameter, so a constant key lets SQLAlchemy's compiled cache
        # keep its compiled form (the cache key also covers the dialect and the
        # parameter names).
        cache_key = CacheKey(("bot.db.upsert.built_once", name), [])
        # Replacing the method on this one instance is the point: [method-assign] is expected.
        statement._generate_cache_key = lambda: cache_key  # type: ignore[method-assign]
    return statement


def dialect_insert(dialect: str, table: Table) -> DialectInsert:
    """An INSERT for ``table`` (a Table) in ``dialect``, so ON CONFLICT clauses are available."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def rows_insert(dialect: str, table: Table, columns: Sequence[str]) -> DialectInsert:
    """An INSERT of rows with ``columns`` into ``table``, to run with ``insert_rows``.

    PostgreSQL takes the rows as one array per column, unnested (``INSERT … SELECT *
    FROM unnest($1, $2, …)``): one statement text whatever the number of rows, so it is
    parsed and planned once per connection, where multi-row VALUES make a new text for
    every batch size and overflow the driver's cache of prepared statements. SQLite
    takes the rows as parameter sets.
    """
    if dialect != "postgresql":
        return sqlite.insert(table)
    arrays = unnested("rows", {c: table.c[c].type for c in columns})
    return postgresql.insert(table).from_select(list(columns), select(*arrays.c))


def unnested(name: str, columns: Mapping[str, TypeEngine[Any]]) -> TableValuedAlias:
    """PostgreSQL: ``unnest(:name_<column>, …) AS name(<column>, …)``, one array per column.

    Each array parameter is ``<name>_<column>``, of an ARRAY of the column's type.
    """
    arrays = (bindparam(f"{name}_{c}", type_=postgresql.ARRAY(kind)) for c, kind in columns.items())
    return func.unnest(*arrays).table_valued(*columns).render_derived(name=name)


async def insert_rows(
    session: AsyncSession,
    name: str,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    finish: Callable[[DialectInsert], Any] = lambda statement: statement,
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (each with the same keys) into ``table``; the RETURNING rows, if any.

    ``finish`` adds what the statement needs beyond the rows (ON CONFLICT, RETURNING) to
    the INSERT that ``rows_insert`` builds; the result is built once per ``name``, dialect
    and set of columns. RETURNING gives back rows in no particular order. PostgreSQL takes
    one array per column; SQLite the rows as tuples, compiled once (``bot.db.sqlite_rows``).
    """
    columns = tuple(rows[0])
    shape = f"{name}({','.join(columns)})"
    statement = built_once(
        session, shape, lambda dialect: finish(rows_insert(dialect, table, columns))
    )
    if session_dialect(session) == "postgresql":
        try:
            arrays = {f"rows_{c}": [row[c] for row in rows] for c in columns}
        except KeyError as error:  # a row without a column the first one gave
            message = f"a row cannot be bound: {error!r}"
            raise StatementError(message, str(statement), None, error) from error
        result = cast("CursorResult[Any]", await session.execute(statement, arrays))
        return [tuple(row) for row in result] if result.returns_rows else []
    compiled = _compiled_rows.get(shape)
    if compiled is None:
        dialect = session.bind.dialect if session.bind else sqlite.dialect()
        compiled = _compiled_rows[shape] = CompiledRows.compile(statement, table, columns, dialect)
    return await execute_rows(session, compiled, rows)


_compiled_rows: dict[str, CompiledRows] = {}  # SQLite: each insert_rows shape, compiled once

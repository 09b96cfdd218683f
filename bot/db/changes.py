"""How many rows an INSERT, UPDATE or DELETE changed, with the type the ORM session hides."""

from __future__ import annotations

from sqlalchemy import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable


async def changed_rows(session: AsyncSession, statement: Executable) -> int:
    """Execute a data-changing statement in ``session`` and return its row count.

    ``AsyncSession.execute`` is typed to return a plain ``Result``; for INSERT, UPDATE and
    DELETE it returns a ``CursorResult``, which alone carries ``rowcount``.
    """
    result = await session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(statement).__name__} returned rows, not a row count")
    return result.rowcount

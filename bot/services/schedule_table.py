"""A feed's per-guild schedule table: read, replace, delete, and pause when its channel fails.

Shared by every table with one row per guild (keyed by ``guild_id``) and ``paused_reason``,
``paused_at`` and ``pause_notified`` columns: the daily quiz, the weekly challenge and
the recaps. Each feed reads its rows as a plan of its own (``plan``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.changes import changed_rows
from bot.db.engine import Database

RowT = TypeVar("RowT")
PlanT = TypeVar("PlanT", covariant=True)


class ScheduleTable(Generic[RowT, PlanT]):
    """One schedule table: its rows as plans, and pausing a guild's row."""

    def __init__(self, db: Database, model: type[RowT], plan: Callable[[RowT], PlanT]) -> None:
        self._db = db
        self._model: Any = model  # a mapped class: its columns are attributes
        self._plan = plan

    async def get(self, guild_id: int) -> PlanT | None:
        """The guild's schedule, or None if it has none."""
        async with self._db.read() as session:
            row = await session.get(self._model, guild_id)
            return self._plan(row) if row is not None else None

    async def active(self) -> list[PlanT]:
        """Every schedule that is not paused."""
        model = self._model
        async with self._db.read() as session:
            rows = await session.scalars(select(model).where(model.paused_reason.is_(None)))
            return [self._plan(row) for row in rows]

    async def replace(self, session: AsyncSession, row: RowT) -> PlanT:
        """Store ``row`` in place of the guild's schedule (in ``session``); its plan."""
        model = self._model
        await session.execute(delete(model).where(model.guild_id == cast(Any, row).guild_id))
        session.add(row)
        await session.flush()
        return self._plan(row)

    async def delete(self, guild_id: int) -> bool:
        """Delete the guild's schedule (what it posted stays); False if there was none."""
        model = self._model
        async with self._db.transaction() as session:
            return bool(
                await changed_rows(session, delete(model).where(model.guild_id == guild_id))
            )

    async def pause(self, guild_id: int, reason: str, now: datetime) -> None:
        """Stop posting for the guild until its moderators schedule again."""
        model = self._model
        async with self._db.transaction() as session:
            await session.execute(
                update(model)
                .where(model.guild_id == guild_id)
                .values(paused_reason=reason[:200], paused_at=now, pause_notified=False)
            )

    async def told(self, guild_id: int) -> None:
        """The moderators have been told (by DM or in the system channel)."""
        model = self._model
        async with self._db.transaction() as session:
            await session.execute(
                update(model).where(model.guild_id == guild_id).values(pause_notified=True)
            )

    async def take_notice(self, guild_id: int) -> str | None:
        """The pause reason, once, for the next /mod command if nobody was told yet."""
        model = self._model
        async with self._db.transaction() as session:
            result = await session.execute(
                update(model)
                .where(
                    model.guild_id == guild_id,
                    model.paused_reason.is_not(None),
                    model.pause_notified.is_(False),
                )
                .values(pause_notified=True)
                .returning(model.paused_reason)
            )
            return result.scalar_one_or_none()

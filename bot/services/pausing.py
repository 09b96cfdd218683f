"""Pausing a guild's schedule whose channel became unusable, and telling its moderators once.

Shared by every per-guild schedule table with ``paused_reason``, ``paused_at`` and
``pause_notified`` columns (the daily quiz, the weekly challenge).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from bot.db.engine import Database


class Pauses:
    """Pause, mark told, and take the pending notice of one schedule table."""

    def __init__(self, db: Database, model: Any) -> None:
        self._db = db
        self._model = model

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

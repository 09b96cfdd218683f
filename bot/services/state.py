"""Small persistent facts about the deployment (e.g. the last command-sync hash)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import BotState
from bot.db.upsert import upsert


class StateStore:
    """Get and set string values by key in the ``bot_state`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""
        async with self._db.read() as session:
            value = await session.scalar(select(BotState.value).where(BotState.key == key))
        return value

    async def set(self, key: str, value: str) -> None:
        """Insert or replace; safe when two processes set the same key at once."""
        async with self._db.transaction() as session:
            await upsert(session, BotState, ["key"], {"key": key, "value": value}, {"value": value})

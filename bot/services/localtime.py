"""Whose clock a day is counted on: the user's timezone, else the guild's, else UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Guild, User


async def user_timezone(session: AsyncSession, user_id: int, guild_id: int | None) -> str:
    """The user's own timezone, else the guild's, else UTC."""
    own = await session.scalar(select(User.timezone).where(User.id == user_id))
    if own:
        return own
    if guild_id is not None:
        guild_tz = await session.scalar(select(Guild.timezone).where(Guild.id == guild_id))
        if guild_tz:
            return guild_tz
    return "UTC"


def local_day(now: datetime, timezone: str) -> date:
    """The calendar date at ``now`` in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()

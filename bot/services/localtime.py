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
    return own or await guild_or_utc(session, guild_id)


async def guild_or_utc(session: AsyncSession, guild_id: int | None) -> str:
    """The guild's timezone, or UTC outside a guild."""
    if guild_id is None:
        return "UTC"
    return await session.scalar(select(Guild.timezone).where(Guild.id == guild_id)) or "UTC"


def local_day(now: datetime, timezone: str) -> date:
    """The calendar date at ``now`` in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()

"""Whose clock a day is counted on: the user's timezone, else the guild's, else UTC."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.in_list import in_list
from bot.db.models import Guild, User


async def user_timezone(session: AsyncSession, user_id: int, guild_id: int | None) -> str:
    """The user's own timezone, else the guild's, else UTC."""
    own = await session.scalar(select(User.timezone).where(User.id == user_id))
    return own or await guild_or_utc(session, guild_id)


_guild = Guild.__table__.c
# Built once with a list parameter (in_list; Core columns: the answer path reads it per batch).
_guild_timezones = select(_guild.id, _guild.timezone).where(in_list(_guild.id, "guilds"))


async def guild_timezones(session: AsyncSession, guild_ids: Collection[int]) -> dict[int, str]:
    """Each of the guilds' timezones (UTC where none is set), in one read."""
    rows = await session.execute(_guild_timezones, {"guilds": list(guild_ids)})
    return {gid: tz or "UTC" for gid, tz in rows}


async def guild_or_utc(session: AsyncSession, guild_id: int | None) -> str:
    """The guild's timezone, or UTC outside a guild."""
    if guild_id is None:
        return "UTC"
    return (await guild_timezones(session, [guild_id])).get(guild_id, "UTC")


def local_day(now: datetime, timezone: str) -> date:
    """The calendar date at ``now`` in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()

"""The activity log: the source of truth for streaks. Every counted action goes through here."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity, Guild, User


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


async def record_activity(
    session: AsyncSession,
    *,
    user_id: int,
    guild_id: int | None,
    kind: str,
    now: datetime,
    minutes: int = 0,
    skill: str | None = None,
    note: str | None = None,
    ref: str | None = None,
) -> Activity:
    """Log one counted action on the user's local day (the user row must exist)."""
    tz = await user_timezone(session, user_id, guild_id)
    row = Activity(
        user_id=user_id,
        guild_id=guild_id,
        kind=kind,
        occurred_at=now,
        local_day=local_day(now, tz),
        minutes=minutes,
        skill=skill,
        note=note,
        ref=ref,
    )
    session.add(row)
    await session.flush()
    return row

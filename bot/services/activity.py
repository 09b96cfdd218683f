"""The activity log: the source of truth for streaks. Every counted action goes through here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity
from bot.services.localtime import local_day, user_timezone
from bot.services.streaks import on_activity


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
    """Log one counted action on the user's local day and move their cached streak.

    The user row must exist; this runs inside the caller's transaction.
    """
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
    await on_activity(session, user_id, row.local_day, now)
    return row

"""The activity log: the source of truth for streaks. Every counted action goes through here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity, User
from bot.services import achievements
from bot.services.localtime import guild_or_utc, local_day
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
    # FOR NO KEY UPDATE, not FOR UPDATE: the caller's inserts that reference the user (its
    # answer, membership) hold FOR KEY SHARE on this row, which FOR UPDATE would wait on,
    # so two concurrent answers by one member deadlocked on PostgreSQL. NO KEY UPDATE
    # still serialises streak updates.
    user = await session.get(User, user_id, with_for_update={"key_share": True})
    assert user is not None, "record_activity needs the user row (ensure_user first)"
    tz = user.timezone or await guild_or_utc(session, guild_id)
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
    await on_activity(session, user, row.local_day, now)
    await achievements.after(session, user_id=user_id, guild_id=guild_id, now=now)
    return row

"""The activity log: the source of truth for streaks. Every counted action goes through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.in_list import in_list
from bot.db.models import Activity, User
from bot.db.upsert import insert_rows
from bot.services import achievements, localtime
from bot.services.localtime import local_day
from bot.services.streak_engine import StreakState
from bot.services.streaks import on_activities


@dataclass(frozen=True)
class Action:
    """One counted action to log."""

    user_id: int
    guild_id: int | None
    kind: str
    at: datetime
    minutes: int = 0
    skill: str | None = None
    note: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class Logged:
    """The activity row an action became (its id only when it was logged on its own)."""

    id: int | None
    local_day: date
    timezone: str
    """The timezone ``local_day`` is a day of: the member's own, else the guild's, else UTC."""


_insert_activity = insert(Activity.__table__).returning(Activity.__table__.c.id)
_user = User.__table__.c
# Built once with list parameters (in_list; Core columns: no ORM step on the answer path).
_lock_streaks = (
    select(
        _user.id,
        _user.timezone,
        _user.streak_current,
        _user.streak_best,
        _user.streak_freezes,
        _user.streak_progress,
        _user.streak_through,
    )
    .where(in_list(_user.id, "users"))
    .order_by(_user.id)
    # FOR NO KEY UPDATE, not FOR UPDATE: the caller's inserts that reference the user
    # (its answer, membership) hold FOR KEY SHARE on the row, which FOR UPDATE would
    # wait on (two concurrent answers by one member deadlocked on PostgreSQL). NO KEY
    # UPDATE still serialises streak updates.
    .with_for_update(key_share=True)
)


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
) -> Logged:
    """Log one counted action on the user's local day and move their cached streak.

    The user row must exist; this runs inside the caller's transaction.
    """
    action = Action(user_id, guild_id, kind, now, minutes, skill, note, ref)
    return (await record_activities(session, [action]))[0]


async def record_activities(
    session: AsyncSession,
    actions: Sequence[Action],
    guild_timezones: Mapping[int, str] | None = None,
) -> list[Logged]:
    """``record_activity`` for several actions in one go, in order: a handful of statements.

    Each day is the user's local day (their own timezone, else the guild's from
    ``guild_timezones`` or the database, else UTC). The user rows must exist.
    """
    if not actions:
        return []
    users = {
        row.id: row
        for row in await session.execute(
            _lock_streaks, {"users": sorted({a.user_id for a in actions})}
        )
    }
    assert len(users) == len({a.user_id for a in actions}), "record_activity needs the user rows"
    zones = dict(guild_timezones or {})
    unknown = {
        a.guild_id
        for a in actions
        if a.guild_id is not None and a.guild_id not in zones and not users[a.user_id].timezone
    }
    if unknown:
        zones.update(await localtime.guild_timezones(session, unknown))
    timezones = [
        users[a.user_id].timezone
        or (zones.get(a.guild_id, "UTC") if a.guild_id is not None else "UTC")
        for a in actions
    ]
    days = [local_day(a.at, tz) for a, tz in zip(actions, timezones, strict=True)]
    rows = [
        {
            "user_id": a.user_id,
            "guild_id": a.guild_id,
            "kind": a.kind,
            "occurred_at": a.at,
            "local_day": day,
            "minutes": a.minutes,
            "skill": a.skill,
            "note": a.note,
            "ref": a.ref,
        }
        for a, day in zip(actions, days, strict=True)
    ]
    ids: list[int | None]
    if len(rows) == 1:  # one row: its id comes back (study entries are undone by id)
        ids = [await session.scalar(_insert_activity, rows[0])]
    else:  # many: one statement; SQLite cannot return ids in parameter order without a round trip per row
        await insert_rows(session, "activity", Activity.__table__, rows)
        ids = [None] * len(rows)
    states = {
        uid: StreakState(
            current=row.streak_current,
            best=row.streak_best,
            freezes=row.streak_freezes,
            progress=row.streak_progress,
            through=row.streak_through,
        )
        for uid, row in users.items()
    }
    now = max(a.at for a in actions)
    await on_activities(
        session, [(a.user_id, day) for a, day in zip(actions, days, strict=True)], states, now
    )
    await achievements.after_many(
        session, list(dict.fromkeys((a.user_id, a.guild_id) for a in actions)), now
    )
    return [Logged(i, d, tz) for i, d, tz in zip(ids, days, timezones, strict=True)]

"""A member's personal settings: their timezone, with a cooldown that keeps streaks honest.

A change starts a 7-day cooldown; the latest change can be undone for 10 minutes
(without the cooldown), which restores the previous zone, the previous cooldown and
removes the streak days the change bridged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from bot.clock import Clock
from bot.db.engine import Database
from bot.db.models import StreakEvent, TimezoneUndo, User
from bot.db.upsert import insert_ignore
from bot.services.errors import UserError
from bot.services.localtime import local_day, user_timezone
from bot.services.streaks import rebuild_user
from bot.services.timeparse import resolve_timezone
from bot.services.users import ensure_user

TIMEZONE_COOLDOWN = timedelta(days=7)
UNDO_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class TimezoneChange:
    """The outcome of /settings timezone (or of its undo)."""

    timezone: str
    previous: str | None
    local_time: datetime
    next_change_allowed: datetime | None
    changed_at: datetime | None = None
    undo_until: datetime | None = None
    inherited: bool = False  # after an undo: no own zone any more, the server's (or UTC) counts


class ProfileService:
    """Timezone changes: validated, rate-limited, undoable briefly, and neutral for the streak."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def check_timezone_change(self, user_id: int, zone: str) -> None:
        """Refuse now what ``set_timezone`` would refuse (same zone, cooldown); reads only."""
        async with self._db.read() as session:
            row = (
                await session.execute(
                    select(User.timezone, User.timezone_changed_at).where(User.id == user_id)
                )
            ).first()
        if row is not None:
            _refuse(row.timezone, row.timezone_changed_at, zone, self._clock.now())

    async def set_timezone(self, user_id: int, text: str, guild_id: int | None) -> TimezoneChange:
        """Change the member's timezone once per cooldown; never breaks their streak.

        ``text`` is an IANA name or anything ``resolve_timezone`` understands. Moving east
        can skip the rest of a local day; such skipped days are recorded as *bridged*, so
        they neither count nor break the streak.
        """
        zone = resolve_timezone(text)
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            user = await session.get(User, user_id, with_for_update=True)
            assert user is not None
            _refuse(user.timezone, user.timezone_changed_at, zone, now)
            old_zone = await user_timezone(session, user_id, guild_id)
            old_today, new_today = local_day(now, old_zone), local_day(now, zone)
            bridged: list[date] = []
            day = old_today
            while day < new_today:
                if await insert_ignore(
                    session, StreakEvent, user_id=user_id, day=day, kind="bridge", notified=True
                ):
                    bridged.append(day)
                day += timedelta(days=1)
            previous, previous_changed_at = user.timezone, user.timezone_changed_at
            user.timezone = zone
            user.timezone_changed_at = now
            await session.execute(delete(TimezoneUndo).where(TimezoneUndo.user_id == user_id))
            session.add(
                TimezoneUndo(
                    user_id=user_id,
                    previous_timezone=previous,
                    previous_changed_at=previous_changed_at,
                    timezone=zone,
                    changed_at=now,
                    bridged_days=",".join(d.isoformat() for d in bridged),
                )
            )
            await session.flush()
            await rebuild_user(session, user, new_today, now)
        return TimezoneChange(
            zone,
            previous,
            now.astimezone(ZoneInfo(zone)),
            now + TIMEZONE_COOLDOWN,
            changed_at=now,
            undo_until=now + UNDO_WINDOW,
        )

    async def undo_timezone(self, user_id: int, guild_id: int | None) -> TimezoneChange:
        """Put back the timezone (and cooldown) from before the latest change, within 10 minutes."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            user = await session.get(User, user_id, with_for_update=True)
            undo = await session.get(TimezoneUndo, user_id)
            if (
                user is None
                or undo is None
                or user.timezone != undo.timezone
                or user.timezone_changed_at != undo.changed_at
            ):
                raise UserError("There is no timezone change to undo.")
            if now - undo.changed_at > UNDO_WINDOW:
                raise UserError(
                    "A timezone change can only be undone in its first 10 minutes; "
                    "this one is older."
                )
            days = [date.fromisoformat(d) for d in undo.bridged_days.split(",") if d]
            if days:
                await session.execute(
                    delete(StreakEvent).where(
                        StreakEvent.user_id == user_id,
                        StreakEvent.kind == "bridge",
                        StreakEvent.day.in_(days),
                    )
                )
            user.timezone = undo.previous_timezone
            user.timezone_changed_at = undo.previous_changed_at
            await session.delete(undo)
            await session.flush()
            zone = await user_timezone(session, user_id, guild_id)
            await rebuild_user(session, user, local_day(now, zone), now)
            changed = undo.previous_changed_at
        allowed = changed + TIMEZONE_COOLDOWN if changed else None
        return TimezoneChange(
            zone,
            undo.timezone,
            now.astimezone(ZoneInfo(zone)),
            allowed if allowed and allowed > now else None,
            inherited=undo.previous_timezone is None,
        )


def _refuse(current: str | None, changed: datetime | None, zone: str, now: datetime) -> None:
    if current == zone:
        raise UserError(f"Your timezone is already {zone}.")
    if current is not None and changed is not None and now - changed < TIMEZONE_COOLDOWN:
        allowed = changed + TIMEZONE_COOLDOWN
        raise UserError(
            f"You changed your timezone on {changed:%d %b}; you can change it again after "
            f"{allowed:%d %b %H:%M} UTC. (This keeps streaks fair.)"
        )

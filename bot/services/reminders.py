"""Daily study reminders at a member's local time, sent only on days they have not studied.

Delivery goes through the scheduled-post pipeline: a reminder is claimed for a local
date in the outbox, sent (DM, then the channel it was set in), and only then marked
delivered by moving ``last_sent_on`` forward in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.changes import changed_rows
from bot.db.engine import Database
from bot.db.models import Activity, Reminder, User
from bot.delivery.cadence import Cadence
from bot.delivery.outbox import Due
from bot.services.errors import UserError
from bot.services.localtime import user_timezone
from bot.services.streak_engine import StreakState, advance
from bot.services.streaks import state_of
from bot.services.timeparse import format_hhmm, parse_hhmm
from bot.services.users import ensure_user

LATE_AFTER = timedelta(minutes=5)
KIND = "reminder"


@dataclass(frozen=True)
class ReminderInfo:
    """A member's reminder settings."""

    user_id: int
    at: time
    timezone: str
    target: str
    guild_id: int | None
    channel_id: int | None
    enabled: bool
    last_sent_on: date | None

    @classmethod
    def from_row(cls, row: Reminder) -> ReminderInfo:
        """The reminder of a stored row."""
        return cls(
            row.user_id,
            parse_hhmm(row.remind_at),
            row.timezone,
            row.target,
            row.guild_id,
            row.channel_id,
            row.enabled,
            row.last_sent_on,
        )


@dataclass(frozen=True)
class DueReminder:
    """A reminder claimed for today: what to say and where."""

    info: ReminderInfo
    streak: int
    freezes: int
    hours_left: float
    late_by: timedelta | None


class ReminderService:
    """Set, show, switch off and fire reminders."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._with_notice: set[int] | None = None  # users with a pending notice, cached

    async def set(
        self,
        *,
        user_id: int,
        time_text: str,
        target: str,
        guild_id: int | None,
        channel_id: int | None,
    ) -> ReminderInfo:
        """Create or replace the reminder, in the member's timezone (own, else server's, else UTC)."""
        at = parse_hhmm(time_text)
        if target not in ("dm", "here"):
            raise UserError("Choose where: dm or here.")
        if target == "here" and channel_id is None:
            raise UserError("`where: here` only works in a server channel; use `where: dm` here.")
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            tz = await user_timezone(session, user_id, guild_id)
            await session.execute(delete(Reminder).where(Reminder.user_id == user_id))
            row = Reminder(
                user_id=user_id,
                remind_at=format_hhmm(at),
                timezone=tz,
                target=target,
                guild_id=guild_id,
                channel_id=channel_id,
                enabled=True,
                last_sent_on=None,
                notice=None,
                created_at=now,
            )
            local = now.astimezone(ZoneInfo(tz))
            if local.time() >= at:
                row.last_sent_on = local.date()  # set after today's time: start tomorrow
            session.add(row)
            await session.flush()
            return ReminderInfo.from_row(row)

    async def off(self, user_id: int) -> bool:
        """Delete the reminder; False if there was none."""
        async with self._db.transaction() as session:
            changed = await changed_rows(
                session, delete(Reminder).where(Reminder.user_id == user_id)
            )
            return bool(changed)

    async def get(self, user_id: int) -> ReminderInfo | None:
        """The member's reminder, or None if they have none."""
        async with self._db.read() as session:
            row = await session.get(Reminder, user_id)
            return ReminderInfo.from_row(row) if row else None

    async def enabled(self) -> list[ReminderInfo]:
        """Every active reminder, to rebuild the jobs at start."""
        async with self._db.read() as session:
            rows = await session.scalars(select(Reminder).where(Reminder.enabled.is_(True)))
            return [ReminderInfo.from_row(r) for r in rows]

    async def follow_timezone(self, user_id: int, timezone: str) -> ReminderInfo | None:
        """Move the reminder to the member's new timezone (same local time)."""
        async with self._db.transaction() as session:
            row = await session.get(Reminder, user_id)
            if row is None:
                return None
            row.timezone = timezone
            await session.flush()
            return ReminderInfo.from_row(row)

    async def take_notice(self, user_id: int) -> str | None:
        """A message about the reminder to show on the member's next command, once.

        Called after every command, so the users with a pending notice are kept in memory.
        """
        if self._with_notice is None:
            async with self._db.transaction() as session:
                rows = await session.scalars(
                    select(Reminder.user_id).where(Reminder.notice.is_not(None))
                )
                self._with_notice = set(rows)
        if user_id not in self._with_notice:
            return None
        self._with_notice.discard(user_id)
        async with self._db.transaction() as session:
            # RETURNING gives the row after the update (notice already NULL): read it first,
            # then clear it only if it is still the same notice (one reader wins).
            notice = await session.scalar(
                select(Reminder.notice).where(Reminder.user_id == user_id).with_for_update()
            )
            if notice is None:
                return None
            cleared = await changed_rows(
                session,
                update(Reminder)
                .where(Reminder.user_id == user_id, Reminder.notice == notice)
                .values(notice=None),
            )
            return notice if cleared else None

    async def switch_off(self, user_id: int, notice: str) -> None:
        """Disable a reminder that cannot be delivered, leaving a note for the member."""
        if self._with_notice is not None:
            self._with_notice.add(user_id)
        async with self._db.transaction() as session:
            await session.execute(
                update(Reminder)
                .where(Reminder.user_id == user_id)
                .values(enabled=False, notice=notice[:200])
            )

    async def due(self, now: datetime) -> list[Due]:
        """Every enabled reminder whose time has come today and that was not delivered today."""
        dues = []
        for info in await self.enabled():
            occurrence = Cadence(info.at, info.timezone).current(now)
            if occurrence is None or (
                info.last_sent_on is not None and info.last_sent_on >= occurrence.local_date
            ):
                continue
            dues.append(Due(KIND, info.user_id, info.guild_id, info.channel_id, occurrence))
        return dues

    async def prepare(self, user_id: int, today: date) -> DueReminder | None:
        """What today's reminder says; None if it is off or the member has studied today."""
        now = self._clock.now()
        async with self._db.read() as session:
            row = await session.get(Reminder, user_id)
            if row is None or not row.enabled:
                return None
            info = ReminderInfo.from_row(row)
            studied = await session.scalar(
                select(func.count()).where(Activity.user_id == user_id, Activity.local_day == today)
            )
            if studied:
                return None
            user = await session.get(User, user_id)
            assert user is not None
            state: StreakState = state_of(user)
        if state.through is not None and state.through < today - timedelta(days=1):
            state = advance(state, active=set(), bridged=set(), today=today).state
        zone = ZoneInfo(info.timezone)
        midnight = datetime.combine(today + timedelta(days=1), time(), tzinfo=zone)
        late = now - datetime.combine(today, info.at, tzinfo=zone)
        return DueReminder(
            info=info,
            streak=state.current,
            freezes=state.freezes,
            hours_left=(midnight - now).total_seconds() / 3600,
            late_by=late if late > LATE_AFTER else None,
        )

    @staticmethod
    async def delivered(session: AsyncSession, user_id: int, today: date) -> None:
        """Record today's reminder as delivered (inside the delivery's transaction)."""
        await session.execute(
            update(Reminder)
            .where(
                Reminder.user_id == user_id,
                or_(Reminder.last_sent_on.is_(None), Reminder.last_sent_on < today),
            )
            .values(last_sent_on=today)
        )

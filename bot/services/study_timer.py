"""The study timer: pomodoro-style focus sessions that log themselves when they end.

A session lives in ``study_sessions``; its end is a delivery (kind ``study-end``,
subject the session id, occurrence its end time), so it ends on time even across
restarts and exactly once across processes. Ending, whether by the clock or by the
Stop button, is one conditional update plus the study log entry, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.db.changes import changed_rows
from bot.db.engine import Database
from bot.db.models import StudySession
from bot.delivery.cadence import once
from bot.delivery.outbox import Due
from bot.services.errors import UserError
from bot.services.study import DAILY_CAP_MINUTES, StudyService
from bot.services.users import NAME_LIMIT, ensure_user

KIND = "study-end"
DEFAULT_FOCUS = 25
DEFAULT_BREAK = 5
MIN_FOCUS, MAX_FOCUS = 5, 180
MAX_BREAK = 60
PAUSE_LIMIT = timedelta(hours=2)  # a session paused this long ends by itself
NOTICE_WINDOW = timedelta(hours=12)  # how long the end notice may still be sent late
NOTE = "focus session"

RUNNING, PAUSED, ENDED = "running", "paused", "ended"


@dataclass(frozen=True)
class TimerView:
    """A session as the member sees it."""

    id: int
    user_id: int
    guild_id: int | None
    channel_id: int | None
    skill: str | None
    focus_minutes: int
    break_minutes: int
    notify: str
    state: str
    ends_at: datetime
    focused_seconds: int
    logged_minutes: int | None
    outcome: str | None

    @classmethod
    def of(cls, row: StudySession, now: datetime) -> TimerView:
        """The member's view of a stored session at ``now``."""
        return cls(
            row.id,
            row.user_id,
            row.guild_id,
            row.channel_id,
            row.skill,
            row.focus_minutes,
            row.break_minutes,
            row.notify,
            row.state,
            row.ends_at,
            _focused(row, now),
            row.logged_minutes,
            row.outcome,
        )


def _focused(row: StudySession, now: datetime) -> int:
    """Seconds of focus so far (never past the planned length)."""
    seconds = row.elapsed_seconds
    if row.state == RUNNING:
        seconds += int((min(now, row.ends_at) - row.resumed_at).total_seconds())
    return max(0, min(seconds, row.focus_minutes * 60))


class StudyTimerService:
    """Start, pause, resume and stop focus sessions; end them when their time is up."""

    def __init__(self, db: Database, clock: Clock, study: StudyService) -> None:
        self._db = db
        self._clock = clock
        self._study = study

    async def start(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        display_name: str,
        minutes: int = DEFAULT_FOCUS,
        break_minutes: int = DEFAULT_BREAK,
        skill: str | None = None,
        notify: str = "here",
    ) -> TimerView:
        """Start a session; one open session per member (the schema refuses a second)."""
        if not MIN_FOCUS <= minutes <= MAX_FOCUS:
            raise UserError(f"A focus session lasts {MIN_FOCUS} to {MAX_FOCUS} minutes.")
        if not 0 <= break_minutes <= MAX_BREAK:
            raise UserError(f"A break lasts 0 to {MAX_BREAK} minutes.")
        if notify not in ("dm", "here"):
            raise UserError("Choose where the end notice goes: dm or here.")
        if guild_id is None:
            notify, channel_id = "dm", None
        slug = self._study.resolve_skill(skill)
        now = self._clock.now()
        try:
            async with self._db.transaction() as session:
                await ensure_user(session, user_id, now)
                row = StudySession(
                    user_id=user_id,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    display_name=display_name[:NAME_LIMIT] or str(user_id),
                    skill=slug,
                    focus_minutes=minutes,
                    break_minutes=break_minutes,
                    notify=notify,
                    state=RUNNING,
                    started_at=now,
                    resumed_at=now,
                    elapsed_seconds=0,
                    ends_at=now + timedelta(minutes=minutes),
                )
                session.add(row)
                await session.flush()
                return TimerView.of(row, now)
        except IntegrityError:
            raise UserError(
                "You already have a focus session open; stop it (or let it finish) first."
            ) from None

    async def current(self, user_id: int) -> TimerView | None:
        """The member's open session, if any."""
        async with self._db.read() as session:
            row = await session.scalar(
                select(StudySession).where(
                    StudySession.user_id == user_id, StudySession.state != ENDED
                )
            )
            return TimerView.of(row, self._clock.now()) if row else None

    async def _owned(self, session_id: int, user_id: int) -> StudySession:
        async with self._db.read() as session:
            row = await session.get(StudySession, session_id)
        if row is None:
            raise UserError("That focus session no longer exists.")
        if row.user_id != user_id:
            raise UserError(
                "This timer belongs to someone else; start your own with `/study start`."
            )
        return row

    async def _move(self, row: StudySession, **values: object) -> TimerView:
        """Apply ``values`` if nobody changed the session since ``row`` was read."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            changed = await changed_rows(
                session,
                update(StudySession)
                .where(
                    StudySession.id == row.id,
                    StudySession.state == row.state,
                    StudySession.resumed_at == row.resumed_at,
                    StudySession.ends_at == row.ends_at,
                )
                .values(**values),
            )
            if not changed:
                raise UserError("This session just changed; look at it again and retry.")
            fresh = await session.get(StudySession, row.id, populate_existing=True)
            assert fresh is not None
            return TimerView.of(fresh, now)

    async def pause(self, session_id: int, user_id: int) -> TimerView:
        """Pause the member's running session, keeping the focus time so far."""
        row = await self._owned(session_id, user_id)
        now = self._clock.now()
        if row.state != RUNNING or now >= row.ends_at:
            raise UserError("Only a running session can be paused.")
        return await self._move(
            row,
            state=PAUSED,
            elapsed_seconds=_focused(row, now),
            resumed_at=now,
            ends_at=now + PAUSE_LIMIT,
        )

    async def resume(self, session_id: int, user_id: int) -> TimerView:
        """Resume the member's paused session for the focus time it has left."""
        row = await self._owned(session_id, user_id)
        now = self._clock.now()
        if row.state != PAUSED or now >= row.ends_at:
            raise UserError("Only a paused session can be resumed.")
        left = row.focus_minutes * 60 - row.elapsed_seconds
        return await self._move(
            row, state=RUNNING, resumed_at=now, ends_at=now + timedelta(seconds=left)
        )

    async def stop(self, session_id: int, user_id: int) -> TimerView:
        """End the session now, logging the minutes so far (at least one)."""
        row = await self._owned(session_id, user_id)
        if row.state == ENDED:
            raise UserError("This focus session is already over.")
        return await self.finish(session_id, stopped=True)

    async def due(self, now: datetime) -> list[Due]:
        """Every open session whose time is up (planned end, or a pause left too long)."""
        async with self._db.read() as session:
            rows = await session.execute(
                select(
                    StudySession.id,
                    StudySession.guild_id,
                    StudySession.channel_id,
                    StudySession.ends_at,
                ).where(StudySession.state != ENDED, StudySession.ends_at <= now)
            )
            return [
                Due(KIND, sid, guild_id, channel_id, once(ends_at, NOTICE_WINDOW))
                for sid, guild_id, channel_id, ends_at in rows
            ]

    async def finish(self, session_id: int, *, stopped: bool = False) -> TimerView:
        """End the session and log its minutes (capped by the daily limit), exactly once.

        Called again for a session already ended, it returns what was stored then.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await session.get(StudySession, session_id)
            if row is None:
                raise UserError("That focus session no longer exists.")
            if row.state == ENDED:
                return TimerView.of(row, now)
            seconds, was = _focused(row, now), row.state
            claimed = await changed_rows(
                session,
                update(StudySession)
                .where(
                    StudySession.id == row.id,
                    StudySession.state == row.state,
                    StudySession.resumed_at == row.resumed_at,
                )
                .values(state=ENDED, ended_at=now),
            )
            if not claimed:
                fresh = await session.get(StudySession, row.id, populate_existing=True)
                if fresh is not None and fresh.state == ENDED:
                    return TimerView.of(fresh, now)  # ended by the other press or tick
                raise UserError("This session just changed; look at it again and retry.")
            wanted = max(1, seconds // 60)
            room = await self._study.room_today(session, row.user_id, row.guild_id)
            logged = min(wanted, room)
            outcome = "stopped" if stopped else ("done" if was == RUNNING else "abandoned")
            if logged < wanted:
                outcome = f"capped: the daily limit is {DAILY_CAP_MINUTES // 60} hours, so " + (
                    f"{logged} of {wanted} minutes were logged" if logged else "nothing was logged"
                )
            if logged:
                await self._study.log_in(
                    session,
                    user_id=row.user_id,
                    guild_id=row.guild_id,
                    display_name=row.display_name,
                    minutes=logged,
                    skill=row.skill,
                    note=NOTE,
                )
            await session.execute(
                update(StudySession)
                .where(StudySession.id == row.id)
                .values(logged_minutes=logged, outcome=outcome[:300], elapsed_seconds=seconds)
            )
            fresh = await session.get(StudySession, row.id, populate_existing=True)
            assert fresh is not None
            return TimerView.of(fresh, now)

"""The study log: minutes studied, with a daily cap, points and an undo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.db.engine import Database
from bot.db.models import Activity, PointsEntry, User
from bot.services import points
from bot.services.activity import record_activity
from bot.services.errors import UserError
from bot.services.localtime import local_day, user_timezone
from bot.services.streaks import rebuild_user
from bot.services.text import clean_text
from bot.services.users import ensure_member, ensure_user

MIN_MINUTES = 1
MAX_MINUTES = 600
DAILY_CAP_MINUTES = 16 * 60
NOTE_LIMIT = 200
HISTORY_DAYS = 30
HISTORY_LIMIT = 25
EDITABLE_DAYS = 7


@dataclass(frozen=True)
class StudyEntry:
    """A logged study session and what it earned."""

    activity_id: int
    minutes: int
    skill: str | None
    note: str | None
    minutes_today: int
    points: int
    streak: int


@dataclass(frozen=True)
class StudyRecord:
    """One entry of ``/study history``."""

    activity_id: int
    day: date
    occurred_at: datetime
    minutes: int
    skill: str | None
    note: str | None
    editable: bool


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if hours else f"{rest}m"


class StudyService:
    """Log and undo study sessions."""

    def __init__(self, db: Database, clock: Clock, content: Content) -> None:
        self._db = db
        self._clock = clock
        self._content = content

    def _validate(
        self, minutes: int, skill: str | None, note: str | None
    ) -> tuple[str | None, str | None]:
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise UserError(
                f"Minutes must be between {MIN_MINUTES} and {MAX_MINUTES}; you entered {minutes}."
            )
        slug = None
        if skill:
            lookup = self._content.index.resolve(skill)
            if lookup.skill is None:
                hint = f" Did you mean {lookup.suggestions[0].name}?" if lookup.suggestions else ""
                raise UserError(f"“{skill[:40]}” is not a skill in the catalogue.{hint}")
            slug = lookup.skill.slug
        cleaned = " ".join(clean_text(note).split()) if note else None
        if cleaned and len(cleaned) > NOTE_LIMIT:
            raise UserError(
                f"Notes can be at most {NOTE_LIMIT} characters; yours has {len(cleaned)}."
            )
        return slug, cleaned or None

    def resolve_skill(self, skill: str | None) -> str | None:
        """The catalogue slug for ``skill`` (None for none); a clear error for an unknown one."""
        return self._validate(MIN_MINUTES, skill, None)[0]

    async def log(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        display_name: str,
        minutes: int,
        skill: str | None = None,
        note: str | None = None,
    ) -> StudyEntry:
        """Record a study session; refuses totals over 16 hours in one local day."""
        async with self._db.transaction() as session:
            return await self.log_in(
                session,
                user_id=user_id,
                guild_id=guild_id,
                display_name=display_name,
                minutes=minutes,
                skill=skill,
                note=note,
            )

    async def room_today(self, session: AsyncSession, user_id: int, guild_id: int | None) -> int:
        """Minutes the member may still log today under the daily cap (inside ``session``)."""
        now = self._clock.now()
        await ensure_user(session, user_id, now)
        today = local_day(now, await user_timezone(session, user_id, guild_id))
        so_far = await _minutes_on(session, user_id, today)
        return max(DAILY_CAP_MINUTES - so_far, 0)

    async def log_in(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        guild_id: int | None,
        display_name: str,
        minutes: int,
        skill: str | None = None,
        note: str | None = None,
    ) -> StudyEntry:
        """``log`` inside the caller's transaction (the study timer ends a session with it)."""
        slug, cleaned = self._validate(minutes, skill, note)
        now = self._clock.now()
        if guild_id is not None:
            await ensure_member(session, guild_id, user_id, display_name, now)
        else:
            await ensure_user(session, user_id, now)
        today = local_day(now, await user_timezone(session, user_id, guild_id))
        so_far = await _minutes_on(session, user_id, today)
        if so_far + minutes > DAILY_CAP_MINUTES:
            raise UserError(
                f"That would make {_hours(so_far + minutes)} today; the daily limit is "
                f"{DAILY_CAP_MINUTES // 60} hours (you have {_hours(so_far)} logged)."
            )
        logged = await record_activity(
            session,
            user_id=user_id,
            guild_id=guild_id,
            kind="study",
            now=now,
            minutes=minutes,
            skill=slug,
            note=cleaned,
        )
        if logged.id is None:  # record_activity returns the id of the one row it adds
            raise RuntimeError("the new study entry's id did not come back")
        activity_id = logged.id
        earned = 0
        if guild_id is not None:
            earned = minutes // 10 * points.Award.STUDY_PER_10_MIN
            if earned:
                await points.award(
                    session,
                    guild_id=guild_id,
                    user_id=user_id,
                    amount=earned,
                    reason="study",
                    ref=str(activity_id),
                    now=now,
                )
            await points.move_board(
                session,
                guild_id=guild_id,
                user_id=user_id,
                board="study",
                delta=minutes,
                now=now,
            )
        user = await session.get(User, user_id)
        assert user is not None
        return StudyEntry(
            activity_id, minutes, slug, cleaned, so_far + minutes, earned, user.streak_current
        )

    async def undo_last(self, *, user_id: int, guild_id: int | None) -> StudyEntry:
        """Remove the member's last study entry of today, with its points and minutes."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            today = local_day(now, await user_timezone(session, user_id, guild_id))
            row = await session.scalar(
                select(Activity)
                .where(
                    Activity.user_id == user_id,
                    Activity.kind == "study",
                    Activity.local_day == today,
                )
                .order_by(Activity.id.desc())
                .limit(1)
                .with_for_update()
            )
            if row is None:
                raise UserError("You have no study session logged today to undo.")
            user = await self._remove(session, row, today, now)
            left = await _minutes_on(session, user_id, today)
            return StudyEntry(
                row.id, row.minutes, row.skill, row.note, left, 0, user.streak_current
            )

    @staticmethod
    async def _remove(session: AsyncSession, row: Activity, today: date, now: datetime) -> User:
        """Delete a study entry with its points and minutes; the streak is rebuilt."""
        user_id = row.user_id
        if row.guild_id is not None:
            await points.revoke(
                session, guild_id=row.guild_id, user_id=user_id, reason="study", ref=str(row.id)
            )
            await points.move_board(
                session,
                guild_id=row.guild_id,
                user_id=user_id,
                board="study",
                delta=-row.minutes,
                now=row.occurred_at,
            )
        await session.delete(row)
        await session.flush()
        user = await session.get(User, user_id)
        assert user is not None
        await rebuild_user(session, user, today, now)
        return user

    async def history(self, *, user_id: int, guild_id: int | None) -> list[StudyRecord]:
        """The member's study entries of the last 30 local days, newest first (a read: no rows made)."""
        now = self._clock.now()
        async with self._db.read() as session:
            today = local_day(now, await user_timezone(session, user_id, guild_id))
            rows = await session.scalars(
                select(Activity)
                .where(
                    Activity.user_id == user_id,
                    Activity.kind == "study",
                    Activity.local_day > today - timedelta(days=HISTORY_DAYS),
                )
                .order_by(Activity.occurred_at.desc(), Activity.id.desc())
                .limit(HISTORY_LIMIT)
            )
            return [
                StudyRecord(
                    r.id,
                    r.local_day,
                    r.occurred_at,
                    r.minutes,
                    r.skill,
                    r.note,
                    r.local_day > today - timedelta(days=EDITABLE_DAYS),
                )
                for r in rows
            ]

    async def _editable(
        self, session: AsyncSession, user_id: int, activity_id: int, today: date
    ) -> Activity:
        row = await session.scalar(
            select(Activity)
            .where(
                Activity.id == activity_id,
                Activity.user_id == user_id,
                Activity.kind == "study",
            )
            .with_for_update()
        )
        if row is None:
            raise UserError("That study entry is not yours or no longer exists.")
        if row.local_day <= today - timedelta(days=EDITABLE_DAYS):
            raise UserError(
                f"Only entries of the last {EDITABLE_DAYS} days can be changed; this one is "
                f"from {row.local_day:%d %b}."
            )
        return row

    async def edit(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        activity_id: int,
        minutes: int,
        note: str | None,
    ) -> StudyRecord:
        """Change the minutes and note of a recent entry; points and the study board follow."""
        _, cleaned = self._validate(minutes, None, note)
        now = self._clock.now()
        async with self._db.transaction() as session:
            today = local_day(now, await user_timezone(session, user_id, guild_id))
            row = await self._editable(session, user_id, activity_id, today)
            others = await _minutes_on(session, user_id, row.local_day, besides=row.id)
            if others + minutes > DAILY_CAP_MINUTES:
                raise UserError(
                    f"That would make {_hours(others + minutes)} on {row.local_day:%d %b}; the "
                    f"daily limit is {DAILY_CAP_MINUTES // 60} hours."
                )
            delta = minutes - row.minutes
            if row.guild_id is not None and delta:
                await points.move_board(
                    session,
                    guild_id=row.guild_id,
                    user_id=user_id,
                    board="study",
                    delta=delta,
                    now=row.occurred_at,
                )
                await _reprice(session, row, minutes // 10 * points.Award.STUDY_PER_10_MIN)
            row.minutes = minutes
            row.note = cleaned
            await session.flush()
            return StudyRecord(
                row.id, row.local_day, row.occurred_at, minutes, row.skill, cleaned, True
            )

    async def delete(self, *, user_id: int, guild_id: int | None, activity_id: int) -> StudyEntry:
        """Delete a recent entry with its points and minutes."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            today = local_day(now, await user_timezone(session, user_id, guild_id))
            row = await self._editable(session, user_id, activity_id, today)
            user = await self._remove(session, row, today, now)
            left = await _minutes_on(session, user_id, row.local_day)
            return StudyEntry(
                row.id, row.minutes, row.skill, row.note, left, 0, user.streak_current
            )


async def _minutes_on(
    session: AsyncSession, user_id: int, day: date, *, besides: int | None = None
) -> int:
    """The minutes the user logged on their local ``day`` (leaving out entry ``besides``)."""
    query = select(func.coalesce(func.sum(Activity.minutes), 0)).where(
        Activity.user_id == user_id, Activity.local_day == day
    )
    if besides is not None:
        query = query.where(Activity.id != besides)
    return (await session.execute(query)).scalar_one()


async def _reprice(session: AsyncSession, row: Activity, amount: int) -> None:
    """Set the study points of ``row`` to ``amount``, in the periods they were first counted in."""
    assert row.guild_id is not None
    entry = await session.scalar(
        select(PointsEntry).where(
            PointsEntry.guild_id == row.guild_id,
            PointsEntry.user_id == row.user_id,
            PointsEntry.reason == "study",
            PointsEntry.ref == str(row.id),
        )
    )
    if entry is None:
        if amount:
            await points.award(
                session,
                guild_id=row.guild_id,
                user_id=row.user_id,
                amount=amount,
                reason="study",
                ref=str(row.id),
                now=row.occurred_at,
            )
        return
    if amount == 0:
        await points.revoke(
            session, guild_id=row.guild_id, user_id=row.user_id, reason="study", ref=str(row.id)
        )
        return
    old_amount = entry.amount
    await session.execute(
        update(PointsEntry).where(PointsEntry.id == entry.id).values(amount=amount)
    )
    await points.move_board(
        session,
        guild_id=row.guild_id,
        user_id=row.user_id,
        board="points",
        delta=amount - old_amount,
        now=entry.created_at,
        season_id=entry.season_id,
    )

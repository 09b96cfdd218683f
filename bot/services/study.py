"""The study log: minutes studied, with a daily cap, points and an undo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.db.engine import Database
from bot.db.models import Activity, User
from bot.services import points
from bot.services.activity import record_activity
from bot.services.errors import UserError
from bot.services.localtime import local_day, user_timezone
from bot.services.streaks import rebuild_user
from bot.services.users import ensure_member, ensure_user

MIN_MINUTES = 1
MAX_MINUTES = 600
DAILY_CAP_MINUTES = 16 * 60
NOTE_LIMIT = 200


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
        cleaned = " ".join(note.split()) if note else None
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
        so_far = await session.scalar(
            select(func.coalesce(func.sum(Activity.minutes), 0)).where(
                Activity.user_id == user_id, Activity.local_day == today
            )
        )
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
        so_far = await session.scalar(
            select(func.coalesce(func.sum(Activity.minutes), 0)).where(
                Activity.user_id == user_id, Activity.local_day == today
            )
        )
        if so_far + minutes > DAILY_CAP_MINUTES:
            raise UserError(
                f"That would make {_hours(so_far + minutes)} today; the daily limit is "
                f"{DAILY_CAP_MINUTES // 60} hours (you have {_hours(so_far)} logged)."
            )
        row = await record_activity(
            session,
            user_id=user_id,
            guild_id=guild_id,
            kind="study",
            now=now,
            minutes=minutes,
            skill=slug,
            note=cleaned,
        )
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
                    ref=str(row.id),
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
            row.id, minutes, slug, cleaned, so_far + minutes, earned, user.streak_current
        )

    async def undo_last(self, *, user_id: int, guild_id: int | None) -> StudyEntry:
        """Remove the member's last study entry of today, with its points and minutes."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
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
            left = await session.scalar(
                select(func.coalesce(func.sum(Activity.minutes), 0)).where(
                    Activity.user_id == user_id, Activity.local_day == today
                )
            )
            return StudyEntry(
                row.id, row.minutes, row.skill, row.note, left, 0, user.streak_current
            )

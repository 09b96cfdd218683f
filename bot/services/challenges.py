"""Weekly hands-on challenges: per-guild schedules, one post per guild and week, "I did it"."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Challenge
from bot.db.engine import Database
from bot.db.models import ChallengePost, ChallengeSchedule
from bot.delivery.cadence import Cadence
from bot.delivery.outbox import Due
from bot.services.answer_jobs import ChallengeDone
from bot.services.answer_submitter import AnswerSubmitter
from bot.services.errors import UserError
from bot.services.localtime import guild_or_utc
from bot.services.schedule_table import ScheduleTable
from bot.services.timeparse import format_hhmm, parse_hhmm, resolve_timezone
from bot.services.users import ensure_guild

if TYPE_CHECKING:
    from bot.services.answers import AnswerWriter  # answers imports this module

KIND = "challenge"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ChallengeSchedulePlan:
    """A guild's weekly challenge settings, parsed."""

    guild_id: int
    channel_id: int
    weekday: int
    at: time
    timezone: str
    paused_reason: str | None
    updated_by: int | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ChallengeSchedule) -> ChallengeSchedulePlan:
        """The plan of a stored schedule row."""
        return cls(
            row.guild_id,
            row.channel_id,
            row.weekday,
            parse_hhmm(row.post_time),
            row.timezone,
            row.paused_reason,
            row.updated_by,
            row.updated_at,
        )

    @property
    def cadence(self) -> Cadence:
        """When the challenge posts: weekly, on the weekday at the local time."""
        return Cadence(self.at, self.timezone, "week", weekday=self.weekday)


@dataclass(frozen=True)
class PlannedChallenge:
    """A weekly challenge post made for a guild's channel, before or after it is sent."""

    post_id: int
    guild_id: int
    channel_id: int
    week: date
    challenge: Challenge


@dataclass(frozen=True)
class Completion:
    """What "I did it" stored: the challenge, whether it was new, the points earned."""

    challenge: Challenge
    added: bool
    points: int


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


class ChallengeService(AnswerSubmitter):
    """Schedules, posts and completions of weekly challenges."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        content: Content,
        *,
        answers: AnswerWriter | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self._answers = answers
        self.schedules = ScheduleTable(db, ChallengeSchedule, ChallengeSchedulePlan.from_row)

    def challenge(self, challenge_id: str) -> Challenge:
        """The catalogue's challenge with ``challenge_id``, or a UserError if it was removed."""
        for challenge in self._content.challenges:
            if challenge.id == challenge_id:
                return challenge
        raise UserError("That challenge is no longer in the catalogue.")

    def of_the_week(self, day: date, used: Collection[str] = ()) -> Challenge:
        """The challenge of ``day``'s ISO week, skipping the ``used`` ones while any are left.

        The same for everyone: what ``/challenge`` shows before a server's weekly post is
        the challenge the post will carry (both choose it here, from the same posts).
        """
        year, week, _ = day.isocalendar()
        ordered = sorted(self._content.challenges, key=lambda c: c.id)
        fresh = [c for c in ordered if c.id not in used] or ordered
        return fresh[(year * 53 + week) % len(fresh)]

    @staticmethod
    async def _used(session: AsyncSession, guild_id: int) -> set[str]:
        return set(
            await session.scalars(
                select(ChallengePost.challenge_id).where(ChallengePost.guild_id == guild_id)
            )
        )

    async def set_schedule(
        self,
        *,
        guild_id: int,
        channel_id: int,
        weekday: int,
        time_text: str,
        timezone_text: str | None,
        moderator_id: int,
    ) -> ChallengeSchedulePlan:
        """Save (or replace) the guild's weekly challenge post: channel, weekday, time and zone."""
        at = parse_hhmm(time_text)
        if not 0 <= weekday <= 6:
            raise UserError("Pick a weekday from Monday to Sunday.")
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, now)
            tz = (
                resolve_timezone(timezone_text)
                if timezone_text
                else await guild_or_utc(session, guild_id)
            )
            row = ChallengeSchedule(
                guild_id=guild_id,
                channel_id=channel_id,
                weekday=weekday,
                post_time=format_hhmm(at),
                timezone=tz,
                paused_reason=None,
                paused_at=None,
                pause_notified=False,
                updated_by=moderator_id,
                updated_at=now,
            )
            return await self.schedules.replace(session, row)

    async def due(self, now: datetime) -> list[Due]:
        """Every active schedule whose challenge for this week is due (set before its time)."""
        dues = []
        for plan in await self.schedules.active():
            occurrence = plan.cadence.current(now)
            if occurrence is not None and occurrence.due_at >= plan.updated_at:
                dues.append(Due(KIND, plan.guild_id, plan.guild_id, plan.channel_id, occurrence))
        return dues

    async def prepare_post(self, guild_id: int, week: date) -> PlannedChallenge:
        """The guild's challenge for ``week``: the one already chosen, else a fresh one."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            existing = await session.scalar(
                select(ChallengePost).where(
                    ChallengePost.guild_id == guild_id, ChallengePost.week == week
                )
            )
            if existing is not None:
                return PlannedChallenge(
                    existing.id,
                    guild_id,
                    existing.channel_id,
                    week,
                    self.challenge(existing.challenge_id),
                )
            row = await session.get(ChallengeSchedule, guild_id)
            if row is None:
                raise UserError("The weekly challenge is no longer scheduled.")
            challenge = self.of_the_week(week, await self._used(session, guild_id))
            post = ChallengePost(
                guild_id=guild_id,
                week=week,
                challenge_id=challenge.id,
                channel_id=row.channel_id,
                claimed_at=now,
            )
            session.add(post)
            await session.flush()
            return PlannedChallenge(post.id, guild_id, row.channel_id, week, challenge)

    async def confirm_post(
        self, session: AsyncSession, guild_id: int, week: date, message_id: int
    ) -> None:
        """Remember the week's message (inside the delivery's transaction)."""
        await session.execute(
            update(ChallengePost)
            .where(ChallengePost.guild_id == guild_id, ChallengePost.week == week)
            .values(message_id=message_id)
        )

    async def release_post(self, guild_id: int, week: date) -> None:
        """Forget the week's post if its message was never sent."""
        async with self._db.transaction() as session:
            await session.execute(
                delete(ChallengePost).where(
                    ChallengePost.guild_id == guild_id,
                    ChallengePost.week == week,
                    ChallengePost.message_id.is_(None),
                )
            )

    async def current(self, guild_id: int | None) -> Challenge:
        """This week's challenge in the guild: posted, or the one its weekly post will carry.

        A guild without a schedule shows its latest posted challenge, else the week's.
        """
        today = self._clock.now().date()
        if guild_id is None:
            return self.of_the_week(today)
        async with self._db.read() as session:
            schedule = await session.get(ChallengeSchedule, guild_id)
            if schedule is not None:
                week = week_of(self._clock.now().astimezone(ZoneInfo(schedule.timezone)).date())
                posted = await session.scalar(
                    select(ChallengePost.challenge_id).where(
                        ChallengePost.guild_id == guild_id, ChallengePost.week == week
                    )
                )
                if posted is not None:
                    return self.challenge(posted)
                return self.of_the_week(week, await self._used(session, guild_id))
            latest = await session.scalar(
                select(ChallengePost.challenge_id)
                .where(ChallengePost.guild_id == guild_id, ChallengePost.message_id.is_not(None))
                .order_by(ChallengePost.week.desc())
                .limit(1)
            )
        return self.challenge(latest) if latest is not None else self.of_the_week(today)

    async def complete(
        self, *, user_id: int, guild_id: int | None, display_name: str, challenge_id: str
    ) -> Completion:
        """Record "I did it" once per member, server and challenge, with activity and points.

        Goes through the batched answer writer; returns once its batch has committed.
        """
        challenge = self.challenge(challenge_id)
        if guild_id is None:
            raise UserError("Mark challenges done inside a server, where they earn points.")
        await self._check_offered(guild_id, challenge_id)
        job = ChallengeDone(challenge, guild_id, user_id, display_name, self._clock.now())
        return await self._writer().submit(job)

    async def _check_offered(self, guild_id: int, challenge_id: str) -> None:
        """Refuse "I did it" for a challenge never posted in this server (nor this week's)."""
        if challenge_id == (await self.current(guild_id)).id:
            return
        async with self._db.read() as session:
            posted = await session.scalar(
                select(ChallengePost.id).where(
                    ChallengePost.guild_id == guild_id,
                    ChallengePost.challenge_id == challenge_id,
                    ChallengePost.message_id.is_not(None),
                )
            )
        if posted is None:
            raise UserError(
                "That challenge was not posted in this server; `/challenge` shows this week's."
            )

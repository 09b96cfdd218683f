"""The daily quiz of a guild: its schedule, the day's post, answers and results.

Exactly-once rules live in the schema: one ``daily_posts`` row per (guild, local
date) and one answer per (post, user). Posting goes through the delivery pipeline
(``bot.delivery``): this service says what is due and what the day's question is, and
records the message id in the same transaction that marks the delivery sent.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Category, Question
from bot.db.engine import Database
from bot.db.models import DailyPost, GuildQuestionUse, Member, QuizAnswer, QuizSchedule
from bot.db.upsert import insert_for, insert_ignore
from bot.delivery.cadence import Cadence, Days, Occurrence, as_days
from bot.delivery.outbox import Due
from bot.services import forgetting
from bot.services.answer_jobs import DailyAnswer, OpenPost
from bot.services.answer_submitter import AnswerSubmitter
from bot.services.errors import UserError
from bot.services.localtime import guild_or_utc
from bot.services.packs import QuestionBank
from bot.services.quiz_bank import (
    ShownQuestion,
    category_of,
    decode_order,
    encode_order,
    shuffled_order,
)
from bot.services.schedule_table import ScheduleTable
from bot.services.timeparse import format_hhmm, parse_hhmm, resolve_timezone
from bot.services.users import ensure_guild

if TYPE_CHECKING:
    from bot.services.answers import AnswerWriter  # answers imports this module

FIRST_CORRECT_SHOWN = 3
POSTS_REMEMBERED = 4096
KIND = "daily"


@dataclass(frozen=True)
class Schedule:
    """A guild's daily quiz settings, parsed."""

    guild_id: int
    channel_id: int
    post_time: time
    timezone: str
    days: Days
    close_time: time | None
    topics: tuple[Category, ...]
    paused_reason: str | None
    updated_by: int | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: QuizSchedule) -> Schedule:
        """The schedule of a stored row."""
        return cls(
            guild_id=row.guild_id,
            channel_id=row.channel_id,
            post_time=parse_hhmm(row.post_time),
            timezone=row.timezone,
            days=as_days(row.days),
            close_time=parse_hhmm(row.close_time) if row.close_time else None,
            topics=tuple(Category(t) for t in row.topics.split(",")) if row.topics else (),
            paused_reason=row.paused_reason,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
        )

    @property
    def cadence(self) -> Cadence:
        """When the question posts: every day (or weekday) at the local post time."""
        return Cadence(self.post_time, self.timezone, "day", self.days)

    def closes_at(self, local_date: date) -> datetime:
        """When the post of ``local_date`` closes: the close time that day, or the next day."""
        assert self.close_time is not None
        day = local_date if self.close_time > self.post_time else local_date + timedelta(days=1)
        return datetime.combine(day, self.close_time, tzinfo=ZoneInfo(self.timezone)).astimezone(
            UTC
        )


@dataclass(frozen=True)
class PlannedPost:
    """A claimed daily post, ready to be sent."""

    post_id: int
    guild_id: int
    channel_id: int
    local_date: date
    shown: ShownQuestion
    message_id: int | None


@dataclass(frozen=True)
class DailyResult:
    """How a closed daily question went."""

    post_id: int
    channel_id: int
    message_id: int | None
    local_date: date
    shown: ShownQuestion
    answered: int
    right: int
    first_correct: tuple[str, ...]

    @property
    def share_right(self) -> float:
        """The share of answers that were right (0.0 when nobody answered)."""
        return self.right / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class AnswerOutcome:
    """What a click on a daily question did."""

    shown: ShownQuestion
    chosen_position: int
    correct: bool
    already_answered: bool
    points: int


ANSWERED_BEFORE_DELETION = (
    "You answered this question before deleting your data, so it stays answered; "
    "the next one is yours."
)


def closed_message(shown: ShownQuestion) -> str:
    """What a click on a closed question is told."""
    right = shown.choices[shown.right_position]
    return f"Answers to this question are closed. The answer was: {right}"


@dataclass(frozen=True)
class QuestionStat:
    """A question's record in one guild."""

    question: Question
    answered: int
    right: int


class DailyQuizService(AnswerSubmitter):
    """Schedules, posts, answers and results of guilds' daily questions."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        content: Content,
        rng: random.Random | None = None,
        bank: QuestionBank | None = None,
        *,
        answers: AnswerWriter | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self._answers = answers
        self._posts: dict[int, OpenPost] = {}
        self._reading: dict[int, asyncio.Future[OpenPost]] = {}
        self._rng = rng or random.Random()
        self._bank = bank or QuestionBank(content, self._rng)
        self.schedules = ScheduleTable(db, QuizSchedule, Schedule.from_row)

    # -- schedule -----------------------------------------------------------------

    async def set_schedule(
        self,
        *,
        guild_id: int,
        channel_id: int,
        time_text: str,
        timezone_text: str | None,
        days: Days | None,
        close_text: str | None,
        moderator_id: int,
    ) -> Schedule:
        """Create or replace the schedule; validates everything before writing anything.

        A timezone or days left out keep the schedule's current ones (a new schedule: the
        server's timezone, every day). A close time left out means none.
        """
        post_time = parse_hhmm(time_text)
        close_time = parse_hhmm(close_text) if close_text else None
        if close_time == post_time:
            raise UserError("The closing time must differ from the posting time.")
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, now)
            existing = await session.get(QuizSchedule, guild_id)
            if timezone_text:
                tz = resolve_timezone(timezone_text)
            elif existing is not None:
                tz = existing.timezone
            else:
                tz = await guild_or_utc(session, guild_id)
            days = days or (as_days(existing.days) if existing else "daily")
            topics = existing.topics if existing else None
            row = QuizSchedule(
                guild_id=guild_id,
                channel_id=channel_id,
                post_time=format_hhmm(post_time),
                timezone=tz,
                days=days,
                close_time=format_hhmm(close_time) if close_time else None,
                topics=topics,
                paused_reason=None,
                paused_at=None,
                pause_notified=False,
                updated_by=moderator_id,
                updated_at=now,
            )
            return await self.schedules.replace(session, row)

    async def set_topics(self, guild_id: int, topics: list[Category]) -> Schedule:
        """Limit the daily questions to some categories (empty: every category)."""
        if topics and not any(
            category_of(self._content, q) in topics for q in self._content.questions.values()
        ):
            raise UserError("There are no questions in those categories yet.")
        async with self._db.transaction() as session:
            row = await session.get(QuizSchedule, guild_id)
            if row is None:
                raise UserError("Set a schedule first with /mod quiz-schedule.")
            row.topics = ",".join(t.value for t in topics) or None
            await session.flush()
            return Schedule.from_row(row)

    # -- posting ------------------------------------------------------------------

    async def due(self, now: datetime) -> list[Due]:
        """Every active schedule whose question for today is due (set before its time)."""
        dues = []
        for schedule in await self.schedules.active():
            occurrence = schedule.cadence.current(now)
            if occurrence is not None and occurrence.due_at >= schedule.updated_at:
                dues.append(self._due(schedule, occurrence))
        return dues

    async def latest_post_day(self, guild_id: int) -> date | None:
        """The guild's newest local day with a daily post, if it has one."""
        async with self._db.read() as session:
            latest: date | None = await session.scalar(
                select(func.max(DailyPost.local_date)).where(DailyPost.guild_id == guild_id)
            )
            return latest

    async def superseded(self, guild_id: int, local_date: date) -> bool:
        """A later day is already posted: ``local_date``'s question would come out closed.

        That day comes due after a move to a timezone that is still on yesterday.
        """
        latest = await self.latest_post_day(guild_id)
        return latest is not None and latest > local_date

    async def next_post_at(self, schedule: Schedule, now: datetime) -> datetime:
        """When the schedule's next question goes out: its next time on a day not yet posted."""
        posted = await self.latest_post_day(schedule.guild_id)
        zone = ZoneInfo(schedule.timezone)
        at = schedule.cadence.next_due(now)
        while posted is not None and at.astimezone(zone).date() <= posted:
            at = schedule.cadence.next_due(at)
        return at

    async def due_now(self, guild_id: int) -> Due:
        """Today's post, due at once (``/mod quiz-now``)."""
        schedule = await self.schedules.get(guild_id)
        if schedule is None:
            raise UserError("Set a schedule first with /mod quiz-schedule.")
        if schedule.paused_reason:
            raise UserError(
                f"The daily quiz is paused: {schedule.paused_reason} Run /mod quiz-schedule to resume."
            )
        now = self._clock.now()
        return self._due(schedule, schedule.cadence.today(now))

    @staticmethod
    def _due(schedule: Schedule, occurrence: Occurrence) -> Due:
        return Due(KIND, schedule.guild_id, schedule.guild_id, schedule.channel_id, occurrence)

    async def prepare_post(self, guild_id: int, local_date: date) -> PlannedPost:
        """The guild's post for ``local_date``: the one already chosen, else a new question.

        The question is chosen in a read; only the new post is written, so a fan-out to
        many servers holds SQLite's one writer for an insert, not for the choice. If the
        day's post appeared meanwhile (another process took over the claim), it wins.
        """
        async with self._db.read() as session:
            existing = await self._post_of(session, guild_id, local_date)
            if existing is not None:
                return await self._planned(session, existing)
            row = await session.get(QuizSchedule, guild_id)
            if row is None:
                raise UserError("The daily question is no longer scheduled.")
            schedule = Schedule.from_row(row)
            question, restarted = await self._next_question(session, schedule)
        order = shuffled_order(len(question.choices), self._rng)
        async with self._db.transaction() as session:
            if restarted:
                await session.execute(
                    delete(GuildQuestionUse).where(GuildQuestionUse.guild_id == guild_id)
                )
            post_id = await session.scalar(
                insert_for(session, DailyPost)
                .values(
                    guild_id=guild_id,
                    local_date=local_date,
                    question_id=question.id,
                    choice_order=encode_order(order),
                    channel_id=schedule.channel_id,
                    claimed_at=self._clock.now(),
                )
                .on_conflict_do_nothing()
                .returning(DailyPost.id)
            )
            if post_id is None:
                existing = await self._post_of(session, guild_id, local_date)
                assert existing is not None, "the conflicting post is there"
                return await self._planned(session, existing)
            await insert_ignore(
                session, GuildQuestionUse, guild_id=guild_id, question_id=question.id
            )
        return PlannedPost(
            post_id=post_id,
            guild_id=guild_id,
            channel_id=schedule.channel_id,
            local_date=local_date,
            shown=ShownQuestion(question, order),
            message_id=None,
        )

    @staticmethod
    async def _post_of(session: AsyncSession, guild_id: int, local_date: date) -> DailyPost | None:
        # scalars().first(), not scalar(): with this return type as context, mypy picks
        # scalar()'s untyped overload.
        posts = await session.scalars(
            select(DailyPost).where(
                DailyPost.guild_id == guild_id, DailyPost.local_date == local_date
            )
        )
        return posts.first()

    async def _next_question(
        self, session: AsyncSession, schedule: Schedule
    ) -> tuple[Question, bool]:
        used = set(
            await session.scalars(
                select(GuildQuestionUse.question_id).where(
                    GuildQuestionUse.guild_id == schedule.guild_id
                )
            )
        )
        last_question = await session.scalar(
            select(DailyPost.question_id)
            .where(DailyPost.guild_id == schedule.guild_id)
            .order_by(DailyPost.local_date.desc())
            .limit(1)
        )
        last = (
            await self._bank.get(session, schedule.guild_id, last_question)
            if last_question
            else None
        )
        return await self._bank.pick_daily(
            session,
            schedule.guild_id,
            topics=schedule.topics or None,
            used=used,
            last_category=category_of(self._content, last) if last else None,
        )

    async def _shown(self, session: AsyncSession, post: DailyPost) -> ShownQuestion:
        """The post's question as shown, resolved in the post's own guild."""
        question = await self._bank.get(session, post.guild_id, post.question_id)
        if question is None:
            raise UserError("This question is no longer available.")
        return ShownQuestion(question, decode_order(post.choice_order))

    async def _planned(self, session: AsyncSession, post: DailyPost) -> PlannedPost:
        return PlannedPost(
            post_id=post.id,
            guild_id=post.guild_id,
            channel_id=post.channel_id,
            local_date=post.local_date,
            shown=await self._shown(session, post),
            message_id=post.message_id,
        )

    async def confirm_post(
        self, session: AsyncSession, guild_id: int, local_date: date, message_id: int
    ) -> None:
        """Remember the message that carries the day's post (inside the delivery's transaction)."""
        await session.execute(
            update(DailyPost)
            .where(DailyPost.guild_id == guild_id, DailyPost.local_date == local_date)
            .values(message_id=message_id, posted_at=self._clock.now())
        )

    async def release_post(self, guild_id: int, local_date: date) -> None:
        """Forget a post whose message could not be sent, returning its question to the bank."""
        async with self._db.transaction() as session:
            post = await session.scalar(
                select(DailyPost).where(
                    DailyPost.guild_id == guild_id, DailyPost.local_date == local_date
                )
            )
            if post is None or post.message_id is not None:
                return
            await session.execute(
                delete(GuildQuestionUse).where(
                    GuildQuestionUse.guild_id == post.guild_id,
                    GuildQuestionUse.question_id == post.question_id,
                )
            )
            await session.delete(post)

    async def previous_result(self, guild_id: int, before: date) -> DailyResult | None:
        """How the guild's last sent question before ``before`` went (shown with the next one)."""
        async with self._db.read() as session:
            post_id = await session.scalar(
                select(DailyPost.id)
                .where(
                    DailyPost.guild_id == guild_id,
                    DailyPost.local_date < before,
                    DailyPost.message_id.is_not(None),
                )
                .order_by(DailyPost.local_date.desc())
                .limit(1)
            )
        return await self.result(post_id) if post_id is not None else None

    async def current_post(self, guild_id: int) -> PlannedPost | None:
        """The guild's newest sent post that still takes answers."""
        async with self._db.read() as session:
            post = await session.scalar(
                select(DailyPost)
                .where(
                    DailyPost.guild_id == guild_id,
                    DailyPost.message_id.is_not(None),
                    DailyPost.closed_at.is_(None),
                )
                .order_by(DailyPost.local_date.desc())
                .limit(1)
            )
            return await self._planned(session, post) if post else None

    # -- closing and results -------------------------------------------------------

    async def close_open_posts(
        self, guild_id: int, *, keep: int | None = None
    ) -> list[DailyResult]:
        """Close every open post of the guild (except ``keep``) and return their results.

        The conditional update makes each post close once, whoever calls first; when a
        read finds nothing to close (a server's first post), nothing is written.
        """
        now = self._clock.now()
        conditions = [
            DailyPost.guild_id == guild_id,
            DailyPost.closed_at.is_(None),
            DailyPost.message_id.is_not(None),
        ]
        if keep is not None:
            conditions.append(DailyPost.id != keep)
        async with self._db.read() as session:
            if await session.scalar(select(DailyPost.id).where(*conditions).limit(1)) is None:
                return []
        async with self._db.transaction() as session:
            closed = list(
                await session.scalars(
                    update(DailyPost)
                    .where(*conditions)
                    .values(closed_at=now)
                    .returning(DailyPost.id)
                )
            )
            await forgetting.drop_markers(session, closed)
        for post_id in closed:
            self._posts.pop(post_id, None)
        return [await self.result(post_id) for post_id in closed]

    async def close_due(self, now: datetime, owns: Callable[[int], bool]) -> list[DailyResult]:
        """Close the open posts whose close time (as set now, in the database) has passed."""
        async with self._db.read() as session:
            rows = (
                await session.execute(
                    select(DailyPost.guild_id, DailyPost.local_date, QuizSchedule)
                    .join(QuizSchedule, QuizSchedule.guild_id == DailyPost.guild_id)
                    .where(
                        DailyPost.closed_at.is_(None),
                        DailyPost.message_id.is_not(None),
                        QuizSchedule.close_time.is_not(None),
                    )
                )
            ).all()
        results: list[DailyResult] = []
        for guild_id, local_date, row in rows:
            schedule = Schedule.from_row(row)
            if owns(guild_id) and now >= schedule.closes_at(local_date):
                results.extend(await self.close_open_posts(guild_id))
        return results

    async def result(self, post_id: int) -> DailyResult:
        """Answers, share right and the first correct answerers of a post."""
        async with self._db.read() as session:
            post = await session.get(DailyPost, post_id)
            assert post is not None
            answered = (
                await session.scalar(select(func.count()).where(QuizAnswer.post_id == post_id)) or 0
            )
            right = (
                await session.scalar(
                    select(func.count()).where(
                        QuizAnswer.post_id == post_id, QuizAnswer.correct.is_(True)
                    )
                )
                or 0
            )
            first = await session.scalars(
                select(Member.display_name)
                .join(
                    QuizAnswer,
                    (QuizAnswer.user_id == Member.user_id) & (Member.guild_id == post.guild_id),
                )
                .where(QuizAnswer.post_id == post_id, QuizAnswer.correct.is_(True))
                .order_by(QuizAnswer.answered_at, QuizAnswer.id)
                .limit(FIRST_CORRECT_SHOWN)
            )
            return DailyResult(
                post_id=post.id,
                channel_id=post.channel_id,
                message_id=post.message_id,
                local_date=post.local_date,
                shown=await self._shown(session, post),
                answered=answered,
                right=right,
                first_correct=tuple(first),
            )

    # -- answering ------------------------------------------------------------------

    async def answer(
        self,
        *,
        post_id: int,
        user_id: int,
        display_name: str,
        position: int,
        guild_id: int | None,
    ) -> AnswerOutcome:
        """Record a member's click; the unique (post, user) constraint refuses a second one.

        ``guild_id`` is where the click happened: a post answers only in its own guild.
        The post comes from memory; the answer goes through the batched answer writer
        (which also refuses a member who answered before deleting their data) and the
        outcome is returned once its batch has committed.
        """
        post = await self.open_post(post_id)
        if post.guild_id != guild_id:
            raise UserError("This question is no longer available.")
        if not 0 <= position < len(post.shown.order):
            raise UserError("That is not one of the choices.")
        if post.closed:
            raise UserError(closed_message(post.shown))
        job = DailyAnswer(post, user_id, display_name, position, self._clock.now())
        return await self._writer().submit(job)

    async def open_post(self, post_id: int) -> OpenPost:
        """A sent post as clicks see it, from memory (read once; closing it forgets it)."""
        post = self._posts.get(post_id)
        if post is not None:
            return post
        reading = self._reading.get(post_id)
        if reading is None:  # the first click of a burst reads; the others wait for it
            reading = self._reading[post_id] = asyncio.ensure_future(self._read_post(post_id))
            reading.add_done_callback(lambda _: self._reading.pop(post_id, None))
        return await asyncio.shield(reading)

    async def _read_post(self, post_id: int) -> OpenPost:
        async with self._db.read() as session:
            row = await session.get(DailyPost, post_id)
            # A click can arrive before the post's message id is committed: the message
            # exists, so the post is answerable; a forged id is refused by the guild check.
            if row is None:
                raise UserError("This question is no longer available.")
            shown = await self._shown(session, row)
        post = OpenPost(row.id, row.guild_id, shown, row.closed_at is not None)
        if len(self._posts) >= POSTS_REMEMBERED:
            self._posts.clear()
        self._posts[post_id] = post
        return post

    # -- statistics -----------------------------------------------------------------

    async def question_stats(
        self, guild_id: int, *, minimum: int = 3, limit: int = 10
    ) -> list[QuestionStat]:
        """Questions with the lowest share of right answers in this guild (at least ``minimum`` answers)."""
        async with self._db.read() as session:
            right = func.sum(case((QuizAnswer.correct, 1), else_=0))
            rows = await session.execute(
                select(QuizAnswer.question_id, func.count(), right)
                .where(QuizAnswer.guild_id == guild_id, QuizAnswer.mode == "daily")
                .group_by(QuizAnswer.question_id)
                .having(func.count() >= minimum)
            )
            stats = []
            for qid, count, right_count in rows:
                question = await self._bank.get(session, guild_id, qid)
                if question is not None:
                    stats.append(QuestionStat(question, count, int(right_count or 0)))
        stats.sort(key=lambda s: (s.right / s.answered, -s.answered, s.question.id))
        return stats[:limit]

    async def participation(self, guild_id: int, *, days: int = 14) -> list[tuple[date, int, int]]:
        """(local date, answers, right answers) of the guild's last ``days`` daily posts."""
        async with self._db.read() as session:
            right = func.sum(case((QuizAnswer.correct, 1), else_=0))
            rows = await session.execute(
                select(DailyPost.local_date, func.count(QuizAnswer.id), right)
                .outerjoin(QuizAnswer, QuizAnswer.post_id == DailyPost.id)
                .where(DailyPost.guild_id == guild_id, DailyPost.message_id.is_not(None))
                .group_by(DailyPost.local_date)
                .order_by(DailyPost.local_date.desc())
                .limit(days)
            )
            return [(day, count, int(r or 0)) for day, count, r in rows]

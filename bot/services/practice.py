"""Private practice and spaced-repetition review (Leitner boxes).

A wrong answer anywhere (daily, practice, review) files the question in box 1,
due the next day. In review, a right answer moves it up a box (due after 1, 2, 4,
8, 16 days); past box 5 it is mastered and leaves the boxes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Category, Level
from bot.db.engine import Database
from bot.db.models import QuizAnswer, QuizPrompt, ReviewCard
from bot.db.upsert import upsert
from bot.services import points
from bot.services.activity import record_activity
from bot.services.errors import UserError
from bot.services.localtime import guild_or_utc, local_day, user_timezone
from bot.services.packs import QuestionBank
from bot.services.quiz_bank import (
    ShownQuestion,
    decode_order,
    encode_order,
    shuffled_order,
)
from bot.services.users import ensure_guild, ensure_member, ensure_user

BOX_INTERVAL_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
TOP_BOX = 5
RECENT_WINDOW = 30


@dataclass(frozen=True)
class Prompt:
    """A private question waiting for its answer."""

    prompt_id: int
    mode: str
    shown: ShownQuestion
    topic: str | None
    difficulty: str | None
    due_count: int = 0


@dataclass(frozen=True)
class PromptOutcome:
    """What an answer to a private question did."""

    prompt: Prompt
    chosen_position: int
    correct: bool
    already_answered: bool
    points: int
    box: int | None
    next_due: date | None


async def file_review_result(
    session: AsyncSession,
    *,
    user_id: int,
    question_id: str,
    correct: bool,
    now: datetime,
    today: date,
    in_review: bool = False,
) -> tuple[int | None, date | None]:
    """Move the question's Leitner card after an answer on the user's local ``today``.

    Returns the card's (box, due date), or (None, None) when it is not in the boxes.
    """
    card = await session.get(ReviewCard, (user_id, question_id))
    if not correct:
        due = today + timedelta(days=BOX_INTERVAL_DAYS[1])
        await upsert(
            session,
            ReviewCard,
            keys=("user_id", "question_id"),
            values={
                "user_id": user_id,
                "question_id": question_id,
                "box": 1,
                "due_on": due,
                "updated_at": now,
            },
            update={"box": 1, "due_on": due, "updated_at": now},
        )
        return 1, due
    if card is None or not in_review:
        return (card.box, card.due_on) if card else (None, None)
    if card.box >= TOP_BOX:
        await session.delete(card)
        return None, None
    card.box += 1
    card.due_on = today + timedelta(days=BOX_INTERVAL_DAYS[card.box])
    card.updated_at = now
    return card.box, card.due_on


class PracticeService:
    """Practice questions on demand and review of missed ones."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        content: Content,
        rng: random.Random | None = None,
        bank: QuestionBank | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self._rng = rng or random.Random()
        self._bank = bank or QuestionBank(content, self._rng)

    def check_topic(self, topic: str | None) -> str | None:
        """A skill slug or category value, or a UserError naming the problem."""
        if topic is None:
            return None
        lookup = self._content.index.resolve(topic)
        if topic in {c.value for c in Category}:
            return topic
        if lookup.skill is None:
            hint = f" Did you mean {lookup.suggestions[0].name}?" if lookup.suggestions else ""
            raise UserError(f"“{topic[:40]}” is not a skill or category I know.{hint}")
        return lookup.skill.slug

    async def practice(
        self, *, user_id: int, guild_id: int | None, topic: str | None, difficulty: str | None
    ) -> Prompt:
        """A new private question on the topic, preferring ones the user has not seen lately."""
        topic = self.check_topic(topic)
        if difficulty is not None and difficulty not in {level.value for level in Level}:
            raise UserError("Difficulty must be beginner, intermediate or advanced.")
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            if guild_id is not None:
                await ensure_guild(session, guild_id, now)
            recent = list(
                await session.scalars(
                    select(QuizPrompt.question_id)
                    .where(QuizPrompt.user_id == user_id)
                    .order_by(QuizPrompt.id.desc())
                    .limit(RECENT_WINDOW)
                )
            )
            question = await self._bank.pick_practice(
                session, guild_id, topic=topic, difficulty=difficulty, recent=recent
            )
            if question is None:
                raise UserError(
                    "There are no questions for that topic and difficulty yet; try another."
                )
            return await self._new_prompt(
                session, user_id, guild_id, question.id, "practice", topic, difficulty, now
            )

    async def review(self, *, user_id: int, guild_id: int | None) -> Prompt | None:
        """The next due review question, or None when nothing is due today."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            if guild_id is not None:
                await ensure_guild(session, guild_id, now)
            today = local_day(now, await user_timezone(session, user_id, guild_id))
            # Review cards are the member's own, across servers: a pack question comes
            # back only in the server whose pack it is.
            due = [
                card
                for card in await session.scalars(
                    select(ReviewCard)
                    .where(ReviewCard.user_id == user_id, ReviewCard.due_on <= today)
                    .order_by(ReviewCard.box, ReviewCard.due_on, ReviewCard.question_id)
                )
                if await self._bank.get(session, guild_id, card.question_id, active_only=True)
            ]
            if not due:
                return None
            prompt = await self._new_prompt(
                session, user_id, guild_id, due[0].question_id, "review", None, None, now
            )
            return Prompt(**{**prompt.__dict__, "due_count": len(due)})

    async def next_review_date(self, user_id: int) -> tuple[int, date | None]:
        """How many questions are in the boxes and when the next one is due."""
        async with self._db.read() as session:
            count = (
                await session.scalar(select(func.count()).where(ReviewCard.user_id == user_id)) or 0
            )
            due = await session.scalar(
                select(func.min(ReviewCard.due_on)).where(ReviewCard.user_id == user_id)
            )
            return count, due

    async def _new_prompt(
        self,
        session: AsyncSession,
        user_id: int,
        guild_id: int | None,
        question_id: str,
        mode: str,
        topic: str | None,
        difficulty: str | None,
        now: datetime,
    ) -> Prompt:
        question = await self._bank.get(session, guild_id, question_id)
        assert question is not None, "picked questions resolve in their guild"
        order = shuffled_order(len(question.choices), self._rng)
        row = QuizPrompt(
            user_id=user_id,
            guild_id=guild_id,
            question_id=question_id,
            mode=mode,
            topic=topic,
            difficulty=difficulty,
            choice_order=encode_order(order),
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return Prompt(row.id, mode, ShownQuestion(question, order), topic, difficulty)

    async def prompt(self, prompt_id: int, user_id: int, guild_id: int | None = None) -> Prompt:
        """A prompt of this user's, for "next" buttons, as seen from ``guild_id`` (None: DMs)."""
        async with self._db.read() as session:
            row = await session.get(QuizPrompt, prompt_id)
            question = (
                await self._bank.get(session, guild_id, row.question_id)
                if row is not None and row.user_id == user_id
                else None
            )
            if row is None or question is None:
                raise UserError(
                    "This question is not available any more; start a new one with /quiz practice."
                )
            shown = ShownQuestion(question, decode_order(row.choice_order))
            return Prompt(row.id, row.mode, shown, row.topic, row.difficulty)

    async def answer(
        self,
        *,
        prompt_id: int,
        user_id: int,
        display_name: str,
        position: int,
        guild_id: int | None = None,
    ) -> PromptOutcome:
        """Record the answer once (unique prompt id), move the review card, award practice points."""
        prompt = await self.prompt(prompt_id, user_id, guild_id)
        if not 0 <= position < len(prompt.shown.order):
            raise UserError("That is not one of the choices.")
        choice = prompt.shown.original(position)
        correct = choice == prompt.shown.question.answer
        now = self._clock.now()
        try:
            async with self._db.transaction() as session:
                row = await session.get(QuizPrompt, prompt_id)
                assert row is not None
                session.add(
                    QuizAnswer(
                        user_id=user_id,
                        guild_id=row.guild_id,
                        question_id=row.question_id,
                        mode=row.mode,
                        prompt_id=prompt_id,
                        choice=choice,
                        correct=correct,
                        answered_at=now,
                    )
                )
                await session.flush()
                activity = await record_activity(
                    session,
                    user_id=user_id,
                    guild_id=row.guild_id,
                    kind=row.mode,
                    now=now,
                    ref=f"prompt:{prompt_id}",
                )
                box, due = await file_review_result(
                    session,
                    user_id=user_id,
                    question_id=row.question_id,
                    correct=correct,
                    now=now,
                    today=activity.local_day,
                    in_review=row.mode == "review",
                )
                earned = 0
                if correct and row.guild_id is not None:
                    earned = await self._practice_points(
                        session, row.guild_id, user_id, display_name, prompt_id, now
                    )
        except IntegrityError:
            return await self._already(prompt, user_id)
        return PromptOutcome(prompt, position, correct, False, earned, box, due)

    async def _practice_points(
        self,
        session: AsyncSession,
        guild_id: int,
        user_id: int,
        display_name: str,
        prompt_id: int,
        now: datetime,
    ) -> int:
        await ensure_member(session, guild_id, user_id, display_name, now)
        tz = await guild_or_utc(session, guild_id)
        start_of_day = datetime.combine(
            local_day(now, tz), datetime.min.time(), tzinfo=ZoneInfo(tz)
        )
        so_far = await points.points_today(
            session, guild_id=guild_id, user_id=user_id, reasons=("practice",), since=start_of_day
        )
        amount = min(points.Award.PRACTICE_RIGHT, points.Award.PRACTICE_DAILY_CAP - so_far)
        if amount <= 0:
            return 0
        added = await points.award(
            session,
            guild_id=guild_id,
            user_id=user_id,
            amount=amount,
            reason="practice",
            ref=str(prompt_id),
            now=now,
        )
        return amount if added else 0

    async def _already(self, prompt: Prompt, user_id: int) -> PromptOutcome:
        async with self._db.read() as session:
            answer = await session.scalar(
                select(QuizAnswer).where(QuizAnswer.prompt_id == prompt.prompt_id)
            )
            assert answer is not None
            card = await session.get(ReviewCard, (user_id, prompt.shown.question.id))
        return PromptOutcome(
            prompt,
            prompt.shown.order.index(answer.choice),
            answer.correct,
            True,
            0,
            card.box if card else None,
            card.due_on if card else None,
        )

"""Private practice and spaced-repetition review.

Every answer anywhere (daily, practice, review) updates the member's FSRS card for
the question (``bot.services.review``) and their mastery of its skill
(``bot.services.mastery``) in the transaction that stores it. ``/quiz review`` asks
the cards due on the member's local today, the weakest (lowest stability) first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Category, Level
from bot.db.engine import Database
from bot.db.models import QuizPrompt, ReviewCard
from bot.services.answer_jobs import PromptAnswer
from bot.services.answer_submitter import AnswerSubmitter
from bot.services.errors import UserError
from bot.services.localtime import local_day, user_timezone
from bot.services.packs import QuestionBank
from bot.services.quiz_bank import (
    ShownQuestion,
    decode_order,
    encode_order,
    shuffled_order,
)
from bot.services.users import ensure_guild, ensure_user

if TYPE_CHECKING:
    from bot.services.answers import AnswerWriter  # answers imports this module

RECENT_WINDOW = 30
INTERVIEW_TIME_LIMIT = timedelta(seconds=90)


@dataclass(frozen=True)
class Prompt:
    """A private question waiting for its answer."""

    prompt_id: int
    mode: str
    shown: ShownQuestion
    topic: str | None
    difficulty: str | None
    asked_at: datetime
    due_count: int = 0
    guild: int | None = None
    """The guild the prompt was asked in (None: in DMs)."""


@dataclass(frozen=True)
class PromptOutcome:
    """What an answer to a private question did."""

    prompt: Prompt
    chosen_position: int
    correct: bool
    already_answered: bool
    points: int
    next_due: date | None
    """When the question comes back for review (the member's local date)."""
    mastery: float | None = None
    """The member's mastery of the question's skill after this answer (0-1)."""
    timed_out: bool = False
    """An interview answer that came after the time limit (counted wrong)."""
    capped: bool = False
    """Right, in a server, but the member already has today's practice points."""


# A category as typed: its value ("soft-skills") or its label ("Soft skills"), any case.
_CATEGORY_NAMES = {
    " ".join(name.casefold().replace("-", " ").split()): category
    for category in Category
    for name in (category.value, category.label)
}


class PracticeService(AnswerSubmitter):
    """Practice questions on demand and review of missed ones."""

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
        self._rng = rng or random.Random()
        self._bank = bank or QuestionBank(content, self._rng)

    def check_topic(self, topic: str | None) -> str | None:
        """A skill slug or category value, or a UserError naming the problem."""
        if topic is None:
            return None
        category = _CATEGORY_NAMES.get(" ".join(topic.casefold().replace("-", " ").split()))
        if category is not None:
            return category.value
        lookup = self._content.index.resolve(topic)
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
                    .order_by(ReviewCard.due_on, ReviewCard.stability, ReviewCard.question_id)
                )
                if await self._bank.get(session, guild_id, card.question_id, active_only=True)
            ]
            if not due:
                return None
            prompt = await self._new_prompt(
                session, user_id, guild_id, due[0].question_id, "review", None, None, now
            )
            return Prompt(**{**prompt.__dict__, "due_count": len(due)})

    async def ask(
        self, *, user_id: int, guild_id: int | None, question_id: str, mode: str, run: str
    ) -> Prompt:
        """A private prompt of a placement or interview run (``run`` is kept as its topic)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            if guild_id is not None:
                await ensure_guild(session, guild_id, now)
            return await self._new_prompt(
                session, user_id, guild_id, question_id, mode, run, None, now
            )

    async def next_review_date(self, user_id: int) -> tuple[int, date | None]:
        """How many questions have a review card and the earliest (local) date one is due."""
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
        return Prompt(
            row.id, mode, ShownQuestion(question, order), topic, difficulty, now, guild=guild_id
        )

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
            return Prompt(
                row.id,
                row.mode,
                shown,
                row.topic,
                row.difficulty,
                row.created_at,
                guild=row.guild_id,
            )

    async def answer(
        self,
        *,
        prompt_id: int,
        user_id: int,
        display_name: str,
        position: int,
        guild_id: int | None = None,
    ) -> PromptOutcome:
        """Record the answer once (unique prompt id), review its card, update mastery, award points.

        Goes through the batched answer writer; returns once its batch has committed.
        """
        prompt = await self.prompt(prompt_id, user_id, guild_id)
        if not 0 <= position < len(prompt.shown.order):
            raise UserError("That is not one of the choices.")
        now = self._clock.now()
        timed_out = prompt.mode == "interview" and now - prompt.asked_at > INTERVIEW_TIME_LIMIT
        job = PromptAnswer(prompt, user_id, display_name, position, now, timed_out)
        return await self._writer().submit(job)

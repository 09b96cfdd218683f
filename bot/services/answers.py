"""The answer path as a group commit: every answer click of a batch stored in one transaction.

Daily answers, private (practice and review) answers and challenge completions are
queued by the click (``bot.db.batch.GroupCommit``) and written here together, with
multi-row statements: members, answers, completions, activity and streaks, review
cards, the points ledger and the board totals. Uniqueness stays in the schema: the
answers and completions go in with ``INSERT … ON CONFLICT DO NOTHING … RETURNING``,
so a double click or a concurrent duplicate is seen as "already answered" without
failing the rest of the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, overload
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.catalogue import Content
from bot.db.batch import GroupCommit
from bot.db.engine import Database
from bot.db.in_list import in_list
from bot.db.models import (
    ChallengeCompletion,
    DailyPost,
    PointsEntry,
    QuizAnswer,
    ReviewCard,
)
from bot.db.upsert import DialectInsert, insert_rows
from bot.services import forgetting, points
from bot.services.activity import Action, record_activities
from bot.services.answer_jobs import AnswerJob, ChallengeDone, DailyAnswer, PromptAnswer
from bot.services.challenges import Completion
from bot.services.contexts import GuildContexts
from bot.services.daily_quiz import ANSWERED_BEFORE_DELETION, AnswerOutcome, closed_message
from bot.services.errors import UserError
from bot.services.localtime import local_day
from bot.services.mastery import AnsweredQuestion, record_answers
from bot.services.practice import Prompt, PromptOutcome
from bot.services.users import Membership, ensure_members

GONE_DAILY = "This question is no longer available."
# Batches written at once. SQLite has one writer (a second batch would only wait for
# the lock); PostgreSQL writes a batch while the one before waits on its round trips.
WRITERS = {"postgresql": 2}


def _answer_insert(statement: DialectInsert) -> Any:
    table = QuizAnswer.__table__.c
    return statement.on_conflict_do_nothing().returning(
        table.post_id, table.user_id, table.prompt_id
    )


def _completion_insert(statement: DialectInsert) -> Any:
    table = ChallengeCompletion.__table__.c
    return statement.on_conflict_do_nothing().returning(
        table.user_id, table.guild_id, table.challenge_id
    )


_post = DailyPost.__table__.c
# Built once with a list parameter (in_list; Core columns: no ORM step on the answer path).
_posts_closed = select(_post.id, _post.closed_at).where(in_list(_post.id, "posts"))

AnswerResult = AnswerOutcome | PromptOutcome | Completion


class AnswerWriter(GroupCommit[AnswerJob, AnswerResult]):
    """The batched writer of answer jobs, typed by what each kind of job comes back as."""

    @overload
    async def submit(self, job: DailyAnswer) -> AnswerOutcome: ...
    @overload
    async def submit(self, job: PromptAnswer) -> PromptOutcome: ...
    @overload
    async def submit(self, job: ChallengeDone) -> Completion: ...

    async def submit(self, job: AnswerJob) -> AnswerResult:
        """Queue ``job`` and wait for its batch to commit; its outcome or its UserError.

        ``AnswerBook.write`` gives each kind of job its own kind of result.
        """
        return await super().submit(job)


def answer_writer(
    db: Database, content: Content, contexts: GuildContexts, **options: Any
) -> AnswerWriter:
    """The process's one answer writer."""
    book = AnswerBook(content, contexts)
    options.setdefault("writers", WRITERS.get(db.dialect, 1))
    return AnswerWriter(db, book.write, **options)


class AnswerBook:
    """Writes a batch of answer jobs; one result (or UserError) per job, in order."""

    def __init__(self, content: Content, contexts: GuildContexts) -> None:
        self._content = content
        self._contexts = contexts

    async def write(self, session: AsyncSession, jobs: Sequence[AnswerJob]) -> list[Any]:
        """Store ``jobs`` in ``session``; one result (or UserError) per job, in their order."""
        results: list[Any] = [None] * len(jobs)
        now = max(job.at for job in jobs)
        prompts = self._prompts(jobs)
        await self._check_posts(session, jobs, results)
        live = [i for i in range(len(jobs)) if results[i] is None]

        # Who and what each live job is.
        correct: dict[int, bool] = {}
        choice: dict[int, int] = {}
        for i in live:
            job = jobs[i]
            if isinstance(job, DailyAnswer):
                shown = job.post.shown
            elif isinstance(job, PromptAnswer):
                shown = prompts[i].shown
            else:
                continue
            choice[i] = shown.original(job.position)
            late = isinstance(job, PromptAnswer) and job.timed_out
            correct[i] = choice[i] == shown.question.answer and not late
        members = [
            Membership(guild, jobs[i].user_id, jobs[i].display_name)
            for i in live
            if (guild := self._points_guild(jobs[i], prompts.get(i), correct.get(i))) is not None
        ]
        await ensure_members(
            session, members, now
        )  # private answers' users exist: their prompt does

        # The rows that say "this happened once": answers and completions.
        new = await self._insert_once(session, jobs, live, prompts, choice, correct)
        guilds = {g for i in live if (g := self._guild_of(jobs[i], prompts.get(i))) is not None}
        contexts = await self._contexts.read(session, guilds, now)

        fresh = [i for i in live if i in new]
        logged = await record_activities(
            session,
            [self._action(jobs[i], prompts.get(i)) for i in fresh],
            {g: tz for g, (tz, _) in contexts.items()},
        )
        timezones = {
            jobs[i].user_id: entry.timezone for i, entry in zip(fresh, logged, strict=True)
        }
        answered = [i for i in fresh if i in correct]
        learned = await record_answers(
            session,
            self._content,
            [
                AnsweredQuestion(
                    jobs[i].user_id,
                    self._question(jobs[i], prompts.get(i)),
                    correct[i],
                    jobs[i].at,
                    self._guild_of(jobs[i], prompts.get(i)),
                    # The daily question is open all day, so its answer time says nothing.
                    jobs[i].at - prompts[i].asked_at if i in prompts else None,
                )
                for i in answered
            ],
            timezones,
        )
        earned = await self._award(session, jobs, fresh, prompts, correct, contexts)

        # What each member is told.
        for i in live:
            job = jobs[i]
            if isinstance(job, DailyAnswer) and i in new:
                results[i] = AnswerOutcome(
                    job.post.shown, job.position, correct[i], False, earned.get(i, 0)
                )
            elif isinstance(job, PromptAnswer) and i in new:
                learning = learned.get((job.user_id, prompts[i].shown.question.id))
                results[i] = PromptOutcome(
                    prompts[i],
                    job.position,
                    correct[i],
                    False,
                    earned.get(i, 0),
                    learning.next_review if learning else None,
                    learning.mastery if learning else None,
                    job.timed_out,
                    capped=correct[i] and prompts[i].guild is not None and not earned.get(i),
                )
            elif isinstance(job, ChallengeDone):
                results[i] = Completion(job.challenge, i in new, earned.get(i, 0))
        await self._already(
            session, jobs, [i for i in live if results[i] is None], prompts, results
        )
        return results

    # -- reading and checking ------------------------------------------------------------------

    @staticmethod
    def _prompts(jobs: Sequence[AnswerJob]) -> dict[int, Prompt]:
        """The prompt of each private answer (checked by the click: its owner, guild, choice)."""
        return {i: job.prompt for i, job in enumerate(jobs) if isinstance(job, PromptAnswer)}

    async def _check_posts(
        self, session: AsyncSession, jobs: Sequence[AnswerJob], results: list[Any]
    ) -> None:
        """Refuse the daily answers whose post is gone or closed, as stored now.

        Also refused: a member who answered that post before deleting their data.
        """
        daily = {i: job for i, job in enumerate(jobs) if isinstance(job, DailyAnswer)}
        if not daily:
            return
        closed = dict(
            (
                await session.execute(
                    _posts_closed, {"posts": list({j.post.post_id for j in daily.values()})}
                )
            )
            .tuples()
            .all()
        )
        forgotten = await forgetting.answered_before_deletion(
            session, {(j.post.post_id, j.user_id) for j in daily.values()}
        )
        for i, job in daily.items():
            if job.post.post_id not in closed:
                results[i] = UserError(GONE_DAILY)
            elif closed[job.post.post_id] is not None:
                results[i] = UserError(closed_message(job.post.shown))
            elif (job.post.post_id, job.user_id) in forgotten:
                results[i] = UserError(ANSWERED_BEFORE_DELETION)

    # -- writing ----------------------------------------------------------------------------------

    async def _insert_once(
        self,
        session: AsyncSession,
        jobs: Sequence[AnswerJob],
        live: list[int],
        prompts: dict[int, Prompt],
        choice: dict[int, int],
        correct: dict[int, bool],
    ) -> set[int]:
        """Insert answers and completions; the jobs whose row went in (first of each key)."""
        answer_rows: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
        done_rows: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
        for i in live:
            job = jobs[i]
            if isinstance(job, DailyAnswer):
                key: tuple[Any, ...] = (job.post.post_id, job.user_id, None)
                row = {
                    "user_id": job.user_id,
                    "guild_id": job.post.guild_id,
                    "question_id": job.post.shown.question.id,
                    "mode": "daily",
                    "post_id": job.post.post_id,
                    "prompt_id": None,
                }
            elif isinstance(job, PromptAnswer):
                prompt = prompts[i]
                key = (None, job.user_id, job.prompt_id)
                row = {
                    "user_id": job.user_id,
                    "guild_id": prompt.guild,
                    "question_id": prompt.shown.question.id,
                    "mode": prompt.mode,
                    "post_id": None,
                    "prompt_id": job.prompt_id,
                }
            else:
                done_key = (job.user_id, job.guild_id, job.challenge.id)
                done_rows.setdefault(
                    done_key,
                    (
                        i,
                        {
                            "user_id": job.user_id,
                            "guild_id": job.guild_id,
                            "challenge_id": job.challenge.id,
                            "completed_at": job.at,
                        },
                    ),
                )
                continue
            row.update(choice=choice[i], correct=correct[i], answered_at=job.at)
            answer_rows.setdefault(key, (i, row))
        new: set[int] = set()
        for rows, table, finish in (
            (answer_rows, QuizAnswer.__table__, _answer_insert),
            (done_rows, ChallengeCompletion.__table__, _completion_insert),
        ):
            if not rows:
                continue
            inserted = await insert_rows(
                session, table.name, table, [row for _, row in rows.values()], finish
            )
            new.update(rows[tuple(key)][0] for key in inserted)
        return new

    async def _award(
        self,
        session: AsyncSession,
        jobs: Sequence[AnswerJob],
        fresh: list[int],
        prompts: dict[int, Prompt],
        correct: dict[int, bool],
        contexts: dict[int, tuple[str, int]],
    ) -> dict[int, int]:
        """Points for the new rows, in one ledger statement; the points each job earned."""
        amounts: dict[int, tuple[int, str, str]] = {}
        practice = [
            i for i in fresh if i in prompts and correct[i] and prompts[i].guild is not None
        ]
        so_far = await self._practice_today(session, jobs, practice, prompts, contexts)
        for i in fresh:
            job = jobs[i]
            if isinstance(job, DailyAnswer):
                amount = points.Award.DAILY_RIGHT if correct[i] else points.Award.DAILY_WRONG
                amounts[i] = (amount, "daily", str(job.post.post_id))
            elif isinstance(job, ChallengeDone):
                amounts[i] = (points.Award.CHALLENGE_DONE, "challenge", job.challenge.id)
            elif i in practice:
                guild = prompts[i].guild
                assert guild is not None
                left = points.Award.PRACTICE_DAILY_CAP - so_far(i)
                amount = min(points.Award.PRACTICE_RIGHT, left)
                if amount > 0:
                    amounts[i] = (amount, "practice", str(job.prompt_id))
        order = list(amounts)
        grants = [
            points.Grant(
                self._guild_of(jobs[i], prompts.get(i)) or 0,
                jobs[i].user_id,
                amounts[i][0],
                amounts[i][1],
                amounts[i][2],
                jobs[i].at,
            )
            for i in order
        ]
        added = await points.award_many(session, grants, contexts)
        return {i: amounts[i][0] for i, ok in zip(order, added, strict=True) if ok}

    async def _practice_today(
        self,
        session: AsyncSession,
        jobs: Sequence[AnswerJob],
        practice: list[int],
        prompts: dict[int, Prompt],
        contexts: dict[int, tuple[str, int]],
    ) -> Callable[[int], int]:
        """Practice points each member already has today (their guild's day), batch included."""
        if not practice:
            return lambda i: 0
        starts: dict[int, datetime] = {}
        for i in practice:
            guild = prompts[i].guild
            assert guild is not None
            tz = contexts[guild][0]
            starts[i] = datetime.combine(
                local_day(jobs[i].at, tz), datetime.min.time(), tzinfo=ZoneInfo(tz)
            )
        stored = (
            (
                await session.execute(
                    select(
                        PointsEntry.guild_id,
                        PointsEntry.user_id,
                        PointsEntry.amount,
                        PointsEntry.created_at,
                    ).where(
                        PointsEntry.user_id.in_({jobs[i].user_id for i in practice}),
                        PointsEntry.reason == "practice",
                        PointsEntry.created_at >= min(starts.values()),
                    )
                )
            )
            .tuples()
            .all()
        )
        running: dict[tuple[int, int], int] = {}

        def so_far(i: int) -> int:
            guild, user = prompts[i].guild, jobs[i].user_id
            assert guild is not None
            before = sum(
                amount
                for g, u, amount, at in stored
                if g == guild and u == user and at >= starts[i]
            )
            total = before + running.get((guild, user), 0)
            running[guild, user] = running.get((guild, user), 0) + min(
                points.Award.PRACTICE_RIGHT, max(0, points.Award.PRACTICE_DAILY_CAP - total)
            )
            return total

        return so_far

    async def _already(
        self,
        session: AsyncSession,
        jobs: Sequence[AnswerJob],
        repeated: list[int],
        prompts: dict[int, Prompt],
        results: list[Any],
    ) -> None:
        """Answers refused as repeats: tell each member what they answered the first time."""
        if not repeated:
            return
        daily = {i: job for i in repeated if isinstance(job := jobs[i], DailyAnswer)}
        private = [i for i in repeated if i in prompts]
        if daily:
            previous = {
                (post, user): chosen
                for post, user, chosen in await session.execute(
                    select(QuizAnswer.post_id, QuizAnswer.user_id, QuizAnswer.choice).where(
                        QuizAnswer.post_id.in_({job.post.post_id for job in daily.values()}),
                        QuizAnswer.user_id.in_({job.user_id for job in daily.values()}),
                    )
                )
            }
            for i, job in daily.items():
                chosen = previous[job.post.post_id, job.user_id]
                shown = job.post.shown
                results[i] = AnswerOutcome(
                    shown, shown.order.index(chosen), chosen == shown.question.answer, True, 0
                )
        if private:
            stored = {
                prompt_id: (chosen, right)
                for prompt_id, chosen, right in await session.execute(
                    select(QuizAnswer.prompt_id, QuizAnswer.choice, QuizAnswer.correct).where(
                        QuizAnswer.prompt_id.in_({prompts[i].prompt_id for i in private})
                    )
                )
            }
            for i in private:
                prompt = prompts[i]
                chosen, right = stored[prompt.prompt_id]
                found = await session.get(ReviewCard, (jobs[i].user_id, prompt.shown.question.id))
                results[i] = PromptOutcome(
                    prompt,
                    prompt.shown.order.index(chosen),
                    right,
                    True,
                    0,
                    found.due_on if found else None,
                )

    # -- small helpers ---------------------------------------------------------------------------

    @staticmethod
    def _guild_of(job: AnswerJob, prompt: Prompt | None) -> int | None:
        if isinstance(job, DailyAnswer):
            return job.post.guild_id
        if isinstance(job, ChallengeDone):
            return job.guild_id
        return prompt.guild if prompt else None

    @classmethod
    def _points_guild(cls, job: AnswerJob, prompt: Prompt | None, right: bool | None) -> int | None:
        """The guild whose member row the job needs (private answers: only when they earn)."""
        if isinstance(job, PromptAnswer) and not right:
            return None
        return cls._guild_of(job, prompt)

    @staticmethod
    def _question(job: AnswerJob, prompt: Prompt | None) -> str:
        if isinstance(job, DailyAnswer):
            return job.post.shown.question.id
        assert prompt is not None
        return prompt.shown.question.id

    @staticmethod
    def _action(job: AnswerJob, prompt: Prompt | None) -> Action:
        if isinstance(job, DailyAnswer):
            return Action(
                job.user_id, job.post.guild_id, "quiz", job.at, ref=f"daily:{job.post.post_id}"
            )
        if isinstance(job, PromptAnswer):
            assert prompt is not None
            return Action(
                job.user_id, prompt.guild, prompt.mode, job.at, ref=f"prompt:{job.prompt_id}"
            )
        return Action(
            job.user_id, job.guild_id, "challenge", job.at, ref=f"challenge:{job.challenge.id}"
        )

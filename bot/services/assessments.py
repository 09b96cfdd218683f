"""Placement tests and mock interviews: private runs of questions through the practice path.

A run's prompts carry ``run:<kind>:<started>`` as their topic, so a run needs no table of
its own: its questions, answers and score are read back from ``quiz_prompts`` and
``quiz_answers``, and every answer updates the learner model like any other.

- **Placement** (``/quiz placement``): about 12 questions on the member's goal track (or
  the generalist one). Each next question goes to the skill the run has asked least,
  at the difficulty the current estimate of that skill suggests, so a newcomer ends
  with a realistic picture instead of zero.
- **Interview** (``/interview start``): 6 questions from the track's interview pool,
  interview scenarios first, mixed across topics, no repeat of the last rounds'
  questions, 90 seconds each (a later answer counts as wrong), scored at the end with
  the weak spots and what to study.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Level, Question, Skill, Track
from bot.db.engine import Database
from bot.db.models import QuizAnswer, QuizPrompt
from bot.services.career import CareerService
from bot.services.errors import UserError
from bot.services.mastery import MasteryService
from bot.services.practice import INTERVIEW_TIME_LIMIT, PracticeService, Prompt

PLACEMENT = "placement"
INTERVIEW = "interview"
PLACEMENT_QUESTIONS = 12
INTERVIEW_QUESTIONS = 6
# A run left longer than this is abandoned: the next start begins a new one.
RESUMABLE_FOR = timedelta(hours=1)
GENERALIST_TRACK = "junior-backend"
RUN_PREFIX = "run:"


@dataclass(frozen=True)
class RunAnswer:
    """One answered question of a run."""

    question: Question
    correct: bool


@dataclass(frozen=True)
class RunResult:
    """A finished run: the score, the weak skills, and the track it was about."""

    kind: str
    track: Track
    answers: list[RunAnswer]
    weak: list[Skill]

    @property
    def right(self) -> int:
        """How many questions of the run were answered right."""
        return sum(a.correct for a in self.answers)


@dataclass(frozen=True)
class Step:
    """Either the next question of a run or, after the last one, its result."""

    prompt: Prompt | None
    number: int
    total: int
    track: Track
    result: RunResult | None = None


def run_tag(kind: str, track: str, started: datetime) -> str:
    """The topic every prompt of one run carries (fits the 40-character column)."""
    return f"{RUN_PREFIX}{kind[0]}:{track[:22]}:{int(started.timestamp())}"


def parse_tag(tag: str | None) -> tuple[str, str] | None:
    """(kind, track) of a run tag, or None for ordinary practice."""
    if not tag or not tag.startswith(RUN_PREFIX):
        return None
    letter, track, _ = tag.removeprefix(RUN_PREFIX).split(":")
    return (PLACEMENT if letter == "p" else INTERVIEW), track


class AssessmentService:
    """Runs placement tests and mock interviews on top of the practice prompts."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        content: Content,
        practice: PracticeService,
        mastery: MasteryService,
        career: CareerService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self._practice = practice
        self._mastery = mastery
        self._career = career

    async def _track(self, user_id: int, slug: str | None) -> Track:
        if slug:
            return self._career.track(slug)
        goal = await self._career.goal(user_id)
        return goal[0] if goal else self._content.tracks[GENERALIST_TRACK]

    async def start(
        self, kind: str, *, user_id: int, guild_id: int | None, track: str | None
    ) -> Step:
        """Begin a placement test or an interview round; returns its first question."""
        chosen = await self._track(user_id, track)
        tag = run_tag(kind, chosen.slug, self._clock.now())
        return await self._next(kind, tag, chosen, user_id, guild_id, asked=[])

    async def unfinished(self, kind: str, *, user_id: int, guild_id: int | None) -> Step | None:
        """The member's run of ``kind`` still under way (asked within the last hour), if any.

        Its step is the question waiting for an answer, or the next one if the last was
        answered without pressing Next.
        """
        async with self._db.read() as session:
            latest = (
                await session.execute(
                    select(QuizPrompt.id, QuizPrompt.topic, QuizPrompt.created_at)
                    .where(
                        QuizPrompt.user_id == user_id,
                        QuizPrompt.topic.like(f"{RUN_PREFIX}{kind[0]}:%"),
                    )
                    .order_by(QuizPrompt.id.desc())
                    .limit(1)
                )
            ).first()
        if latest is None or self._clock.now() - latest.created_at > RESUMABLE_FOR:
            return None
        parsed = parse_tag(latest.topic)
        assert parsed is not None
        track = self._content.tracks.get(parsed[1]) or self._content.tracks[GENERALIST_TRACK]
        asked = await self._asked(user_id, latest.topic)
        total = PLACEMENT_QUESTIONS if kind == PLACEMENT else INTERVIEW_QUESTIONS
        if asked[-1][1] is None:
            prompt = await self._practice.prompt(latest.id, user_id, guild_id)
            return Step(prompt, len(asked), total, track)
        if len(asked) >= total:
            return None
        return await self._next(kind, latest.topic, track, user_id, guild_id, asked=asked)

    async def next(self, prompt: Prompt, *, user_id: int, guild_id: int | None) -> Step:
        """After an answer: the run's next question, or its result after the last one."""
        parsed = parse_tag(prompt.topic)
        if parsed is None:
            raise UserError("That question is not part of a placement test or an interview.")
        kind, slug = parsed
        track = self._content.tracks.get(slug) or self._content.tracks[GENERALIST_TRACK]
        asked = await self._asked(user_id, prompt.topic or "")
        return await self._next(kind, prompt.topic or "", track, user_id, guild_id, asked=asked)

    async def _asked(self, user_id: int, tag: str) -> list[tuple[str, bool | None]]:
        """The run's questions so far, in order, with the answer's verdict (None: unanswered)."""
        async with self._db.read() as session:
            rows = await session.execute(
                select(QuizPrompt.question_id, QuizAnswer.correct)
                .outerjoin(QuizAnswer, QuizAnswer.prompt_id == QuizPrompt.id)
                .where(QuizPrompt.user_id == user_id, QuizPrompt.topic == tag)
                .order_by(QuizPrompt.id)
            )
            return [(qid, correct) for qid, correct in rows]

    async def _next(
        self,
        kind: str,
        tag: str,
        track: Track,
        user_id: int,
        guild_id: int | None,
        *,
        asked: list[tuple[str, bool | None]],
    ) -> Step:
        total = PLACEMENT_QUESTIONS if kind == PLACEMENT else INTERVIEW_QUESTIONS
        if len(asked) >= total:
            return Step(None, total, total, track, await self._result(kind, track, asked))
        seen = {qid for qid, _ in asked}
        if kind == PLACEMENT:
            question = await self._placement_question(track, user_id, seen)
        else:
            question = await self._interview_question(track, user_id, seen)
        prompt = await self._practice.ask(
            user_id=user_id, guild_id=guild_id, question_id=question.id, mode=kind, run=tag
        )
        return Step(prompt, len(asked) + 1, total, track)

    async def _placement_question(self, track: Track, user_id: int, seen: set[str]) -> Question:
        """The skill asked least in this run (weakest evidence first), at its estimated level."""
        report = await self._mastery.mastery_of(user_id)
        asked = Counter(
            self._content.questions[q].skill for q in seen if q in self._content.questions
        )
        skills = [t.skill for t in [*track.core, *track.recommended]]
        candidates = [s for s in skills if self._content.questions_by_skill.get(s)]
        for slug in sorted(
            candidates,
            key=lambda s: (
                asked[s],
                report.skills[s].answers if s in report.skills else 0,
                skills.index(s),
            ),
        ):
            mastery = report.of(slug)
            level = (
                Level.BEGINNER
                if mastery < 0.45
                else Level.INTERMEDIATE
                if mastery < 0.7
                else Level.ADVANCED
            )
            pool = [q for q in self._content.questions_by_skill[slug] if q.id not in seen]
            if pool:
                at_level = [q for q in pool if q.difficulty == level] or pool
                return sorted(at_level, key=lambda q: q.id)[len(seen) % len(at_level)]
        raise UserError("This track has no questions left to place you with.")

    async def _interview_question(self, track: Track, user_id: int, seen: set[str]) -> Question:
        """Interview scenarios first, a topic not yet asked this round, nothing from recent rounds."""
        pool = self._content.interview_questions(track.slug)
        async with self._db.read() as session:
            earlier = set(
                await session.scalars(
                    select(QuizPrompt.question_id)
                    .where(QuizPrompt.user_id == user_id, QuizPrompt.mode == INTERVIEW)
                    .order_by(QuizPrompt.id.desc())
                    .limit(INTERVIEW_QUESTIONS * 3)
                )
            )
        fresh = [q for q in pool if q.id not in seen and q.id not in earlier] or [
            q for q in pool if q.id not in seen
        ]
        if not fresh:
            raise UserError("This track has no interview questions left.")
        topics = {self._content.questions[q].skill for q in seen if q in self._content.questions}
        new_topic = [q for q in fresh if q.skill not in topics]
        return (new_topic or fresh)[0]

    async def _result(
        self, kind: str, track: Track, asked: list[tuple[str, bool | None]]
    ) -> RunResult:
        answers = [
            RunAnswer(self._content.questions[qid], bool(correct))
            for qid, correct in asked
            if qid in self._content.questions
        ]
        missed = Counter(a.question.skill for a in answers if not a.correct)
        weak = [self._content.skills[s] for s, _ in missed.most_common(3)]
        return RunResult(kind, track, answers, weak)


def timed_out_note() -> str:
    """What an interview prompt says about its clock."""
    return f"⏱️ {int(INTERVIEW_TIME_LIMIT.total_seconds())} seconds for this one; a later answer counts as wrong."

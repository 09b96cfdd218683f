"""Demonstrated mastery: the learner model (``mastery_model``) kept in the database.

``record_answers`` runs inside the transaction that stores the answers, so the
estimate a member is shown is the one that committed with their answer: it
reviews the FSRS cards (``bot.services.review.apply_reviews``) and updates the
model (``apply_answers``). It takes every answer of the transaction at once, so
the per-answer paths of today and a batched writer both call it the same way. ``MasteryService.rebuild`` replays
``quiz_answers`` in answer order (``answered_at``, then ``id``) through the same
model, so a rebuild gives the stored values back.

"Mark as learned" (``bot.services.learning``) is a claim the member makes; it is
never mixed into these numbers and is reported beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Category
from bot.db.engine import Database
from bot.db.in_list import in_list
from bot.db.models import LearnedSkill, QuestionDifficulty, QuizAnswer, SkillMastery
from bot.db.upsert import insert_rows
from bot.services import mastery_model as model
from bot.services.mastery_model import Observation, QuestionState, SkillState
from bot.services.review import ReviewedAnswer, apply_reviews

REBUILD_CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class AnsweredQuestion:
    """One stored answer, as the learner model and the review scheduler need it."""

    user_id: int
    question_id: str
    correct: bool
    answered_at: datetime
    guild_id: int | None = None
    took: timedelta | None = None
    """From showing the question to the click, where known (private prompts)."""


@dataclass(frozen=True, slots=True)
class Learned:
    """What one answer did to the member's learning state."""

    next_review: date
    """The review card's next due date, in the member's timezone."""
    mastery: float
    """The mastery of the question's skill after the answer (0-1)."""


async def record_answers(
    session: AsyncSession,
    content: Content,
    answers: Sequence[AnsweredQuestion],
    timezones: Mapping[int, str] | None = None,
) -> dict[tuple[int, str], Learned]:
    """The one call an answer path makes, inside the transaction that stores ``answers``.

    Reviews each answer's FSRS card and updates the learner model, in answer order;
    works the same for one answer (today's per-answer paths) and for a batched group
    commit. Keyed by (user id, question id); questions the content no longer has are
    scheduled for review but leave mastery alone. ``timezones`` (user id → the zone
    their day is in) saves the reads of them when the caller already has them.
    """
    scheduled = await apply_reviews(
        session,
        [
            ReviewedAnswer(a.user_id, a.guild_id, a.question_id, a.correct, a.answered_at, a.took)
            for a in answers
        ],
        timezones,
    )
    skills = await apply_answers(session, content, answers)
    found: dict[tuple[int, str], Learned] = {}
    for key, card in scheduled.items():
        question = content.questions.get(key[1])
        state = skills.get((key[0], question.skill)) if question else None
        found[key] = Learned(card.due_on, model.mastery(state) if state else model.PRIOR_MASTERY)
    return found


def _observations(content: Content, answers: Iterable[AnsweredQuestion]) -> list[Observation]:
    """Answers on questions the content still has, as model observations (order kept)."""
    found = []
    for answer in answers:
        question = content.questions.get(answer.question_id)
        if question is None or question.skill not in content.skills:
            continue
        found.append(
            Observation(
                user_id=answer.user_id,
                skill=question.skill,
                question_id=question.id,
                level=question.difficulty.value,
                correct=answer.correct,
                answered_at=answer.answered_at,
            )
        )
    return found


def _skill_row(user_id: int, skill: str, state: SkillState) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "skill": skill,
        "theta": state.theta,
        "evidence": state.evidence,
        "answers": state.answers,
        "right": state.right,
        "last_answered_at": state.last_answered_at,
    }


def _question_row(question_id: str, state: QuestionState) -> dict[str, Any]:
    return {"question_id": question_id, "difficulty": state.difficulty, "answers": state.answers}


_questions = QuestionDifficulty.__table__.c
_skills = SkillMastery.__table__.c
# Built once with list parameters (in_list; Core columns: no ORM step on the answer path).
_lock_questions_statement = (
    select(_questions.question_id, _questions.difficulty, _questions.answers)
    .where(in_list(_questions.question_id, "questions"))
    .order_by(_questions.question_id)
    .with_for_update()
)
_lock_skills_statement = (
    select(
        _skills.user_id,
        _skills.skill,
        _skills.theta,
        _skills.evidence,
        _skills.answers,
        _skills.right,
        _skills.last_answered_at,
    )
    .where(
        in_list(_skills.user_id, "users"),
        in_list(_skills.skill, "skills"),
    )
    .order_by(_skills.user_id, _skills.skill)
    .with_for_update()
)


async def _lock_questions(
    session: AsyncSession, question_ids: list[str]
) -> dict[str, QuestionState]:
    rows = await session.execute(_lock_questions_statement, {"questions": question_ids})
    return {q: QuestionState(b, n) for q, b, n in rows}


async def _lock_skills(
    session: AsyncSession, keys: list[tuple[int, str]]
) -> dict[tuple[int, str], SkillState]:
    rows = await session.execute(
        _lock_skills_statement,
        {"users": sorted({u for u, _ in keys}), "skills": sorted({s for _, s in keys})},
    )
    wanted = set(keys)
    return {
        (u, s): SkillState(theta, evidence, n, right, last)
        for u, s, theta, evidence, n, right, last in rows
        if (u, s) in wanted
    }


async def apply_answers(
    session: AsyncSession, content: Content, answers: Sequence[AnsweredQuestion]
) -> dict[tuple[int, str], SkillState]:
    """Update the model for ``answers`` (in order) inside the caller's transaction.

    Locks the rows in key order (``FOR UPDATE``; SQLite has one writer anyway). Rows
    that do not exist yet are inserted at the prior and the level's seed (insert-or-ignore,
    so two first answers at once both land); a row another transaction inserted first is
    locked and read instead. Applies the answers in memory and writes each row once.
    Usually four statements (two locking reads, two updates), whatever the number of
    answers; one more the first time a question or a member-skill is seen. Returns the
    new skill states.
    """
    observations = _observations(content, answers)
    if not observations:
        return {}
    skill_keys = sorted({(o.user_id, o.skill) for o in observations})
    question_ids = sorted({o.question_id for o in observations})
    levels = {o.question_id: o.level for o in observations}
    questions = await _lock_questions(session, question_ids)
    if missing := [q for q in question_ids if q not in questions]:
        seeded = {q: model.new_question(levels[q]) for q in missing}
        seeded_rows = [_question_row(q, seeded[q]) for q in missing]
        added_questions = await _insert_new(session, QuestionDifficulty.__table__, seeded_rows)
        questions |= {q: seeded[q] for (q,) in added_questions}
        if late := [q for q in missing if (q,) not in added_questions]:
            questions |= await _lock_questions(session, late)
    skills = await _lock_skills(session, skill_keys)
    if unseen := [k for k in skill_keys if k not in skills]:
        prior_rows = [_skill_row(u, s, SkillState()) for u, s in unseen]
        added_skills = await _insert_new(session, SkillMastery.__table__, prior_rows)
        skills |= {key: SkillState() for key in unseen if key in added_skills}
        if late_skills := [key for key in unseen if key not in added_skills]:
            skills |= await _lock_skills(session, late_skills)
    model.replay(observations, skills, questions)
    await session.execute(
        _update_question,
        [{"b_" + k: v for k, v in _question_row(q, questions[q]).items()} for q in question_ids],
    )
    await session.execute(
        _update_skill,
        [{"b_" + k: v for k, v in _skill_row(u, s, skills[(u, s)]).items()} for u, s in skill_keys],
    )
    return {key: skills[key] for key in skill_keys}


async def _insert_new(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]]
) -> set[tuple[Any, ...]]:
    """Insert the rows of ``table`` that are still missing; the primary keys of those added."""
    keys = list(table.primary_key.columns)
    inserted = await insert_rows(
        session,
        f"insert-new:{table.name}",
        table,
        rows,
        lambda statement: statement.on_conflict_do_nothing().returning(*keys),
    )
    return set(inserted)


def _update_by_key(table: Any, key: tuple[str, ...], fields: tuple[str, ...]) -> Any:
    """An UPDATE of ``fields`` by ``key``, run with one parameter set (``b_<column>``) per row.

    A Core statement built once: the ORM's bulk UPDATE by primary key would process every
    row's parameters through the mapper on each call.
    """
    return (
        update(table)
        .where(*(table.c[k] == bindparam("b_" + k) for k in key))
        .values({f: bindparam("b_" + f) for f in fields})
    )


_update_question = _update_by_key(
    QuestionDifficulty.__table__, ("question_id",), ("difficulty", "answers")
)
_update_skill = _update_by_key(
    SkillMastery.__table__,
    ("user_id", "skill"),
    ("theta", "evidence", "answers", "right", "last_answered_at"),
)


@dataclass(frozen=True, slots=True)
class SkillMasteryView:
    """A member's demonstrated mastery of one skill, with the answers behind it."""

    skill: str
    mastery: float
    right: int
    answers: int
    last_answered_at: datetime | None
    claimed: bool
    """The member marked the skill learned (a claim, not evidence)."""


@dataclass(frozen=True)
class MasteryReport:
    """Per-skill, per-category and per-track mastery of one member, as of ``at``."""

    user_id: int
    at: datetime
    skills: dict[str, SkillMasteryView]
    categories: dict[Category, float]
    tracks: dict[str, float]

    def of(self, skill: str) -> float:
        """The mastery of one skill (the prior when it has no answers)."""
        view = self.skills.get(skill)
        return view.mastery if view else model.PRIOR_MASTERY


@dataclass(frozen=True)
class RebuildSummary:
    """What a rebuild replayed and wrote."""

    answers: int
    skill_rows: int
    question_rows: int


class MasteryService:
    """Reads the learner model for members, and rebuilds it from the answer log."""

    def __init__(self, db: Database, clock: Clock, content: Content) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self._by_category = {
            category: [s.slug for s in content.skills.values() if s.category == category]
            for category in Category
        }
        self._track_weights = {
            slug: {t.skill: max(t.mid, 0.05) for t in track.targets}
            for slug, track in content.tracks.items()
        }

    async def mastery_of(self, user_id: int) -> MasteryReport:
        """Every skill the member answered (with right/total), and roll-ups over all skills.

        Categories and tracks average over all their skills, unseen ones at the prior;
        a track weighs each skill by its mid-level target, so what the role needs most
        counts most.
        """
        now = self._clock.now()
        async with self._db.read() as session:
            rows = list(
                await session.scalars(select(SkillMastery).where(SkillMastery.user_id == user_id))
            )
            claimed = set(
                await session.scalars(
                    select(LearnedSkill.skill).where(LearnedSkill.user_id == user_id)
                )
            )
        return self.report(user_id, rows, claimed, now)

    def report(
        self, user_id: int, rows: Iterable[SkillMastery], claimed: set[str], at: datetime
    ) -> MasteryReport:
        """A report from loaded rows (pure; the benchmark and plan can call it directly)."""
        views: dict[str, SkillMasteryView] = {}
        for row in rows:
            if row.skill not in self._content.skills or row.answers == 0:
                continue
            state = SkillState(
                row.theta, row.evidence, row.answers, row.right, row.last_answered_at
            )
            views[row.skill] = SkillMasteryView(
                row.skill,
                model.mastery(state, at),
                row.right,
                row.answers,
                row.last_answered_at,
                row.skill in claimed,
            )
        for slug in claimed - views.keys():
            if slug in self._content.skills:
                views[slug] = SkillMasteryView(slug, model.PRIOR_MASTERY, 0, 0, None, True)
        values = {slug: view.mastery for slug, view in views.items() if view.answers}
        categories = {
            category: model.rollup(values, slugs) for category, slugs in self._by_category.items()
        }
        tracks = {
            slug: model.rollup(values, weights, weights)
            for slug, weights in self._track_weights.items()
        }
        return MasteryReport(user_id, at, views, categories, tracks)

    async def rebuild(self) -> RebuildSummary:
        """Recompute both tables from ``quiz_answers`` in answer order, in one transaction.

        Safe while the bot runs. On SQLite the transaction is the only writer. On
        PostgreSQL it first locks both tables against writes (answer transactions
        already writing them finish first; later ones wait and then apply their
        answer on top of the rebuilt values), then reads the answers.
        """
        async with self._db.transaction() as session:
            if self._db.dialect == "postgresql":
                # The one PostgreSQL-only statement here: Core has no portable table lock.
                await session.execute(
                    text("LOCK TABLE skill_mastery, question_difficulty IN EXCLUSIVE MODE")
                )
            skills: dict[tuple[int, str], SkillState] = {}
            questions: dict[str, QuestionState] = {}
            count = 0
            stream = await session.stream(
                select(
                    QuizAnswer.user_id,
                    QuizAnswer.question_id,
                    QuizAnswer.correct,
                    QuizAnswer.answered_at,
                ).order_by(QuizAnswer.answered_at, QuizAnswer.id)
            )
            async for chunk in stream.partitions(REBUILD_CHUNK):
                batch = [AnsweredQuestion(u, q, bool(c), at) for u, q, c, at in chunk]
                count += len(batch)
                model.replay(_observations(self._content, batch), skills, questions)
            await session.execute(delete(SkillMastery))
            await session.execute(delete(QuestionDifficulty))
            skill_rows = [_skill_row(u, s, state) for (u, s), state in sorted(skills.items())]
            question_rows = [_question_row(q, state) for q, state in sorted(questions.items())]
            for start in range(0, len(skill_rows), REBUILD_CHUNK):
                await session.execute(
                    SkillMastery.__table__.insert(), skill_rows[start : start + REBUILD_CHUNK]
                )
            for start in range(0, len(question_rows), REBUILD_CHUNK):
                await session.execute(
                    QuestionDifficulty.__table__.insert(),
                    question_rows[start : start + REBUILD_CHUNK],
                )
        return RebuildSummary(count, len(skill_rows), len(question_rows))

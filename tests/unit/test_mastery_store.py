"""The learner model in the database: live updates, rebuild, both backends, Leitner migration."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from bot.clock import FrozenClock
from bot.content.catalogue import Content
from bot.db import migrate
from bot.db.engine import Database
from bot.db.models import QuestionDifficulty, QuizAnswer, ReviewCard, SkillMastery
from bot.services import mastery_model as model
from bot.services.learning import LearningService
from bot.services.mastery import (
    AnsweredQuestion,
    MasteryService,
    _observations,
    record_answers,
)
from bot.services.practice import PracticeService
from bot.services.review import EASY_UNDER, HARD_OVER, Rating, rating_for
from bot.services.users import ensure_user
from tests.conftest import BACKENDS, _drop_postgres_schema, open_test_database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
USERS = (101, 102, 103)


async def simulate(db: Database, content: Content, *, answers: int = 45, seed: int = 7) -> None:
    """Three members answer practice questions on one category over several weeks."""
    clock = FrozenClock(T0)
    practice = PracticeService(db, clock, content, rng=random.Random(seed))
    rng = random.Random(seed + 1)
    for i in range(answers):
        user = USERS[i % len(USERS)]
        prompt = await practice.practice(
            user_id=user, guild_id=None, topic="databases", difficulty=None
        )
        clock.advance(timedelta(seconds=rng.choice([5, 30, 90])))
        right = rng.random() < 0.6
        shown = prompt.shown
        position = shown.right_position if right else (shown.right_position + 1) % len(shown.order)
        await practice.answer(
            prompt_id=prompt.prompt_id, user_id=user, display_name="m", position=position
        )
        clock.advance(timedelta(hours=rng.choice([1, 7, 30, 24 * 20])))


async def snapshot(db: Database) -> tuple[dict[Any, tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    async with db.read() as session:
        skills = {
            (r.user_id, r.skill): (r.theta, r.evidence, r.answers, r.right, r.last_answered_at)
            for r in await session.scalars(select(SkillMastery))
        }
        questions = {
            r.question_id: (r.difficulty, r.answers)
            for r in await session.scalars(select(QuestionDifficulty))
        }
    return skills, questions


async def test_live_values_equal_a_replay_and_a_rebuild(db: Database, content: Content) -> None:
    await simulate(db, content)
    live = await snapshot(db)
    assert sum(v[2] for v in live[0].values()) == 45
    assert len({u for u, _ in live[0]}) == 3

    async with db.read() as session:
        rows = await session.execute(
            select(
                QuizAnswer.user_id,
                QuizAnswer.question_id,
                QuizAnswer.correct,
                QuizAnswer.answered_at,
            ).order_by(QuizAnswer.answered_at, QuizAnswer.id)
        )
        answers = [AnsweredQuestion(*row) for row in rows]
    skills, questions = model.replay(_observations(content, answers))
    assert live[0] == {
        k: (s.theta, s.evidence, s.answers, s.right, s.last_answered_at) for k, s in skills.items()
    }
    assert live[1] == {q: (s.difficulty, s.answers) for q, s in questions.items()}

    service = MasteryService(db, FrozenClock(T0), content)
    summary = await service.rebuild()
    assert (summary.answers, summary.skill_rows, summary.question_rows) == (
        45,
        len(live[0]),
        len(live[1]),
    )
    assert await snapshot(db) == live
    await service.rebuild()
    assert await snapshot(db) == live


async def test_identical_on_sqlite_and_postgresql(content: Content, tmp_path: Path) -> None:
    if not {"sqlite", "postgresql"} <= set(BACKENDS):
        pytest.skip("needs both backends in MENTOR_TEST_BACKENDS")
    snapshots = []
    for backend in ("sqlite", "postgresql"):
        db, schema = await open_test_database(backend, tmp_path)
        try:
            await migrate.upgrade(db)
            await simulate(db, content, answers=30, seed=11)
            snapshots.append(await snapshot(db))
        finally:
            await db.close()
            if schema:
                await _drop_postgres_schema(schema)
    assert snapshots[0] == snapshots[1]


async def test_mastery_of_reports_skills_categories_tracks_and_claims_apart(
    db: Database, content: Content
) -> None:
    clock = FrozenClock(T0)
    practice = PracticeService(db, clock, content, rng=random.Random(1))
    for right in (True, False, True):
        prompt = await practice.practice(user_id=101, guild_id=None, topic="sql", difficulty=None)
        shown = prompt.shown
        position = shown.right_position if right else (shown.right_position + 1) % len(shown.order)
        await practice.answer(
            prompt_id=prompt.prompt_id, user_id=101, display_name="m", position=position
        )
        clock.advance(timedelta(minutes=5))
    await LearningService(db, clock, content).mark_learned(101, "git")

    report = await MasteryService(db, clock, content).mastery_of(101)
    sql = report.skills["sql"]
    assert (sql.right, sql.answers, sql.claimed) == (2, 3, False)
    assert sql.mastery > model.PRIOR_MASTERY
    git = report.skills["git"]
    assert (git.answers, git.claimed, git.mastery) == (0, True, model.PRIOR_MASTERY)
    databases = [s.slug for s in content.skills.values() if s.category.value == "databases"]
    assert report.categories["databases"] == pytest.approx(
        model.rollup({"sql": sql.mastery}, databases)
    )
    assert report.categories["security"] == pytest.approx(model.PRIOR_MASTERY)
    assert set(report.tracks) == set(content.tracks)
    assert report.tracks["junior-backend"] > model.PRIOR_MASTERY

    later = await MasteryService(
        db, FrozenClock(clock.now() + timedelta(days=model.HALF_LIFE_DAYS)), content
    ).mastery_of(101)
    assert model.PRIOR_MASTERY < later.of("sql") < sql.mastery


def test_fsrs_rating_thresholds() -> None:
    assert rating_for(False, timedelta(seconds=3)) == Rating.Again
    assert rating_for(False, None) == Rating.Again
    assert rating_for(True, None) == Rating.Good
    assert rating_for(True, EASY_UNDER - timedelta(seconds=1)) == Rating.Easy
    assert rating_for(True, EASY_UNDER) == Rating.Good
    assert rating_for(True, HARD_OVER) == Rating.Good
    assert rating_for(True, HARD_OVER + timedelta(seconds=1)) == Rating.Hard


async def test_leitner_boxes_become_fsrs_cards_without_losing_any(empty_db: Database) -> None:
    await migrate.upgrade(empty_db, "0010_mastery")
    updated = datetime(2026, 3, 1, 10, 0)  # noqa: DTZ001  # raw SQL: the columns hold naive UTC
    async with empty_db.transaction() as session:
        await session.execute(
            text("INSERT INTO users (id, created_at) VALUES (7, :at)"), {"at": updated}
        )
        for box in range(1, 6):
            await session.execute(
                text(
                    "INSERT INTO review_cards (user_id, question_id, box, due_on, updated_at)"
                    " VALUES (7, :q, :box, :due, :at)"
                ),
                {"q": f"q{box}", "box": box, "due": date(2026, 3, 1 + box), "at": updated},
            )
    await migrate.upgrade(empty_db)
    async with empty_db.read() as session:
        cards = list(await session.scalars(select(ReviewCard).order_by(ReviewCard.question_id)))
    assert [c.question_id for c in cards] == [f"q{b}" for b in range(1, 6)]
    assert [c.due_on for c in cards] == [date(2026, 3, 1 + b) for b in range(1, 6)]
    assert [c.stability for c in cards] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert all(c.state == 2 and c.lapses == 1 for c in cards)
    assert cards[0].last_review == updated.replace(tzinfo=UTC)

    await migrate.downgrade(empty_db, "0010_mastery")
    async with empty_db.read() as session:
        rows = (await session.execute(text("SELECT box, due_on FROM review_cards"))).all()
    assert sorted(r[0] for r in rows) == [1, 2, 3, 4, 5]


async def test_the_rebuild_command_restores_the_live_values(
    content: Content, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    db = Database(url)
    try:
        await migrate.upgrade(db)
        await simulate(db, content, answers=12, seed=3)
        live = await snapshot(db)
        async with db.transaction() as session:
            await session.execute(delete(SkillMastery))
            await session.execute(update(QuestionDifficulty).values(difficulty=0.0))
    finally:
        await db.close()
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "mastery", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Mastery rebuilt from 12 answers" in done.stdout
    db = Database(url)
    try:
        assert await snapshot(db) == live
    finally:
        await db.close()


async def test_concurrent_first_answers_on_one_question_both_count(
    db: Database, content: Content
) -> None:
    """Twenty members answer a question nobody has answered, at once: no update is lost."""
    question = content.questions[sorted(content.questions)[0]]
    members = list(range(201, 221))
    async with db.transaction() as session:
        for user in members:
            await ensure_user(session, user, T0)

    async def one(user: int) -> None:
        async with db.transaction() as session:
            await record_answers(
                session,
                content,
                [AnsweredQuestion(user, question.id, user % 2 == 0, T0 + timedelta(seconds=user))],
            )

    await asyncio.gather(*(one(user) for user in members))
    async with db.read() as session:
        calibrated = await session.get(QuestionDifficulty, question.id)
        cards = list(await session.scalars(select(ReviewCard)))
    assert calibrated is not None and calibrated.answers == len(members)
    assert len(cards) == len(members)

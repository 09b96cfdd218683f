"""The learner model and FSRS review: update cost per answer, rebuild time, report time.

1. Pure update cost: ``mastery_model.update`` and one FSRS ``review`` per answer (µs).
2. In the answer's transaction: ``apply_answers`` + ``apply_reviews`` (the two calls every
   answer path makes), per answer, called with 1 answer (today's per-answer path) and with
   50 (a batched group commit), on SQLite and PostgreSQL; the time excludes the commit.
3. ``python -m bot mastery rebuild`` on 5,000 answers of one member (SQLite, PostgreSQL).
4. ``mastery_of`` for that member (per-skill, per-category and per-track values), p50/p95:
   what the career plan and readiness read.
5. ``/career plan`` and ``/career readiness`` for that member (p50/p95), and the readiness
   chart's PNG render.

    .venv/bin/python -m bench.mastery [--answers 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import literal, select

from bench._common import (
    POSTGRES_URL,
    code_version,
    create_schema,
    drop_schema,
    machine,
    percentile,
    postgres_version,
)
from bot.clock import FrozenClock
from bot.content.catalogue import Content, load_content
from bot.db import migrate
from bot.db.engine import Database
from bot.db.models import QuizAnswer
from bot.services import mastery_model as model
from bot.services import review
from bot.services.career import CareerService
from bot.services.mastery import AnsweredQuestion, MasteryService, apply_answers
from bot.services.practice import PracticeService
from bot.services.review import ReviewedAnswer, apply_reviews
from bot.services.users import ensure_user
from bot.ui.embeds.career import readiness_chart

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
MEMBER = 4242


def pure_costs(n: int) -> tuple[float, float]:
    """µs per call of the model update and of one FSRS review."""
    rng = random.Random(1)
    verdicts = [rng.random() < 0.6 for _ in range(n)]
    state, question = model.SkillState(), model.new_question("intermediate")
    started = time.perf_counter()
    for i, right in enumerate(verdicts):
        state, question = model.update(state, question, right, T0 + timedelta(hours=i))
    update_us = (time.perf_counter() - started) / n * 1e6
    card = None
    m = min(n, 20_000)
    started = time.perf_counter()
    for i in range(m):
        card = review.review(card, review.Rating.Good if verdicts[i] else review.Rating.Again, T0)
    review_us = (time.perf_counter() - started) / m * 1e6
    return update_us, review_us


async def open_db(backend: str, folder: Path) -> tuple[Database, str | None]:
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{folder / f'bench-{time.monotonic_ns()}.db'}"), None
    schema = await create_schema()
    return Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}), schema


async def with_db(backend: str, folder: Path, job: Callable[[Database], object]) -> object:
    db, schema = await open_db(backend, folder)
    try:
        await migrate.upgrade(db)
        return await job(db)  # type: ignore[misc]
    finally:
        await db.close()
        if schema:
            await drop_schema(schema)


def _answers(content: Content, n: int, users: list[int], seed: int) -> list[tuple[int, str, bool]]:
    rng = random.Random(seed)
    questions = sorted(content.questions)
    return [(rng.choice(users), rng.choice(questions), rng.random() < 0.6) for _ in range(n)]


async def in_transaction(db: Database, content: Content, n: int, batch: int) -> tuple[float, float]:
    """µs per answer of the two learning calls inside the answer's transaction (p50 of calls)."""
    users = list(range(1, 51))
    async with db.transaction() as session:
        for user in users:
            await ensure_user(session, user, T0)
    answers = _answers(content, n, users, seed=batch)
    per_answer: list[float] = []
    at = T0
    for start in range(0, n, batch):
        chunk = answers[start : start + batch]
        stamps = [at + timedelta(seconds=i) for i in range(len(chunk))]
        at = stamps[-1] + timedelta(minutes=1)
        async with db.transaction() as session:
            began = time.perf_counter()
            await apply_reviews(
                session,
                [
                    ReviewedAnswer(u, None, q, c, s, timedelta(seconds=20))
                    for (u, q, c), s in zip(chunk, stamps, strict=True)
                ],
            )
            await apply_answers(
                session,
                content,
                [AnsweredQuestion(u, q, c, s) for (u, q, c), s in zip(chunk, stamps, strict=True)],
            )
            per_answer.append((time.perf_counter() - began) / len(chunk) * 1e6)
    return statistics.median(per_answer), percentile(per_answer, 0.95)


async def round_trip(db: Database, n: int = 300) -> float:
    """The anchor: µs of one trivial statement (``SELECT 1``) inside a write transaction."""
    times = []
    for _ in range(n // 10):
        async with db.transaction() as session:
            began = time.perf_counter()
            for _ in range(10):
                await session.execute(select(literal(1)))
            times.append((time.perf_counter() - began) / 10 * 1e6)
    return statistics.median(times)


async def seed_history(db: Database, content: Content, n: int) -> None:
    """``n`` answers of one member, one every two hours, straight into quiz_answers."""
    async with db.transaction() as session:
        await ensure_user(session, MEMBER, T0)
        rows = [
            {
                "user_id": MEMBER,
                "guild_id": None,
                "question_id": q,
                "mode": "practice",
                "post_id": None,
                "prompt_id": None,
                "choice": 0,
                "correct": c,
                "answered_at": T0 + timedelta(hours=2 * i),
            }
            for i, (_u, q, c) in enumerate(_answers(content, n, [MEMBER], seed=5))
        ]
        for start in range(0, n, 1000):
            await session.execute(QuizAnswer.__table__.insert(), rows[start : start + 1000])


async def rebuild_and_report(
    db: Database, content: Content, n: int, runs: int
) -> tuple[list[float], list[float], int]:
    """Rebuild times (s) and mastery_of times (ms) with ``n`` answers in one member's history."""
    await seed_history(db, content, n)
    clock = FrozenClock(T0 + timedelta(hours=2 * n))
    service = MasteryService(db, clock, content)
    rebuilds = []
    for _ in range(runs):
        started = time.perf_counter()
        summary = await service.rebuild()
        rebuilds.append(time.perf_counter() - started)
    assert summary.answers == n
    reports = []
    for _ in range(max(20, runs * 10)):
        started = time.perf_counter()
        report = await service.mastery_of(MEMBER)
        reports.append((time.perf_counter() - started) * 1e3)
    return rebuilds, reports, len(report.skills)


async def plan_and_chart(
    db: Database, content: Content, n: int, runs: int
) -> dict[str, list[float]]:
    """``/career plan`` and ``/career readiness`` (with the chart) for a member with ``n`` answers."""
    await seed_history(db, content, n)
    clock = FrozenClock(T0 + timedelta(hours=2 * n))
    mastery = MasteryService(db, clock, content)
    await mastery.rebuild()
    career = CareerService(db, clock, content, mastery, PracticeService(db, clock, content))
    await career.set_goal(MEMBER, "python-backend", weekly_minutes=None, weekly_dm=None)
    timings: dict[str, list[float]] = {"plan": [], "readiness": [], "chart": []}
    for _ in range(max(20, runs * 10)):
        started = time.perf_counter()
        await career.plan(MEMBER)
        timings["plan"].append((time.perf_counter() - started) * 1e3)
        started = time.perf_counter()
        readiness = await career.readiness(MEMBER)
        timings["readiness"].append((time.perf_counter() - started) * 1e3)
        started = time.perf_counter()
        readiness_chart(readiness)
        timings["chart"].append((time.perf_counter() - started) * 1e3)
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pure", type=int, default=200_000)
    parser.add_argument("--applied", type=int, default=1000)
    args = parser.parse_args()
    content = load_content()

    facts = machine(await postgres_version())
    print("# " + "; ".join(f"{k} {v}" for k, v in facts.items()))
    print(f"# code at {code_version(['bot', 'bench'])}; {datetime.now(UTC):%Y-%m-%d}")

    update_us, review_us = pure_costs(args.pure)
    print("## pure cost per answer")
    print(f"mastery_model.update: {update_us:.2f} µs; FSRS review: {review_us:.2f} µs")

    print(f"## in the answer's transaction ({args.applied} answers, 50 members, commit excluded)")
    print(
        f"{'backend':<11} {'answers/call':>12} {'p50 µs/answer':>14} {'p95 µs/answer':>14} "
        f"{'p50 / SELECT 1':>15}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for backend in ("sqlite", "postgresql"):
            anchor = await with_db(backend, Path(folder), round_trip)
            print(f"{backend:<11} {'SELECT 1':>12} {anchor:>14.0f} {'':>14} {1.0:>15.1f}")
            for batch in (1, 50):
                p50, p95 = await with_db(
                    backend,
                    Path(folder),
                    lambda db, b=batch: in_transaction(db, content, args.applied, b),
                )  # type: ignore[misc]
                print(f"{backend:<11} {batch:>12} {p50:>14.0f} {p95:>14.0f} {p50 / anchor:>15.1f}")

        print(f"## rebuild and mastery_of: {args.answers} answers of one member")
        print(
            f"{'backend':<11} {'rebuild best s':>14} {'rebuild median s':>16} "
            f"{'mastery_of p50 ms':>17} {'p95 ms':>8}"
        )
        for backend in ("sqlite", "postgresql"):
            rebuilds, reports, skills = await with_db(
                backend,
                Path(folder),
                lambda db: rebuild_and_report(db, content, args.answers, args.runs),
            )  # type: ignore[misc]
            print(
                f"{backend:<11} {min(rebuilds):>14.3f} {statistics.median(rebuilds):>16.3f} "
                f"{percentile(reports, 0.5):>17.2f} {percentile(reports, 0.95):>8.2f}"
            )
        print(
            f"({skills} skills answered; roll-ups over {len(content.skills)} skills and "
            f"{len(content.tracks)} tracks)"
        )
        print(f"## career plan, readiness and its chart: {args.answers} answers of one member")
        print(f"{'backend':<11} {'what':<10} {'p50 ms':>8} {'p95 ms':>8}")
        for backend in ("sqlite", "postgresql"):
            timings = await with_db(
                backend,
                Path(folder),
                lambda db: plan_and_chart(db, content, args.answers, args.runs),
            )  # type: ignore[misc]
            for what, values in timings.items():
                print(
                    f"{backend:<11} {what:<10} {percentile(values, 0.5):>8.2f} "
                    f"{percentile(values, 0.95):>8.2f}"
                )


if __name__ == "__main__":
    asyncio.run(main())

"""Recap generation benchmark: weekly and season recaps and milestone batches for a big guild.

Run from the repository root::

    .venv/bin/python -m bench.recap                               # 100k members, 1M ledger rows
    .venv/bin/python -m bench.recap --members 2000 --ledger-rows 50000 --samples 5

Data: the leaderboard benchmark's generator and loaders (``bench.leaderboard``), so guild A
(Europe/Berlin) has ``--members`` members with points, study and streak boards for every
period and guild B (ten times larger values, its own users) would top any recap that
forgot the guild filter. On top of that, loaded with the raw driver in the same way:

* 28 daily questions in guild A (the four weeks before 2026-11-16), each answered by
  ``--answer-share`` of the members, right with a per-question probability, so "the
  hardest question of the week" has one right answer, computed here in Python;
* a recap channel for guild A.

Measured, per backend, ``--samples`` times after one untimed warm-up:

* ``RecapService.weekly`` for the week of 2026-11-09 (posted Monday 2026-11-16) plus the
  embed rendering: what the ``recap-week`` feed does in ``draft``;
* ``RecapService.season`` for the closed season 1, plus rendering;
* ``RecapService.configure`` turning milestone posts on (the streaks members already have
  are recorded as known, one row per member with a 7+ day streak), once;
* a milestone batch: 1 % of the streak board touched, then ``sweep_milestones``,
  ``milestones_due`` and ``take_batch`` (what one ``milestones`` tick does), once.

Every weekly and season recap is checked against the generated data (top 3 of the points
and study boards, participation, the hardest question); a mismatch raises. Nothing about
time is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench._common import (
    POSTGRES_URL,
    code_version,
    create_schema,
    drop_schema,
    machine,
    markdown_table,
    percentile,
    plain_dsn,
    postgres_version,
)
from bench.leaderboard import (
    GUILD_A,
    USER_BASE_B,
    CheckFailed,
    Expected,
    GuildData,
    generate_two_guilds,
    load_postgres,
    load_sqlite,
    naive,
    sqlite_text,
)
from bot.clock import FrozenClock
from bot.content.catalogue import load_content
from bot.db.engine import Database
from bot.services import points
from bot.services.leaderboards import LeaderboardService
from bot.services.recaps import Recap, RecapService
from bot.ui.embeds.recaps import recap_embed

RECAP_MONDAY = date(2026, 11, 16)  # the recap posted that Monday covers 9-15 November
WEEK_START = RECAP_MONDAY - timedelta(days=7)
POSTED = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
CHANNEL = 1_200_000_000_000_000_001
DAILY_DAYS = 28
CODE_UNDER_TEST = (
    "bot/services/recaps.py",
    "bot/services/leaderboards.py",
    "bot/ui/embeds/recaps.py",
    "bot/db/models",
    "migrations",
)


@dataclass
class Quiz:
    """Guild A's daily questions and answers, and the truth about the recap week."""

    posts: list[tuple]  # (id, local_date, question_id)
    answers: list[tuple]  # (id, user_id, question_id, post_id, choice, correct, answered_at)
    hardest: tuple[str, int, int]  # (question id, answered, right) of the recap week


def generate_quiz(seed: int, a: GuildData, share: float, question_ids: list[str]) -> Quiz:
    rng = random.Random(seed)
    posts, answers = [], []
    week: dict[str, list[int]] = {}
    first = RECAP_MONDAY - timedelta(days=DAILY_DAYS)
    answer_id = 1
    for day in range(DAILY_DAYS):
        local = first + timedelta(days=day)
        question = question_ids[day % len(question_ids)]
        post_id = day + 1
        posts.append((post_id, local, question))
        p_right = 0.2 + 0.7 * rng.random()
        at = datetime(local.year, local.month, local.day, 9, 30, tzinfo=UTC)
        for m in rng.sample(range(a.members), int(a.members * share)):
            right = rng.random() < p_right
            answers.append(
                (answer_id, a.user_id(m), question, post_id, 0 if right else 1, right, at)
            )
            answer_id += 1
            if WEEK_START <= local < RECAP_MONDAY:
                tally = week.setdefault(question, [0, 0])
                tally[0] += 1
                tally[1] += right
    hardest = min(week.items(), key=lambda kv: (kv[1][1] / kv[1][0], -kv[1][0], kv[0]))
    return Quiz(posts, answers, (hardest[0], hardest[1][0], hardest[1][1]))


def quiz_rows(quiz: Quiz, sqlite: bool) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    conv: Callable[[Any], Any] = sqlite_text if sqlite else naive
    day: Callable[[date], Any] = (lambda d: d.isoformat()) if sqlite else (lambda d: d)
    yes, no = (1, 0) if sqlite else (True, False)
    claimed = conv(POSTED - timedelta(days=40))
    posts = [
        (i, GUILD_A, day(d), q, "0,1,2,3", CHANNEL, 10_000 + i, claimed, claimed, claimed)
        for i, d, q in quiz.posts
    ]
    answers = [
        (i, u, GUILD_A, q, "daily", p, None, c, yes if r else no, conv(t))
        for i, u, q, p, c, r, t in quiz.answers
    ]
    return {
        "daily_posts": (
            (
                "id",
                "guild_id",
                "local_date",
                "question_id",
                "choice_order",
                "channel_id",
                "message_id",
                "claimed_at",
                "posted_at",
                "closed_at",
            ),
            posts,
        ),
        "quiz_answers": (
            (
                "id",
                "user_id",
                "guild_id",
                "question_id",
                "mode",
                "post_id",
                "prompt_id",
                "choice",
                "correct",
                "answered_at",
            ),
            answers,
        ),
    }


def load_quiz_sqlite(path: Path, quiz: Quiz) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for table, (cols, rows) in quiz_rows(quiz, sqlite=True).items():
            marks = ", ".join("?" for _ in cols)
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return time.perf_counter() - started


async def load_quiz_postgres(schema: str, quiz: Quiz) -> float:
    started = time.perf_counter()
    conn = await asyncpg.connect(plain_dsn(POSTGRES_URL), server_settings={"search_path": schema})
    try:
        for table, (cols, rows) in quiz_rows(quiz, sqlite=False).items():
            await conn.copy_records_to_table(
                table, records=rows, columns=list(cols), schema_name=schema
            )
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
            await conn.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        await conn.close()
    return time.perf_counter() - started


# -- what the recaps must say ----------------------------------------------------------------


def top3(a: GuildData, board: str, period: str, key: str) -> list[tuple[int, int]]:
    for totals in a.boards[board]:
        if totals.period == period and totals.key == key:
            ranked = Expected.of(
                [
                    (-value, last_pos if last_pos >= 0 else first, a.user_id(m))
                    for m, (value, last_pos, first) in totals.rows.items()
                    if value > 0 and m not in a.left
                ]
            )
            return list(zip(ranked.ids[:3], ranked.values[:3], strict=True))
    return []


def participants(a: GuildData, period: str, key: str) -> int:
    who: set[int] = set()
    for board in ("points", "study"):
        for totals in a.boards[board]:
            if totals.period == period and totals.key == key:
                who |= {m for m, row in totals.rows.items() if row[0] > 0 and m not in a.left}
    return len(who)


@dataclass
class Truth:
    week: dict[str, list[tuple[int, int]]]
    week_participants: int
    season: dict[str, list[tuple[int, int]]]
    season_participants: int
    hardest: tuple[str, int, int]


def truth_of(a: GuildData, quiz: Quiz) -> Truth:
    week_key = points.period_keys(
        datetime.combine(WEEK_START, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12),
        a.timezone,
        0,
    ).week
    season_key = str(a.seasons[0])
    return Truth(
        {b: top3(a, b, "week", week_key) for b in ("points", "study")},
        participants(a, "week", week_key),
        {b: top3(a, b, "season", season_key) for b in ("points", "study")},
        participants(a, "season", season_key),
        quiz.hardest,
    )


def check(
    recap: Recap,
    tops: dict[str, list[tuple[int, int]]],
    people: int,
    truth: Truth,
    where: str,
    *,
    hardest: bool,
) -> None:
    got = {board: [(r.user_id, r.value) for r in rows] for board, _, rows in recap.boards}
    for board, want in tops.items():
        if got.get(board) != want:
            raise CheckFailed(f"{where}: {board} top 3 {got.get(board)} != {want}")
    if recap.participants != people:
        raise CheckFailed(f"{where}: {recap.participants} participants, expected {people}")
    if hardest:
        h = recap.hardest
        found = (h.question_id, h.answered, h.right) if h else None
        if found != truth.hardest:
            raise CheckFailed(f"{where}: hardest {found} != {truth.hardest}")


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Row:
    backend: str
    case: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    samples: int
    detail: str


async def timed(call: Callable[[], Awaitable[Any]], samples: int) -> tuple[list[float], Any]:
    result = await call()  # warm-up, not timed
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        result = await call()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


async def measure(db: Database, backend: str, truth: Truth, samples: int) -> list[Row]:
    clock = FrozenClock(POSTED)
    content = load_content()
    recaps = RecapService(db, clock, content, LeaderboardService(db, clock))
    rows = []

    async def weekly() -> Recap:
        recap = await recaps.weekly(GUILD_A, RECAP_MONDAY)
        recap_embed(recap)
        return recap

    times, recap = await timed(weekly, samples)
    check(recap, truth.week, truth.week_participants, truth, f"{backend} weekly", hardest=True)
    rows.append(
        _row(
            backend,
            "weekly recap (draft + embed)",
            times,
            f"{recap.participants:,} participants, {recap.new_streak_count:,} new streaks",
        )
    )

    async def season() -> Recap:
        found = await recaps.season(GUILD_A, 1)
        assert found is not None
        recap_embed(found)
        return found

    times, recap = await timed(season, samples)
    check(recap, truth.season, truth.season_participants, truth, f"{backend} season", hardest=False)
    rows.append(
        _row(backend, "season recap (draft + embed)", times, f"{recap.participants:,} participants")
    )

    started = time.perf_counter()
    await recaps.configure(GUILD_A, CHANNEL, moderator_id=1, milestones=True, weekly=True)
    known = await _count(db, "SELECT count(*) FROM milestones WHERE batch = 'before'")
    rows.append(
        _row(
            backend,
            "turn milestone posts on",
            [(time.perf_counter() - started) * 1000],
            f"{known:,} existing streak milestones recorded as known",
        )
    )

    touched = await _touch_streaks(db, backend)
    clock.set(POSTED + timedelta(minutes=1))
    started = time.perf_counter()
    await recaps.sweep_milestones(clock.now())
    swept = time.perf_counter()
    clock.set(POSTED + timedelta(minutes=15))
    dues = await recaps.milestones_due(clock.now())
    if len(dues) != 1:
        raise CheckFailed(f"{backend}: {len(dues)} milestone posts due, expected 1")
    batch = await recaps.take_batch(GUILD_A, dues[0].occurrence.key)
    done = time.perf_counter()
    if not batch.lines or any(line.user_id >= USER_BASE_B for line in batch.lines):
        raise CheckFailed(f"{backend}: a milestone batch that is empty or leaks guild B")
    rows.append(
        _row(
            backend,
            "milestone sweep (1 % of streaks touched)",
            [(swept - started) * 1000],
            f"{touched:,} streak rows touched",
        )
    )
    rows.append(
        _row(
            backend,
            "milestone post: due + take batch",
            [(done - swept) * 1000],
            f"{len(batch.lines)} named + {batch.more:,} more",
        )
    )
    return rows


def _row(backend: str, case: str, times: Sequence[float], detail: str) -> Row:
    return Row(
        backend,
        case,
        percentile(times, 0.5),
        percentile(times, 0.95),
        max(times),
        len(times),
        detail,
    )


async def _count(db: Database, sql: str) -> int:
    from sqlalchemy import text

    async with db.read() as session:
        return int(await session.scalar(text(sql)) or 0)


async def _touch_streaks(db: Database, backend: str) -> int:
    """One member in a hundred extends a streak past a milestone (as a day's activity would)."""
    from sqlalchemy import text

    at = POSTED + timedelta(seconds=30)
    async with db.transaction() as session:
        result = await session.execute(
            text(
                "UPDATE board_totals SET value = 30, reached_at = :at "
                "WHERE guild_id = :g AND board = 'streak' AND period = 'all' "
                "AND value BETWEEN 8 AND 29 AND user_id % 100 = 7"
            ),
            {
                "at": at.replace(tzinfo=None) if backend == "postgresql" else sqlite_text(at),
                "g": GUILD_A,
            },
        )
        return result.rowcount or 0


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--ledger-rows", type=int, default=1_000_000)
    parser.add_argument("--answer-share", type=float, default=0.2)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=20261116)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> None:
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    facts = machine(await postgres_version() if "postgresql" in backends else None)
    facts["code"] = code_version(CODE_UNDER_TEST)
    facts["date"] = datetime.now(UTC).strftime("%Y-%m-%d")
    print("machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()), flush=True)

    started = time.perf_counter()
    a, b = generate_two_guilds(args.seed, args.members, args.ledger_rows)
    question_ids = sorted(load_content().questions)
    quiz = generate_quiz(args.seed, a, args.answer_share, question_ids)
    truth = truth_of(a, quiz)
    print(
        f"generated {args.members:,} members, {args.ledger_rows:,} ledger rows, "
        f"{len(quiz.answers):,} daily answers in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    workdir = Path(tempfile.mkdtemp(prefix="bench-recap-"))
    schema: str | None = None
    rows: list[Row] = []
    loads: list[list[object]] = []
    try:
        for backend in backends:
            if backend == "sqlite":
                path = workdir / "recap.db"
                load = await load_sqlite(path, [a, b])
                extra = load_quiz_sqlite(path, quiz)
                db = Database(f"sqlite+aiosqlite:///{path}")
            else:
                schema = await create_schema(prefix="bench_recap")
                load = await load_postgres(schema, [a, b])
                extra = await load_quiz_postgres(schema, quiz)
                db = Database(
                    POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
                )
            loads.append([backend, f"{load.total_s:.1f}", f"{extra:.1f}"])
            print(f"loaded {backend} in {load.total_s + extra:.1f} s", flush=True)
            try:
                rows += await measure(db, backend, truth, args.samples)
            finally:
                await db.close()
    finally:
        if schema:
            await drop_schema(schema)
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()))
    print(
        f"data: {args.members:,} members in guild A ({len(a.left):,} departed), "
        f"{args.ledger_rows:,} ledger rows, {len(quiz.answers):,} daily answers over "
        f"{DAILY_DAYS} days; guild B {b.members:,} members"
    )
    print()
    print(markdown_table(["backend", "leaderboard data s", "daily answers s"], loads))
    print()
    print(
        markdown_table(
            ["backend", "case", "p50 ms", "p95 ms", "max ms", "samples", "detail"],
            [
                [
                    r.backend,
                    r.case,
                    f"{r.p50_ms:.1f}",
                    f"{r.p95_ms:.1f}",
                    f"{r.max_ms:.1f}",
                    r.samples,
                    r.detail,
                ]
                for r in rows
            ],
        )
    )
    print("\nEvery recap matched the generated data (top 3, participation, hardest question).")


def main(argv: Sequence[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()

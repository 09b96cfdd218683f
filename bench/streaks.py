"""Streak benchmark: activity records through the service layer, /streak reads, rebuilds, heatmaps.

Run from the repository root (PostgreSQL as in the test suite: MENTOR_TEST_POSTGRES,
default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``)::

    .venv/bin/python -m bench.streaks

(a) For each backend, on a fresh database migrated with ``bot.db.migrate.upgrade``
(SQLite: a new file under /tmp; PostgreSQL: a new schema, passed as ``search_path``
the way tests/conftest.py does, dropped afterwards):

- ``--users`` members with realistic habits (daily, casual and rare; several timezones,
  some falling back to the guild's), all members of one guild, log study sessions and quiz answers over ``--days``
  days. Timestamps come from a ``FrozenClock`` advanced through each day. Every record is
  one ``db.transaction()`` with ``ensure_user`` + ``record_activity``, as the services do.
  The same event list runs once sequentially and once with ``--concurrency`` tasks (each
  user pinned to one task, so a user's own records stay in order), each on its own
  fresh database. Afterwards every user's cached streak is checked against a rebuild,
  and the streak board (``board_totals``) against the cache.
- One member with ``--history-days`` (2 years) of history: ``StreakService.view``
  (what /streak reads), ``rebuild_user`` (the full recompute from the log, stored),
  ``StreakService.verify`` and the pure ``streak_engine.rebuild``.

(b) ``render_heatmap`` for an empty, a sparse and a full 26-week history.

Prints tables only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg
from sqlalchemy import func, select, update

from bench._common import POSTGRES_URL, percentile, plain_dsn
from bot.clock import FrozenClock
from bot.db import migrate
from bot.db.engine import Database
from bot.db.models import Activity, BoardTotal, Guild, StreakEvent, User
from bot.services.activity import record_activity
from bot.services.streak_engine import rebuild
from bot.services.streaks import HEATMAP_DAYS, StreakService, rebuild_user
from bot.services.users import ensure_member, ensure_user
from bot.ui.heatmap import render_heatmap

GUILD = 1
GUILD_TZ = "Europe/London"
FIRST_USER = 10_000
VETERAN = 1  # the member with two years of history
# None: the member never set a timezone, so the guild's counts.
ZONES = [
    None,
    None,
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
]
# (share of members, chance of being active on a given day)
HABITS = [(0.2, 0.9), (0.5, 0.45), (0.3, 0.1)]
START = datetime(2026, 9, 1, tzinfo=UTC)
TODAY = date(2026, 11, 21)


@dataclass(frozen=True)
class Event:
    user_id: int
    at: datetime
    kind: str
    minutes: int


# -- helpers -------------------------------------------------------------------------------


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [
        [
            f"{c:,.2f}" if isinstance(c, float) else f"{c:,}" if isinstance(c, int) else str(c)
            for c in r
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        pairs = enumerate(zip(r, widths, strict=True))
        print("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs) + " |")
    print()


async def open_database(backend: str) -> tuple[Database, Callable[[], Awaitable[None]]]:
    """A fresh database migrated to head, and a coroutine that closes and removes it."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="mentor-bench-")
        db = Database(f"sqlite+aiosqlite:///{folder}/streaks.db")

        async def cleanup() -> None:
            await db.close()
            shutil.rmtree(folder, ignore_errors=True)

    else:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        dsn = plain_dsn(POSTGRES_URL)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE SCHEMA "{schema}"')
        finally:
            await conn.close()
        db = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})

        async def cleanup() -> None:
            await db.close()
            conn = await asyncpg.connect(dsn)
            try:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            finally:
                await conn.close()

    await migrate.upgrade(db)
    return db, cleanup


async def seed_users(db: Database, users: int, rng: random.Random) -> None:
    """The guild and its members (so streaks reach the streak board), with timezones (untimed)."""
    async with db.transaction() as session:
        for user_id in [VETERAN, *range(FIRST_USER, FIRST_USER + users)]:
            await ensure_member(session, GUILD, user_id, f"member {user_id}", START)
        await session.execute(update(Guild).where(Guild.id == GUILD).values(timezone=GUILD_TZ))
        for user_id in range(FIRST_USER, FIRST_USER + users):
            zone = rng.choice(ZONES)
            if zone:
                await session.execute(update(User).where(User.id == user_id).values(timezone=zone))
        await session.execute(
            update(User).where(User.id == VETERAN).values(timezone="America/New_York")
        )


def day_of_events(clock: FrozenClock, todo: list[tuple[int, int, str, int]]) -> list[Event]:
    """Walk the clock through one UTC day: ``todo`` is (second of day, user, kind, minutes)."""
    events = []
    midnight = clock.now()
    for second, user_id, kind, minutes in sorted(todo):
        clock.advance(midnight + timedelta(seconds=second) - clock.now())
        events.append(Event(user_id, clock.now(), kind, minutes))
    clock.set(midnight + timedelta(days=1))
    return events


def actions_on(rng: random.Random, user_id: int) -> list[tuple[int, int, str, int]]:
    """One active day of a member: 1-3 study sessions or quiz answers."""
    out = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        second = rng.randrange(86_400)
        if rng.random() < 0.7:
            out.append((second, user_id, "study", rng.choice([10, 15, 20, 30, 45, 60, 90])))
        else:
            out.append((second, user_id, "quiz", 0))
    return out


def crowd_events(users: int, days: int, seed: int) -> list[Event]:
    rng = random.Random(seed)
    chances, shares = [c for _, c in HABITS], [s for s, _ in HABITS]
    habit = {u: rng.choices(chances, shares)[0] for u in range(FIRST_USER, FIRST_USER + users)}
    clock = FrozenClock(START)
    events: list[Event] = []
    for _ in range(days):
        todo = []
        for user_id, chance in habit.items():
            if rng.random() < chance:
                todo.extend(actions_on(rng, user_id))
        events.extend(day_of_events(clock, todo))
    return events


def veteran_events(days: int, end: date, seed: int) -> list[Event]:
    """Two years of one keen member: mostly daily, with breaks of a few days now and then."""
    rng = random.Random(seed)
    clock = FrozenClock(datetime.combine(end - timedelta(days=days), datetime.min.time(), UTC))
    events: list[Event] = []
    pause = 0
    for _ in range(days):
        if pause:
            pause -= 1
            todo = []
        elif rng.random() < 0.03:
            pause = rng.randint(1, 6)
            todo = []
        else:
            todo = actions_on(rng, VETERAN) if rng.random() < 0.9 else []
        events.extend(day_of_events(clock, todo))
    return events


async def record(db: Database, event: Event) -> float:
    """One counted action as a service records it; returns seconds taken."""
    start = time.perf_counter()
    async with db.transaction() as session:
        await ensure_user(session, event.user_id, event.at)
        await record_activity(
            session,
            user_id=event.user_id,
            guild_id=GUILD,
            kind=event.kind,
            now=event.at,
            minutes=event.minutes,
            skill="python" if event.kind == "study" else None,
        )
    return time.perf_counter() - start


async def run_events(
    db: Database, events: list[Event], concurrency: int
) -> tuple[float, list[float]]:
    """Wall seconds and per-record latencies; a user's records stay in order."""
    latencies: list[float] = []
    if concurrency <= 1:
        start = time.perf_counter()
        for event in events:
            latencies.append(await record(db, event))
        return time.perf_counter() - start, latencies
    lanes: list[list[Event]] = [[] for _ in range(concurrency)]
    for event in events:
        lanes[event.user_id % concurrency].append(event)

    async def lane(todo: list[Event]) -> None:
        for event in todo:
            latencies.append(await record(db, event))

    start = time.perf_counter()
    await asyncio.gather(*(lane(todo) for todo in lanes))
    return time.perf_counter() - start, latencies


async def check_streaks(db: Database, users: int, now: datetime) -> tuple[int, int]:
    """Members whose cached streak differs from a rebuild, and from the streak board."""
    service = StreakService(db, FrozenClock(now))
    wrong = 0
    for user_id in range(FIRST_USER, FIRST_USER + users):
        cached, rebuilt = await service.verify(user_id)
        wrong += cached != rebuilt
    async with db.transaction() as session:
        board = dict(
            (
                await session.execute(
                    select(BoardTotal.user_id, BoardTotal.value).where(
                        BoardTotal.guild_id == GUILD, BoardTotal.board == "streak"
                    )
                )
            ).all()
        )
        cache = dict((await session.execute(select(User.id, User.streak_current))).all())
    off_board = sum(board.get(u, 0) != cache[u] for u in range(FIRST_USER, FIRST_USER + users))
    return wrong, off_board


async def timed_calls(fn: Callable[[], Awaitable[object]], n: int) -> list[float]:
    await fn()  # warm-up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
    return samples


# -- (a) the database ------------------------------------------------------------------------


async def bench_backend(backend: str, args: argparse.Namespace) -> tuple[list, list, dict]:
    crowd = crowd_events(args.users, args.days, seed=11)
    end = (START + timedelta(days=args.days)).date()
    throughput_rows = []
    modes = [1, args.concurrency] if args.concurrency > 1 else [1]
    for concurrency in modes:
        db, cleanup = await open_database(backend)
        try:
            await seed_users(db, args.users, random.Random(5))
            gc.collect()
            wall, lat = await run_events(db, crowd, concurrency)
            wrong = await check_streaks(db, args.users, START + timedelta(days=args.days, hours=12))
            ms = [s * 1000 for s in lat]
            throughput_rows.append(
                (
                    f"{backend}, {'sequential' if concurrency == 1 else f'{concurrency} tasks'}",
                    len(crowd),
                    len(crowd) / wall,
                    statistics.median(ms),
                    percentile(ms, 0.99),
                    wrong[0],
                    wrong[1],
                )
            )
            if concurrency == modes[-1]:  # the veteran joins the last crowd's database
                veteran_rows, facts = await bench_veteran(db, args, end)
        finally:
            await cleanup()
    return throughput_rows, veteran_rows, facts


async def bench_veteran(db: Database, args: argparse.Namespace, end: date) -> tuple[list, dict]:
    """Two years for one member in the crowd's database, then reads and rebuilds."""
    history = veteran_events(args.history_days, end, seed=23)
    wall, _ = await run_events(db, history, 1)
    clock = FrozenClock(datetime.combine(end, datetime.min.time(), UTC) + timedelta(hours=18))
    service = StreakService(db, clock)
    today = end

    async def view() -> None:
        await service.view(VETERAN, GUILD)

    async def full_rebuild() -> None:
        async with db.transaction() as session:
            user = await session.get(User, VETERAN, with_for_update=True)
            assert user is not None
            await rebuild_user(session, user, today, clock.now())

    async def verify() -> None:
        await service.verify(VETERAN)

    async with db.transaction() as session:
        days = set(
            await session.scalars(
                select(Activity.local_day).where(Activity.user_id == VETERAN).distinct()
            )
        )
        member_rows = await session.scalar(
            select(func.count()).select_from(Activity).where(Activity.user_id == VETERAN)
        )
        total = await session.scalar(select(func.count()).select_from(Activity))

    await view()  # the first read after the last activity catches up on the days since
    samples = {
        "StreakService.view (/streak)": await timed_calls(view, args.views),
        "rebuild_user in a transaction": await timed_calls(full_rebuild, args.rebuilds),
        "StreakService.verify": await timed_calls(verify, args.rebuilds),
    }
    async with db.transaction() as session:
        events = await session.scalar(
            select(func.count()).select_from(StreakEvent).where(StreakEvent.user_id == VETERAN)
        )
        state = (await session.get(User, VETERAN)).streak_best  # type: ignore[union-attr]

    engine = []
    for _ in range(args.views * 5):
        start = time.perf_counter()
        rebuild(days, set(), max(days))
        engine.append(time.perf_counter() - start)

    rows = [
        (name, len(s), statistics.median(s) * 1000, percentile(s, 0.99) * 1000)
        for name, s in samples.items()
    ]
    rows.append(
        (
            "streak_engine.rebuild (pure, no I/O)",
            len(engine),
            statistics.median(engine) * 1000,
            percentile(engine, 0.99) * 1000,
        )
    )
    facts = {
        "history records": len(history),
        "history records/s (sequential)": f"{len(history) / wall:,.0f}",
        "activity rows of the member": member_rows,
        "active days": len(days),
        "streak events stored": events,
        "best streak": state,
        "activity rows in the table": total,
    }
    return rows, facts


# -- (b) the heatmap -------------------------------------------------------------------------


def bench_heatmap(renders: int) -> list:
    rng = random.Random(3)
    window = [TODAY - timedelta(days=i) for i in range(HEATMAP_DAYS)]
    sparse = {d: rng.choice([0, 10, 20, 45]) for d in window if rng.random() < 0.15}
    full = {d: rng.choice([5, 15, 30, 45, 60, 90, 120, 180]) for d in window}
    cases = {
        "empty": ({}, set()),
        f"sparse ({len(sparse)} active days)": (sparse, set(sparse)),
        f"full ({len(full)} active days)": (full, set(full)),
    }
    for minutes, active in cases.values():  # warm-up: font, card mask, allocator
        for _ in range(20):
            render_heatmap(minutes, active, TODAY)
    rows = []
    for name, (minutes, active) in cases.items():
        png = render_heatmap(minutes, active, TODAY)
        samples = []
        gc.collect()
        for _ in range(renders):
            start = time.perf_counter()
            render_heatmap(minutes, active, TODAY)
            samples.append(time.perf_counter() - start)
        ms = [s * 1000 for s in samples]
        rows.append((name, renders, statistics.median(ms), percentile(ms, 0.99), len(png)))
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30, help="days of crowd activity")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--history-days", type=int, default=730)
    parser.add_argument("--views", type=int, default=200, help="timed StreakService.view calls")
    parser.add_argument("--rebuilds", type=int, default=50, help="timed rebuilds and verifies")
    parser.add_argument("--renders", type=int, default=300, help="timed renders per heatmap")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()

    print("(b) render_heatmap, 26 weeks ending", TODAY)
    print_table(
        ["history", "renders", "median ms", "p99 ms", "PNG bytes"], bench_heatmap(args.renders)
    )

    throughput, veteran = [], {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        rows, vet_rows, facts = await bench_backend(backend, args)
        throughput.extend(rows)
        veteran[backend] = (vet_rows, facts)

    print(
        f"(a) record_activity in db.transaction() with ensure_user: {args.users} users, "
        f"{args.days} days from {START:%Y-%m-%d}"
    )
    print_table(
        [
            "backend, mode",
            "records",
            "records/s",
            "median ms",
            "p99 ms",
            "cache != rebuild",
            "board != cache",
        ],
        throughput,
    )
    for backend, (rows, facts) in veteran.items():
        print(f"(a) one member with {args.history_days} days of history, {backend}:")
        print("    " + ", ".join(f"{k}: {v}" for k, v in facts.items()))
        print_table(["operation", "calls", "median ms", "p99 ms"], rows)


if __name__ == "__main__":
    asyncio.run(main())

"""Leaderboard page benchmark: ``LeaderboardService.page`` on a big guild, SQLite and PostgreSQL.

Run from the repository root::

    .venv/bin/python bench/leaderboard.py                                   # full size
    .venv/bin/python bench/leaderboard.py --members 2000 --ledger-rows 50000 --samples 50

What it builds (deterministic for a given ``--seed``):

* guild A (the one measured, timezone Europe/Berlin): ``--members`` members, 80 % of whom
  ever earned points, 3 % of whom have left (``members.left_at`` set, their
  ``board_totals`` rows inactive); ``--ledger-rows`` ``points_ledger`` rows spread evenly
  over the 183 days before 2026-11-21 12:00 UTC, so weeks, months and two seasons (one
  closed on 2026-09-01, one open) all have their own keys. Activity per member is skewed
  (weight ~ 1/(rank+50)^0.8): a few very active members, a long tail.
* guild B (America/New_York): a tenth of the members and of the ledger rows, on user ids
  of its own, with amounts, study minutes and streaks ten times larger, so a missing
  guild filter would put its members at the top of guild A's pages.
* ``board_totals`` for the points and study boards and every period (week, month,
  season, all), computed from the generated events exactly as ``points.move_board``
  would have kept them: the points board is the sum of the member's ledger rows in that
  period (keys from ``points.period_keys`` in the guild's timezone), the study board the
  sum of the minutes of the study sessions behind the ``study`` ledger rows (each earns
  minutes // 10 points); ``reached_at`` is the time of the last positive change, or of
  the first change when none was positive.
* ``users`` (with ``streak_current`` for the streak board) and ``members`` rows.

Loading: the schema is the project's own (``bot.db.migrate.upgrade`` on a fresh SQLite
file under /tmp and a fresh PostgreSQL schema). The explicit indexes of ``points_ledger``
and ``board_totals`` (on PostgreSQL also their keys and foreign keys) are dropped, the rows
bulk-loaded with the raw driver in one transaction (sqlite3 ``executemany`` with
``journal_mode=OFF, synchronous=OFF``; asyncpg ``copy_records_to_table``), and the
indexes recreated from their exact stored definitions, then ANALYZE (PostgreSQL: VACUUM
ANALYZE, as autovacuum would leave a settled table). The schema is compared before and
after and the load fails loudly if anything differs; SQLite's ``foreign_key_check`` must
come back empty (PostgreSQL validates the foreign keys when they are re-added).

Measuring: for each board (points, study, streak) and period (week, month, season, all)
the time of ``page(guild_a, board=..., period=..., page=0, caller_id=...)`` -- a top-10
page plus the caller's own rank -- over ``--samples`` callers: 10 % from the top 1 % of
that board, 80 % drawn uniformly from everyone ranked on it (so mostly middle and
bottom), 10 % any member of the guild (often unranked or departed). Five warm-up calls
per case are not counted. The streak board has no periods; its four rows measure the
same query. Every page is checked (ranks non-decreasing, values non-increasing, no
guild B or departed member), and once per backend each case is compared with the
expected answer computed in Python (top ten, ranks, the caller's rank, has_next); any
mismatch raises. Nothing about time is asserted; the target (p95 < 20 ms on SQLite) is
only reported.

``--explain`` also prints, for the bottom-ranked caller of each case, every statement
``page`` runs with its plan (EXPLAIN QUERY PLAN / EXPLAIN (ANALYZE, BUFFERS)) and, on
SQLite, its own time.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import itertools
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench._common import (  # noqa: E402
    POSTGRES_URL,
    code_version,
    create_schema,
    drop_schema,
    machine,
    markdown_table,
    percentile,
    pg_schema_snapshot,
    pg_set_aside_indexes,
    plain_dsn,
    postgres_version,
    sqlite_schema_snapshot,
    sqlite_set_aside_indexes,
)
from bot.clock import FrozenClock  # noqa: E402
from bot.db import migrate  # noqa: E402
from bot.db.engine import Database  # noqa: E402
from bot.services import points  # noqa: E402
from bot.services.leaderboards import PAGE_SIZE, BoardPage, LeaderboardService  # noqa: E402

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=183)
START = NOW - SPAN
SEASON_SPLIT = datetime(2026, 9, 1, tzinfo=UTC)
NOW_T = int(NOW.timestamp())
START_T = int(START.timestamp())
SPLIT_T = int(SEASON_SPLIT.timestamp())

GUILD_A = 1_100_000_000_000_000_001
GUILD_B = 1_100_000_000_000_000_002
TZ_A = "Europe/Berlin"
TZ_B = "America/New_York"
USER_BASE_A = 500_000_000_000_000_000
USER_BASE_B = 700_000_000_000_000_000
# (id, guild, number, name, started_at, ended_at)
SEASONS = [
    (1, GUILD_A, 1, "Season 1", START - timedelta(days=30), SEASON_SPLIT),
    (2, GUILD_A, 2, "Season 2", SEASON_SPLIT, None),
    (3, GUILD_B, 1, "Season 1", START - timedelta(days=30), None),
]

REASONS = ("daily", "practice", "study", "challenge", "adjust")
STUDY = 2
BOARDS = ("points", "study", "streak")
PERIODS = ("week", "month", "season", "all")
EARNER_SHARE = 0.80
LEFT_SHARE = 0.03
BUCKET = 900  # period keys are computed once per 15 minutes of UTC time
WARMUP = 5
LEDGER_TABLES = ("points_ledger", "board_totals")
CODE_UNDER_TEST = (
    "bot/services/leaderboards.py",
    "bot/services/points.py",
    "bot/db/engine.py",
    "bot/db/models",
    "migrations",
)


class CheckFailed(AssertionError):
    """A page was wrong: the benchmark stops."""


# -- data -----------------------------------------------------------------------------------


@dataclass
class Totals:
    """One board's totals for one period key: member index -> [value, last_positive_t, first_t]."""

    period: str
    key: str
    rows: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class GuildData:
    guild_id: int
    timezone: str
    user_base: int
    members: int
    first_ledger_id: int
    seasons: tuple[int, int]  # before / after SEASON_SPLIT
    left: set[int]
    streaks: list[int]
    uidx: array
    times: array
    reasons: array
    amounts: array
    boards: dict[str, list[Totals]]

    def user_id(self, index: int) -> int:
        return self.user_base + index


def _period_dicts(combos: list[tuple[str, str, str]], board: list[Totals]) -> list[list[dict]]:
    """For every combination of keys, the four Totals dicts (week, month, season, all) it feeds."""
    by_key: dict[tuple[str, str], dict] = {(t.period, t.key): t.rows for t in board}
    out = []
    for week, month, season in combos:
        feeds = []
        for period, key in (("week", week), ("month", month), ("season", season), ("all", "all")):
            if (period, key) not in by_key:
                totals = Totals(period, key)
                board.append(totals)
                by_key[(period, key)] = totals.rows
            feeds.append(by_key[(period, key)])
        out.append(feeds)
    return out


def _roll_up(
    per_combo: dict[int, list[int]], combos: list[tuple[str, str, str]], board: list[Totals]
) -> None:
    """Fold totals per (member, key combination) into totals per period key."""
    feeds = _period_dicts(combos, board)
    for packed, (value, last_pos, first) in per_combo.items():
        member = packed >> 16
        for rows in feeds[packed & 0xFFFF]:
            entry = rows.get(member)
            if entry is None:
                rows[member] = [value, last_pos, first]
            else:
                entry[0] += value
                if last_pos > entry[1]:
                    entry[1] = last_pos
                if first < entry[2]:
                    entry[2] = first


def generate_guild(
    seed: int,
    *,
    guild_id: int,
    timezone: str,
    user_base: int,
    members: int,
    rows: int,
    first_ledger_id: int,
    seasons: tuple[int, int],
    scale: int,
    with_departures: bool,
) -> GuildData:
    """Members, streaks, ledger rows (in time order) and the board totals they add up to."""
    rng = random.Random(seed)
    order = list(range(members))
    rng.shuffle(order)
    earners = order[: max(1, int(members * EARNER_SHARE))]
    weights = list(itertools.accumulate(1.0 / (r + 50) ** 0.8 for r in range(len(earners))))
    who = rng.choices(earners, cum_weights=weights, k=rows)
    left = set(rng.sample(range(members), int(members * LEFT_SHARE))) if with_departures else set()
    if scale == 1:
        streaks = [
            1 + min(int(rng.expovariate(1 / 15)), 364) if rng.random() < 0.45 else 0
            for _ in range(members)
        ]
    else:
        streaks = [400 + rng.randrange(600) if rng.random() < 0.5 else 0 for _ in range(members)]

    combos: list[tuple[str, str, str]] = []
    combo_index: dict[tuple[str, str, str], int] = {}
    bucket_combo: dict[int, int] = {}

    def combo_of_bucket(bucket: int) -> int:
        at = datetime.fromtimestamp(bucket * BUCKET, UTC)
        season = seasons[0] if bucket * BUCKET < SPLIT_T else seasons[1]
        keys = points.period_keys(at, timezone, season)
        combo = (keys.week, keys.month, keys.season)
        if combo not in combo_index:
            combo_index[combo] = len(combos)
            combos.append(combo)
        return combo_index[combo]

    uidx, times = array("l"), array("q")
    reasons, amounts = array("b"), array("l")
    pts: dict[int, list[int]] = {}
    study: dict[int, list[int]] = {}
    rand = rng.random
    step = (NOW_T - START_T) / rows
    for i in range(rows):
        member = who[i]
        t = START_T + int((i + rand()) * step)
        bucket = t // BUCKET
        combo = bucket_combo.get(bucket)
        if combo is None:
            combo = bucket_combo[bucket] = combo_of_bucket(bucket)
        x = rand()
        minutes = 0
        if x < 0.40:
            code, amount = 0, (10 if x < 0.28 else 3) * scale
        elif x < 0.75:
            code, amount = 1, 2 * scale
        elif x < 0.95:
            code = STUDY
            minutes = (10 + int((x - 0.75) / 0.20 * 171)) * scale
            amount = minutes // 10
        elif x < 0.99:
            code, amount = 3, 25 * scale
        else:
            code = 4
            amount = (int((x - 0.99) / 0.01 * 251) - 50) * scale or 100 * scale
        uidx.append(member)
        times.append(t)
        reasons.append(code)
        amounts.append(amount)
        packed = (member << 16) | combo
        entry = pts.get(packed)
        if entry is None:
            pts[packed] = [amount, t if amount > 0 else -1, t]
        else:
            entry[0] += amount
            if amount > 0:
                entry[1] = t
        if minutes:
            entry = study.get(packed)
            if entry is None:
                study[packed] = [minutes, t, t]
            else:
                entry[0] += minutes
                entry[1] = t
        if i % 49_999 == 0:  # the 15-minute buckets agree with period_keys itself
            season = seasons[0] if t < SPLIT_T else seasons[1]
            keys = points.period_keys(datetime.fromtimestamp(t, UTC), timezone, season)
            if combos[combo] != (keys.week, keys.month, keys.season):
                raise CheckFailed(f"period keys of bucket {bucket} differ from period_keys")
    if len(combos) >= 1 << 16:
        raise CheckFailed("too many key combinations to pack")
    boards: dict[str, list[Totals]] = {"points": [], "study": []}
    _roll_up(pts, combos, boards["points"])
    _roll_up(study, combos, boards["study"])
    return GuildData(
        guild_id,
        timezone,
        user_base,
        members,
        first_ledger_id,
        seasons,
        left,
        streaks,
        uidx,
        times,
        reasons,
        amounts,
        boards,
    )


@dataclass
class Expected:
    """What guild A's boards should show now: ranked user ids and their values, best first."""

    ids: list[int]
    values: list[int]
    negated: list[int]  # -values, ascending, for bisect

    @classmethod
    def of(cls, ranked: list[tuple[int, Any, int]]) -> Expected:
        ranked.sort()
        values = [-r[0] for r in ranked]
        return cls([r[2] for r in ranked], values, [-v for v in values])

    def rank(self, value: int) -> int:
        """Competition rank: one more than the number of strictly greater values."""
        return bisect.bisect_left(self.negated, -value) + 1

    def value_of(self) -> dict[int, int]:
        return dict(zip(self.ids, self.values, strict=True))


def expected_boards(a: GuildData) -> dict[tuple[str, str], Expected]:
    keys = points.period_keys(NOW, a.timezone, a.seasons[1])
    current = {"week": keys.week, "month": keys.month, "season": keys.season, "all": "all"}
    out: dict[tuple[str, str], Expected] = {}
    for board in ("points", "study"):
        for totals in a.boards[board]:
            if totals.key != current[totals.period]:
                continue
            out[(board, totals.period)] = Expected.of(
                [
                    (-value, last_pos if last_pos >= 0 else first, a.user_id(m))
                    for m, (value, last_pos, first) in totals.rows.items()
                    if value > 0 and m not in a.left
                ]
            )
        for period in PERIODS:
            out.setdefault((board, period), Expected([], [], []))
    streak = Expected.of(
        [(-s, 0, a.user_id(m)) for m, s in enumerate(a.streaks) if s > 0 and m not in a.left]
    )
    for period in PERIODS:
        out[("streak", period)] = streak
    return out


# -- rows for the loaders -------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1)
_SECONDS = [f"{s:02d}.000000" for s in range(60)]


class SqliteTimes:
    """Epoch seconds as SQLAlchemy's SQLite DATETIME text ('YYYY-MM-DD HH:MM:SS.ffffff')."""

    def __init__(self) -> None:
        self._minutes: dict[int, str] = {}

    def __call__(self, t: int) -> str:
        minute, second = divmod(t, 60)
        prefix = self._minutes.get(minute)
        if prefix is None:
            prefix = self._minutes[minute] = (_EPOCH + timedelta(minutes=minute)).strftime(
                "%Y-%m-%d %H:%M:"
            )
        return prefix + _SECONDS[second]


def pg_time(t: int) -> datetime:
    return _EPOCH + timedelta(seconds=t)


def naive(at: datetime | None) -> datetime | None:
    return None if at is None else at.astimezone(UTC).replace(tzinfo=None)


def sqlite_text(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def guild_rows(guilds: Sequence[GuildData], sqlite: bool) -> list[tuple]:
    created = START - timedelta(days=60)
    when = sqlite_text(created) if sqlite else naive(created)
    return [(g.guild_id, g.timezone, when) for g in guilds]


def season_rows(sqlite: bool) -> list[tuple]:
    conv = sqlite_text if sqlite else naive
    return [(i, g, n, name, conv(s), conv(e)) for i, g, n, name, s, e in SEASONS]


def user_rows(guilds: Sequence[GuildData], sqlite: bool) -> Iterator[tuple]:
    created = START - timedelta(days=60)
    when = sqlite_text(created) if sqlite else naive(created)
    today: Any = NOW.date().isoformat() if sqlite else NOW.date()
    tomorrow: Any = (
        (NOW.date() + timedelta(days=1)).isoformat() if sqlite else NOW.date() + timedelta(days=1)
    )
    for g in guilds:
        for m, streak in enumerate(g.streaks):
            yield (
                g.user_id(m),
                None,
                None,
                when,
                streak,
                streak + m % 7,
                0,
                0,
                today if streak else None,
                tomorrow if streak else None,
            )


def member_rows(guilds: Sequence[GuildData], sqlite: bool) -> Iterator[tuple]:
    conv = sqlite_text if sqlite else naive
    first_seen = conv(START - timedelta(days=30))
    left_at = conv(NOW - timedelta(days=3))
    for g in guilds:
        for m in range(g.members):
            yield (
                g.guild_id,
                g.user_id(m),
                f"member {m}",
                first_seen,
                left_at if m in g.left else None,
            )


def ledger_rows(g: GuildData, sqlite: bool) -> Iterator[tuple]:
    conv: Any = SqliteTimes() if sqlite else pg_time
    before, after = g.seasons
    base, guild, first_id = g.user_base, g.guild_id, g.first_ledger_id
    rows = zip(g.uidx, g.times, g.reasons, g.amounts, strict=True)
    for i, (m, t, code, amount) in enumerate(rows):
        ledger_id = first_id + i
        yield (
            ledger_id,
            guild,
            base + m,
            before if t < SPLIT_T else after,
            amount,
            REASONS[code],
            str(ledger_id),
            conv(t),
        )


def board_rows(g: GuildData, sqlite: bool) -> Iterator[tuple]:
    conv: Any = SqliteTimes() if sqlite else pg_time
    yes: Any = 1 if sqlite else True
    no: Any = 0 if sqlite else False
    for board, all_totals in g.boards.items():
        for totals in all_totals:
            for m, (value, last_pos, first) in totals.rows.items():
                yield (
                    g.guild_id,
                    board,
                    totals.period,
                    totals.key,
                    g.user_id(m),
                    value,
                    conv(last_pos if last_pos >= 0 else first),
                    no if m in g.left else yes,
                )
    # The streak board: one row per member with a streak, as the streak service keeps it.
    # One reached_at for all, so ties fall back to the user id, as expected_boards ranks them.
    reached = conv(START_T)
    for m, streak in enumerate(g.streaks):
        if streak > 0:
            yield (
                g.guild_id,
                "streak",
                "all",
                "all",
                g.user_id(m),
                streak,
                reached,
                no if m in g.left else yes,
            )


def board_row_count(guilds: Sequence[GuildData]) -> int:
    totals = sum(len(t.rows) for g in guilds for ts in g.boards.values() for t in ts)
    return totals + sum(1 for g in guilds for s in g.streaks if s > 0)


COLUMNS = {
    "guilds": ("id", "timezone", "created_at"),
    "users": (
        "id",
        "timezone",
        "timezone_changed_at",
        "created_at",
        "streak_current",
        "streak_best",
        "streak_freezes",
        "streak_progress",
        "streak_through",
        "streak_alive_until",
    ),
    "seasons": ("id", "guild_id", "number", "name", "started_at", "ended_at"),
    "members": ("guild_id", "user_id", "display_name", "first_seen_at", "left_at"),
    "points_ledger": (
        "id",
        "guild_id",
        "user_id",
        "season_id",
        "amount",
        "reason",
        "ref",
        "created_at",
    ),
    "board_totals": (
        "guild_id",
        "board",
        "period",
        "period_key",
        "user_id",
        "value",
        "reached_at",
        "active",
    ),
}


def table_rows(guilds: Sequence[GuildData], sqlite: bool) -> list[tuple[str, Any]]:
    return [
        ("guilds", guild_rows(guilds, sqlite)),
        ("users", user_rows(guilds, sqlite)),
        ("seasons", season_rows(sqlite)),
        ("members", member_rows(guilds, sqlite)),
        *[("points_ledger", ledger_rows(g, sqlite)) for g in guilds],
        *[("board_totals", board_rows(g, sqlite)) for g in guilds],
    ]


# -- loading ---------------------------------------------------------------------------------


@dataclass
class Load:
    backend: str
    insert_s: float
    index_s: float
    analyze_s: float
    check_s: float

    @property
    def total_s(self) -> float:
        return self.insert_s + self.index_s + self.analyze_s + self.check_s


async def load_sqlite(path: Path, guilds: Sequence[GuildData]) -> Load:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(db)
    finally:
        await db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        before = sqlite_schema_snapshot(conn)
        mode = conn.execute("PRAGMA journal_mode=OFF").fetchone()[0]
        if mode != "off":
            raise CheckFailed(f"could not turn the journal off (still {mode})")
        for pragma in (
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1048576",
            "temp_store=MEMORY",
        ):
            conn.execute(f"PRAGMA {pragma}")
        started = time.perf_counter()
        aside = sqlite_set_aside_indexes(conn, LEDGER_TABLES)
        conn.execute("BEGIN")
        for table, rows in table_rows(guilds, sqlite=True):
            cols = COLUMNS[table]
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                rows,
            )
        conn.execute("COMMIT")
        inserted = time.perf_counter()
        for sql in aside:
            conn.execute(sql)
        indexed = time.perf_counter()
        conn.execute("ANALYZE")
        analyzed = time.perf_counter()
        problems = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
        if problems:
            raise CheckFailed(f"foreign key violations after the load: {problems}")
        checked = time.perf_counter()
        conn.execute("PRAGMA journal_mode=WAL")
        after = sqlite_schema_snapshot(conn)
        if before != after:
            raise CheckFailed(f"SQLite schema changed by the load:\n{before}\n!=\n{after}")
    finally:
        conn.close()
    return Load(
        "sqlite", inserted - started, indexed - inserted, analyzed - indexed, checked - analyzed
    )


async def load_postgres(schema: str, guilds: Sequence[GuildData]) -> Load:
    db = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate.upgrade(db)
    finally:
        await db.close()
    conn = await asyncpg.connect(plain_dsn(POSTGRES_URL), server_settings={"search_path": schema})
    try:
        before = await pg_schema_snapshot(conn, schema)
        await conn.execute("SET maintenance_work_mem = '1GB'")
        started = time.perf_counter()
        async with conn.transaction():
            aside = await pg_set_aside_indexes(conn, schema, LEDGER_TABLES)
            for table, rows in table_rows(guilds, sqlite=False):
                await conn.copy_records_to_table(
                    table, records=rows, columns=list(COLUMNS[table]), schema_name=schema
                )
            inserted = time.perf_counter()
            for statement in aside.statements():
                await conn.execute(statement)
            for table in ("points_ledger", "seasons"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        indexed = time.perf_counter()
        for table in COLUMNS:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        analyzed = time.perf_counter()
        after = await pg_schema_snapshot(conn, schema)
        if before != after:
            raise CheckFailed(f"PostgreSQL schema changed by the load:\n{before}\n!=\n{after}")
    finally:
        await conn.close()
    return Load("postgresql", inserted - started, indexed - inserted, analyzed - indexed, 0.0)


# -- checking and measuring -------------------------------------------------------------------


def check_page(page: BoardPage, forbidden: set[int], where: str) -> None:
    """What every page must satisfy, whatever the data."""
    rows = page.rows
    if len(rows) > PAGE_SIZE:
        raise CheckFailed(f"{where}: {len(rows)} rows on a page")
    if rows and rows[0].rank != 1:
        raise CheckFailed(f"{where}: first page starts at rank {rows[0].rank}")
    for prev, cur in itertools.pairwise(rows):
        if cur.rank < prev.rank:
            raise CheckFailed(f"{where}: rank goes down: {prev} then {cur}")
        if cur.value > prev.value:
            raise CheckFailed(f"{where}: value goes up: {prev} then {cur}")
        if (cur.value == prev.value) != (cur.rank == prev.rank):
            raise CheckFailed(f"{where}: tie and shared rank disagree: {prev} then {cur}")
    shown = [r.user_id for r in rows] + ([page.caller.user_id] if page.caller else [])
    leaked = forbidden.intersection(shown)
    if leaked:
        raise CheckFailed(f"{where}: guild B or departed members on the page: {sorted(leaked)}")
    if any(r.value <= 0 for r in rows):
        raise CheckFailed(f"{where}: a non-positive value on the page")


def check_expected(page: BoardPage, expected: Expected, caller: int, where: str) -> None:
    """The page is exactly what the generated data says it must be."""
    got = [(r.user_id, r.value) for r in page.rows]
    want = list(zip(expected.ids[:PAGE_SIZE], expected.values[:PAGE_SIZE], strict=True))
    if got != want:
        raise CheckFailed(f"{where}: page {got} != expected {want}")
    ranks = [r.rank for r in page.rows]
    want_ranks = [expected.rank(v) for _, v in want]
    if ranks != want_ranks:
        raise CheckFailed(f"{where}: ranks {ranks} != expected {want_ranks}")
    if page.has_next != (len(expected.ids) > PAGE_SIZE):
        raise CheckFailed(f"{where}: has_next is {page.has_next}")
    mine = expected.value_of().get(caller)
    if mine is None:
        if page.caller is not None:
            raise CheckFailed(f"{where}: caller {caller} should have no standing: {page.caller}")
    elif page.caller is None or (page.caller.rank, page.caller.value) != (
        expected.rank(mine),
        mine,
    ):
        raise CheckFailed(
            f"{where}: caller {caller} is {page.caller}, expected rank {expected.rank(mine)} "
            f"with {mine}"
        )


def pick_callers(seed: int, expected: Expected, members: Sequence[int], n: int) -> list[int]:
    rng = random.Random(seed)
    ranked = expected.ids
    top = ranked[: max(1, len(ranked) // 100)]
    callers = []
    for _ in range(n):
        x = rng.random()
        if x < 0.10 and ranked:
            callers.append(rng.choice(top))
        elif x < 0.90 and ranked:
            callers.append(rng.choice(ranked))
        else:
            callers.append(rng.choice(members))
    return callers


@dataclass
class Result:
    board: str
    period: str
    backend: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    rows: int
    standing: int
    samples: int


async def verify_once(
    service: LeaderboardService,
    backend: str,
    expected: dict[tuple[str, str], Expected],
    a: GuildData,
    b: GuildData,
    forbidden: set[int],
) -> int:
    """Compare every case with the expected answer for a few telling callers."""
    departed = [a.user_id(m) for m in sorted(a.left)][:1]
    unranked_pool = [a.user_id(m) for m in range(a.members)]
    checked = 0
    for (board, period), exp in expected.items():
        ranked = set(exp.ids)
        unranked = next((u for u in unranked_pool if u not in ranked), None)
        callers = [
            *exp.ids[:1],
            *exp.ids[len(exp.ids) // 2 : len(exp.ids) // 2 + 1],
            *exp.ids[-1:],
            *departed,
            b.user_id(0),
            *([unranked] if unranked is not None else []),
        ]
        for caller in callers:
            where = f"{backend} {board}/{period} caller {caller}"
            page = await service.page(GUILD_A, board=board, period=period, page=0, caller_id=caller)
            check_page(page, forbidden, where)
            check_expected(page, exp, caller, where)
            checked += 1
    return checked


async def measure(
    db: Database,
    backend: str,
    expected: dict[tuple[str, str], Expected],
    callers: dict[tuple[str, str], list[int]],
    a: GuildData,
    b: GuildData,
) -> list[Result]:
    service = LeaderboardService(db, FrozenClock(NOW))
    forbidden = {b.user_id(m) for m in range(b.members)} | {a.user_id(m) for m in a.left}
    checked = await verify_once(service, backend, expected, a, b, forbidden)
    print(f"{backend}: {checked} pages match the expected answer", flush=True)
    print(f"{backend}: load average before timing {_load()}", flush=True)
    results = []
    for board in BOARDS:
        for period in PERIODS:
            who = callers[(board, period)]
            for caller in who[:WARMUP]:  # not timed
                await service.page(GUILD_A, board=board, period=period, page=0, caller_id=caller)
            timings: list[float] = []
            cpu: list[float] = []
            shown: list[int] = []
            standing = 0
            for caller in who[WARMUP:]:
                started, cpu_started = time.perf_counter(), time.process_time()
                page = await service.page(
                    GUILD_A, board=board, period=period, page=0, caller_id=caller
                )
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                check_page(page, forbidden, f"{backend} {board}/{period} caller {caller}")
                shown.append(len(page.rows))
                standing += page.caller is not None
            results.append(
                Result(
                    board,
                    period,
                    backend,
                    percentile(timings, 0.50),
                    percentile(timings, 0.95),
                    max(timings),
                    percentile(cpu, 0.50),
                    percentile(cpu, 0.95),
                    round(statistics.mean(shown)),
                    standing,
                    len(timings),
                )
            )
            print(
                f"  {backend:10} {board:6} {period:6} p50 {results[-1].p50_ms:7.2f} ms  "
                f"p95 {results[-1].p95_ms:7.2f} ms",
                flush=True,
            )
    print(f"{backend}: load average after timing {_load()}", flush=True)
    return results


def _load() -> str:
    """Load averages, and the share of time some task waited for a CPU (Linux PSI)."""
    text = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        some = Path("/proc/pressure/cpu").read_text().split("\n", 1)[0].split()[1:3]
        text += f"; CPU pressure {' '.join(some)}"
    except (OSError, IndexError):
        pass
    return text


# -- explaining ------------------------------------------------------------------------------


async def capture_statements(
    db: Database, service: LeaderboardService, board: str, period: str, caller: int
) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", listen)
    try:
        await service.page(GUILD_A, board=board, period=period, page=0, caller_id=caller)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", listen)
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]


async def explain(
    db: Database,
    backend: str,
    target: Path | str,
    expected: dict[tuple[str, str], Expected],
) -> None:
    service = LeaderboardService(db, FrozenClock(NOW))
    for board in BOARDS:
        for period in PERIODS if board != "streak" else ("all",):
            exp = expected[(board, period)]
            if not exp.ids:
                continue
            caller = exp.ids[-1]
            rank = exp.rank(exp.values[-1])
            print(f"\n### {backend} {board}/{period}, bottom caller (rank {rank})")
            for statement, params in await capture_statements(db, service, board, period, caller):
                print("\n" + " ".join(statement.split()))
                print(f"  params: {params}")
                if backend == "sqlite":
                    conn = sqlite3.connect(target)
                    try:
                        for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params):
                            print(f"  plan: {row[3]}")
                        runs = []
                        for _ in range(10):
                            started = time.perf_counter()
                            conn.execute(statement, params).fetchall()
                            runs.append((time.perf_counter() - started) * 1000)
                        print(f"  alone: median {statistics.median(runs):.2f} ms")
                    finally:
                        conn.close()
                else:
                    conn = await asyncpg.connect(
                        plain_dsn(POSTGRES_URL), server_settings={"search_path": str(target)}
                    )
                    try:
                        for row in await conn.fetch(
                            "EXPLAIN (ANALYZE, BUFFERS) " + statement, *params
                        ):
                            print(f"  {row[0]}")
                    finally:
                        await conn.close()


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--ledger-rows", type=int, default=5_000_000)
    parser.add_argument("--samples", type=int, default=200, help="timed calls per case")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--explain", action="store_true", help="print the plan of every statement")
    args = parser.parse_args(argv)
    if args.members < 100 or args.ledger_rows < 1000 or args.samples < 1:
        parser.error("need at least 100 members, 1000 ledger rows and 1 sample")
    return args


def generate_two_guilds(seed: int, members: int, ledger_rows: int) -> tuple[GuildData, GuildData]:
    """Guild A (the one measured) and guild B (ten times larger figures, to catch leaks)."""
    a = generate_guild(
        seed,
        guild_id=GUILD_A,
        timezone=TZ_A,
        user_base=USER_BASE_A,
        members=members,
        rows=ledger_rows,
        first_ledger_id=1,
        seasons=(1, 2),
        scale=1,
        with_departures=True,
    )
    b = generate_guild(
        seed + 1,
        guild_id=GUILD_B,
        timezone=TZ_B,
        user_base=USER_BASE_B,
        members=max(100, members // 10),
        rows=max(1000, ledger_rows // 10),
        first_ledger_id=ledger_rows + 1,
        seasons=(3, 3),
        scale=10,
        with_departures=False,
    )
    return a, b


async def run(args: argparse.Namespace) -> None:
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    pg_version = await postgres_version() if "postgresql" in backends else None
    facts = machine(pg_version)
    facts["code"] = code_version(CODE_UNDER_TEST)
    print("machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()), flush=True)

    started = time.perf_counter()
    a, b = generate_two_guilds(args.seed, args.members, args.ledger_rows)
    guilds = [a, b]
    expected = expected_boards(a)
    members_a = [a.user_id(m) for m in range(a.members)]
    callers = {
        case: pick_callers(args.seed + i, exp, members_a, args.samples + WARMUP)
        for i, (case, exp) in enumerate(sorted(expected.items(), key=lambda item: item[0]))
    }
    ledger_total = len(a.uidx) + len(b.uidx)
    totals_total = board_row_count(guilds)
    generated = time.perf_counter() - started
    print(
        f"generated {ledger_total:,} ledger rows ({len(a.uidx):,} in guild A), "
        f"{totals_total:,} board_totals rows, {a.members + b.members:,} users in {generated:.1f} s",
        flush=True,
    )

    workdir = Path(tempfile.mkdtemp(prefix="bench-leaderboard-"))
    sqlite_path = workdir / "leaderboard.db"
    schema: str | None = None
    databases: dict[str, tuple[Database, Path | str]] = {}
    loads: list[Load] = []
    results: list[Result] = []
    try:
        for backend in backends:
            if backend == "sqlite":
                loads.append(await load_sqlite(sqlite_path, guilds))
                databases[backend] = (Database(f"sqlite+aiosqlite:///{sqlite_path}"), sqlite_path)
            else:
                schema = await create_schema(prefix="bench_lb")
                loads.append(await load_postgres(schema, guilds))
                settings = {"server_settings": {"search_path": schema}}
                databases[backend] = (Database(POSTGRES_URL, connect_args=settings), schema)
            print(f"loaded {backend} in {loads[-1].total_s:.1f} s", flush=True)
        # Only the expected answers and the callers are needed from here on.
        for g in guilds:
            g.boards.clear()
            g.uidx = g.times = g.reasons = g.amounts = array("b")
        gc.collect()
        gc.freeze()
        for backend, (db, _target) in databases.items():
            results += await measure(db, backend, expected, callers, a, b)
        if args.explain:
            for backend, (db, target) in databases.items():
                await explain(db, backend, target, expected)
    finally:
        for db, _target in databases.values():
            await db.close()
        if schema:
            await drop_schema(schema)
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()))
    print(
        f"data: {a.members:,} members in guild A, {len(a.left):,} departed; "
        f"{args.ledger_rows:,} ledger rows in guild A, {ledger_total - args.ledger_rows:,} in "
        f"guild B ({b.members:,} members); {totals_total:,} board_totals rows; "
        f"generated in {generated:.1f} s"
    )
    print()
    print(
        markdown_table(
            ["backend", "insert s", "indexes s", "analyze s", "FK check s", "total s"],
            [
                [
                    ld.backend,
                    f"{ld.insert_s:.1f}",
                    f"{ld.index_s:.1f}",
                    f"{ld.analyze_s:.1f}",
                    f"{ld.check_s:.1f}" if ld.backend == "sqlite" else "(in indexes)",
                    f"{ld.total_s:.1f}",
                ]
                for ld in loads
            ],
        )
    )
    print()
    order = {(r.board, r.period, r.backend): r for r in results}
    print(
        markdown_table(
            [
                "board",
                "period",
                "backend",
                "p50 ms",
                "p95 ms",
                "max ms",
                "CPU p50 ms",
                "CPU p95 ms",
                "rows on page",
                "callers ranked",
                "ranked on board",
            ],
            [
                [
                    r.board,
                    r.period,
                    r.backend,
                    f"{r.p50_ms:.2f}",
                    f"{r.p95_ms:.2f}",
                    f"{r.max_ms:.2f}",
                    f"{r.cpu_p50_ms:.2f}",
                    f"{r.cpu_p95_ms:.2f}",
                    r.rows,
                    f"{r.standing}/{r.samples}",
                    f"{len(expected[(r.board, r.period)].ids):,}",
                ]
                for board in BOARDS
                for period in PERIODS
                for backend in backends
                if (r := order.get((board, period, backend)))
            ],
        )
    )
    sqlite_results = [r for r in results if r.backend == "sqlite"]
    if sqlite_results:
        slow = [f"{r.board}/{r.period}" for r in sqlite_results if r.p95_ms >= 20]
        print(
            "\nSQLite target p95 < 20 ms: "
            + (f"missed by {', '.join(slow)}" if slow else "met by every case")
            + " (reported, not asserted)"
        )


def main(argv: Sequence[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()

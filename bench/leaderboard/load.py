"""Loading the data into a fresh SQLite file or PostgreSQL schema built by the migrations.

The explicit indexes of ``points_ledger`` and ``board_totals`` (on PostgreSQL also their
keys and foreign keys) and the triggers that keep ``board_buckets`` are set aside, the
rows bulk-loaded with the raw driver in one transaction (sqlite3 ``executemany`` with the
journal off; asyncpg ``copy_records_to_table``), then the indexes and triggers put back
from their stored definitions, ``board_buckets`` recomputed from the totals
(``bot.db.models.buckets.rebuild_sql``), and ANALYZE run (PostgreSQL: VACUUM ANALYZE, as
autovacuum would leave a settled table). The schema is compared before and after; any
difference, or a foreign key violation on SQLite, fails the load.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench._common import (
    POSTGRES_URL,
    pg_schema_snapshot,
    pg_set_aside_indexes,
    plain_dsn,
    sqlite_schema_snapshot,
    sqlite_set_aside_indexes,
)
from bench.leaderboard.data import (
    NOW,
    REASONS,
    SEASONS,
    SPLIT_T,
    START,
    START_T,
    CheckFailed,
    GuildData,
)
from bot.db import migrate
from bot.db.engine import Database
from bot.db.models.buckets import rebuild_sql

LEDGER_TABLES = ("points_ledger", "board_totals")


_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001  # naive UTC, as the columns store it
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


@dataclass
class Load:
    backend: str
    insert_s: float
    index_s: float
    buckets_s: float
    analyze_s: float
    check_s: float

    @property
    def total_s(self) -> float:
        return self.insert_s + self.index_s + self.buckets_s + self.analyze_s + self.check_s


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
        triggers = sqlite_set_aside_triggers(conn, "board_totals")
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
        conn.execute("BEGIN")
        for sql in [*triggers, *rebuild_sql()]:
            conn.execute(sql)
        conn.execute("COMMIT")
        rebuilt = time.perf_counter()
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
        "sqlite",
        inserted - started,
        indexed - inserted,
        rebuilt - indexed,
        analyzed - rebuilt,
        checked - analyzed,
    )


def sqlite_set_aside_triggers(conn: sqlite3.Connection, table: str) -> list[str]:
    """Drop the triggers on ``table``; returns their exact ``CREATE TRIGGER`` text."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
        (table,),
    ).fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP TRIGGER "{name}"')
    return [sql for _name, sql in rows]


async def load_postgres(schema: str, guilds: Sequence[GuildData]) -> Load:
    db = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate.upgrade(db)
    finally:
        await db.close()
    conn = await asyncpg.connect(plain_dsn(POSTGRES_URL), server_settings={"search_path": schema})
    try:
        before = await pg_schema_snapshot(conn, schema) + await _pg_triggers(conn)
        await conn.execute("SET maintenance_work_mem = '1GB'")
        started = time.perf_counter()
        async with conn.transaction():
            aside = await pg_set_aside_indexes(conn, schema, LEDGER_TABLES)
            await conn.execute("ALTER TABLE board_totals DISABLE TRIGGER USER")
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
            await conn.execute("ALTER TABLE board_totals ENABLE TRIGGER USER")
            for statement in rebuild_sql():
                await conn.execute(statement)
        rebuilt = time.perf_counter()
        for table in (*COLUMNS, "board_buckets"):
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        analyzed = time.perf_counter()
        after = await pg_schema_snapshot(conn, schema) + await _pg_triggers(conn)
        if before != after:
            raise CheckFailed(f"PostgreSQL schema changed by the load:\n{before}\n!=\n{after}")
    finally:
        await conn.close()
    return Load(
        "postgresql",
        inserted - started,
        indexed - inserted,
        rebuilt - indexed,
        analyzed - rebuilt,
        0.0,
    )


async def _pg_triggers(conn: asyncpg.Connection) -> list[tuple[str, ...]]:
    """The triggers on ``board_totals``, with their definitions and whether they are enabled."""
    rows = await conn.fetch(
        "SELECT tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = 'board_totals'::regclass AND NOT tgisinternal ORDER BY tgname"
    )
    if not rows:
        raise CheckFailed("board_totals has no triggers: board_buckets would not be kept")
    return [("trigger", *map(str, r)) for r in rows]

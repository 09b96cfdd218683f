"""Helpers shared by every benchmark: statistics, tables, the machine, and fresh SQLite /
PostgreSQL databases whose indexes can be set aside for a bulk load.

Nothing here imports bot code; driving a bot through the sandbox is ``bench._bot``.
"""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import statistics
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import asyncpg

POSTGRES_URL = os.environ.get(
    "MENTOR_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


# -- numbers and tables -------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of all at or below."""
    if not values:
        raise ValueError("percentile of nothing")
    ordered = sorted(values)
    index = max(0, math.ceil(fraction * len(ordered)) - 1)
    return ordered[min(index, len(ordered) - 1)]


def summary_ms(latencies: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p99, mean) of latencies in seconds, in milliseconds."""
    return (
        percentile(latencies, 0.50) * 1000,
        percentile(latencies, 0.99) * 1000,
        statistics.fmean(latencies) * 1000,
    )


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-style table, columns padded so it also reads well in a terminal."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


# -- the machine ----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for text_line in Path("/proc/cpuinfo").read_text().splitlines():
            if text_line.startswith("model name"):
                return text_line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        out = subprocess.run(["free", "-h"], capture_output=True, text=True, check=True).stdout
        for text_line in out.splitlines():
            if text_line.startswith("Mem:"):
                return text_line.split()[1] + " total"
    except (OSError, subprocess.CalledProcessError):
        pass
    return "unknown"


def machine(postgres_version: str | None = None) -> dict[str, str]:
    """What the figures were measured on."""
    facts = {
        "nproc": str(os.cpu_count()),
        "memory (free -h)": _memory(),
        "CPU": _cpu_model(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "discord.py": metadata.version("discord.py"),
    }
    if postgres_version:
        facts["PostgreSQL"] = postgres_version
    return facts


def machine_line(postgres_version: str | None = None) -> str:
    """``machine()`` on one line, for the top of a benchmark's output."""
    return "; ".join(f"{k} {v}" for k, v in machine(postgres_version).items())


def code_version(paths: Sequence[str]) -> str:
    """The commit measured, and which of ``paths`` had uncommitted changes at the time."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        ).stdout.rstrip()

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = git("status", "--porcelain", "--", *paths).splitlines()
    changed = [line[3:] for line in dirty]
    return head + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


# -- PostgreSQL -------------------------------------------------------------------------------


def plain_dsn(url: str) -> str:
    """The asyncpg DSN behind a SQLAlchemy ``postgresql+asyncpg://`` URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def postgres_version(url: str = POSTGRES_URL) -> str:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def create_schema(url: str = POSTGRES_URL, prefix: str = "bench") -> str:
    """A new empty schema; pass it as ``search_path`` to use it."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema


async def drop_schema(schema: str, url: str = POSTGRES_URL) -> None:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def pg_schema_snapshot(conn: asyncpg.Connection, schema: str) -> list[tuple[str, ...]]:
    """Every constraint and index definition in ``schema``, to compare before and after a load."""
    constraints = await conn.fetch(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = $1
        """,
        schema,
    )
    indexes = await conn.fetch(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1", schema
    )
    return sorted(
        [("constraint", *map(str, r)) for r in constraints]
        + [("index", *map(str, r)) for r in indexes]
    )


@dataclass
class SetAside:
    """Statements that put back what ``pg_set_aside_indexes`` dropped, in a safe order."""

    keys: list[str]
    indexes: list[str]
    foreign_keys: list[str]

    def statements(self) -> list[str]:
        return [*self.keys, *self.indexes, *self.foreign_keys]


async def pg_set_aside_indexes(
    conn: asyncpg.Connection, schema: str, tables: Sequence[str]
) -> SetAside:
    """Drop the keys, unique constraints, foreign keys and indexes of ``tables``.

    Returns the exact definitions (``pg_get_constraintdef`` / ``pg_get_indexdef``) to
    recreate them after a bulk load. Run it inside the load's transaction.
    """
    aside = SetAside([], [], [])
    for table in tables:
        rows = await conn.fetch(
            """
            SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
            FROM pg_constraint c
            WHERE c.conrelid = format('%I.%I', $1::text, $2::text)::regclass
              AND c.contype IN ('p', 'u', 'f')
            ORDER BY c.contype = 'f' DESC, c.conname
            """,
            schema,
            table,
        )
        for row in rows:
            add = f'ALTER TABLE "{schema}"."{table}" ADD CONSTRAINT "{row["conname"]}" {row["def"]}'
            (aside.foreign_keys if row["contype"] == "f" else aside.keys).append(add)
            drop = f'ALTER TABLE "{schema}"."{table}" DROP CONSTRAINT "{row["conname"]}"'
            await conn.execute(drop)
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
            schema,
            table,
        )
        for row in indexes:
            aside.indexes.append(row["indexdef"])
            await conn.execute(f'DROP INDEX "{schema}"."{row["indexname"]}"')
    return aside


# -- SQLite -----------------------------------------------------------------------------------


def sqlite_schema_snapshot(conn: sqlite3.Connection) -> list[tuple[str, ...]]:
    """Every table and index definition, leaving out ANALYZE's statistics tables."""
    rows = conn.execute(
        "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
    ).fetchall()
    return [tuple(map(str, r)) for r in rows]


def sqlite_set_aside_indexes(conn: sqlite3.Connection, tables: Sequence[str]) -> list[str]:
    """Drop the explicit indexes of ``tables``; returns their exact ``CREATE INDEX`` text.

    Primary keys and UNIQUE constraints are part of the table in SQLite and stay.
    """
    marks = ",".join("?" for _ in tables)
    rows = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tuple(tables),
    ).fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]

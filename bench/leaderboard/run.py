"""The command line: generate, load, verify, time, explain, report."""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import tempfile
import time
from array import array
from collections.abc import Sequence
from pathlib import Path

from bench._common import (
    POSTGRES_URL,
    code_version,
    create_schema,
    drop_schema,
    machine,
    postgres_version,
)
from bench.leaderboard.anchor import RankResult, time_ranks
from bench.leaderboard.data import expected_boards, generate_two_guilds
from bench.leaderboard.explain import explain
from bench.leaderboard.load import Load, board_row_count, load_postgres, load_sqlite
from bench.leaderboard.report import report
from bench.leaderboard.timing import WARMUP, Result, measure, pick_callers
from bot.db.engine import Database

CODE_UNDER_TEST = (
    "bot/services/leaderboards.py",
    "bot/services/points.py",
    "bot/db/engine.py",
    "bot/db/models",
    "migrations",
)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Leaderboard page benchmark: LeaderboardService.page on SQLite and PostgreSQL."
    )
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
    ranks: list[RankResult] = []
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
            ranks += await time_ranks(db, backend, expected, callers, a)
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
    print(report(loads, results, ranks, expected, backends))


def main(argv: Sequence[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()

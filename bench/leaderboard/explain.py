"""Plans of the statements ``page`` runs, for the bottom-ranked caller of each case."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event

from bench._common import POSTGRES_URL, plain_dsn
from bench.leaderboard.data import BOARDS, GUILD_A, NOW, PERIODS, Expected
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.services.leaderboards import LeaderboardService


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
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]


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

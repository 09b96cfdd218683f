"""Timing ``page`` per board and period: callers, warm-up, wall-clock and CPU percentiles."""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._common import percentile
from bench.leaderboard.checks import check_page, verify_once
from bench.leaderboard.data import BOARDS, GUILD_A, NOW, PERIODS, Expected, GuildData
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.services.leaderboards import LeaderboardService

WARMUP = 5


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

"""The rank on its own, side by side with its anchor: the count of everyone above.

For the ranked callers of each board and period, interleaved in one session, the rank
as ``page`` computes it (``count_above``: the bucket rows above plus the caller's own
range) and as it was computed before ``board_buckets`` (a count of every ranked member
scoring more, in ``ix_board_totals_rank``). Both must give the same number for every
caller, which is checked. Statement time only: no page rows, no names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from bench._common import percentile
from bench.leaderboard.data import BOARDS, GUILD_A, NOW, PERIODS, CheckFailed, Expected, GuildData
from bot.db.engine import Database
from bot.db.models import BoardTotal
from bot.services import points
from bot.services.leaderboards import count_above

_ON_BOARD = (
    BoardTotal.guild_id == bindparam("g"),
    BoardTotal.board == bindparam("b"),
    BoardTotal.period == bindparam("p"),
    BoardTotal.period_key == bindparam("k"),
)
BY_BUCKETS = select(count_above(bindparam("v")))
BY_COUNT = (
    select(func.count())
    .select_from(BoardTotal)
    .where(*_ON_BOARD, BoardTotal.active.is_(True), BoardTotal.value > bindparam("v"))
)


@dataclass
class RankResult:
    board: str
    period: str
    backend: str
    count_p50_ms: float
    count_p95_ms: float
    buckets_p50_ms: float
    buckets_p95_ms: float
    samples: int

    @property
    def speedup_p50(self) -> float:
        return self.count_p50_ms / self.buckets_p50_ms


def cases() -> list[tuple[str, str]]:
    """Every board and period that has a query of its own (the streak board has one)."""
    return [(b, p) for b in BOARDS for p in PERIODS if b != "streak" or p == "all"]


async def time_ranks(
    db: Database,
    backend: str,
    expected: dict[tuple[str, str], Expected],
    callers: dict[tuple[str, str], list[int]],
    a: GuildData,
) -> list[RankResult]:
    keys = points.period_keys(NOW, a.timezone, a.seasons[1])
    current = {"week": keys.week, "month": keys.month, "season": keys.season, "all": "all"}
    results = []
    for board, period in cases():
        exp = expected[(board, period)]
        value_of = exp.value_of()
        ranked = [value_of[c] for c in callers[(board, period)] if c in value_of]
        params = {"g": GUILD_A, "b": board, "p": period, "k": current[period]}
        by_count: list[float] = []
        by_buckets: list[float] = []
        async with db.lookup() as session:
            for value in ranked:
                for statement, times in ((BY_COUNT, by_count), (BY_BUCKETS, by_buckets)):
                    started = time.perf_counter()
                    above = await session.scalar(statement, {**params, "v": value})
                    times.append((time.perf_counter() - started) * 1000)
                    if above + 1 != exp.rank(value):
                        raise CheckFailed(
                            f"{backend} {board}/{period}: {above} above {value}, "
                            f"expected {exp.rank(value) - 1}"
                        )
        if ranked:
            results.append(
                RankResult(
                    board,
                    period,
                    backend,
                    percentile(by_count, 0.50),
                    percentile(by_count, 0.95),
                    percentile(by_buckets, 0.50),
                    percentile(by_buckets, 0.95),
                    len(ranked),
                )
            )
    return results

"""The tables printed at the end: loading times, and each case's timings against the targets."""

from __future__ import annotations

from collections.abc import Sequence

from bench._common import markdown_table
from bench.leaderboard.anchor import RankResult
from bench.leaderboard.data import BOARDS, PERIODS, Expected
from bench.leaderboard.load import Load
from bench.leaderboard.timing import Result

# p95 targets per backend (reported, not asserted).
TARGETS_MS = {"postgresql": 10.0, "sqlite": 20.0}


def load_table(loads: Sequence[Load]) -> str:
    return markdown_table(
        ["backend", "insert s", "indexes s", "buckets s", "analyze s", "FK check s", "total s"],
        [
            [
                ld.backend,
                f"{ld.insert_s:.1f}",
                f"{ld.index_s:.1f}",
                f"{ld.buckets_s:.1f}",
                f"{ld.analyze_s:.1f}",
                f"{ld.check_s:.1f}" if ld.backend == "sqlite" else "(in indexes)",
                f"{ld.total_s:.1f}",
            ]
            for ld in loads
        ],
    )


def page_table(
    results: Sequence[Result], expected: dict[tuple[str, str], Expected], backends: Sequence[str]
) -> str:
    order = {(r.board, r.period, r.backend): r for r in results}
    return markdown_table(
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


def targets(results: Sequence[Result]) -> list[str]:
    """One line per backend: its slowest case's p95 against the target."""
    lines = []
    for backend, target in TARGETS_MS.items():
        mine = [r for r in results if r.backend == backend]
        if not mine:
            continue
        worst = max(mine, key=lambda r: r.p95_ms)
        missed = [f"{r.board}/{r.period}" for r in mine if r.p95_ms > target]
        lines.append(
            f"{backend} target p95 <= {target:.0f} ms: slowest {worst.board}/{worst.period} "
            f"p95 {worst.p95_ms:.2f} ms ({worst.p95_ms / target:.2f}x the target); "
            + (f"missed by {', '.join(missed)}" if missed else "met by every case")
            + " (reported, not asserted)"
        )
    return lines


def rank_table(ranks: Sequence[RankResult]) -> str:
    """The rank alone: by bucket counts (now) against the count of everyone above (anchor)."""
    return markdown_table(
        [
            "board",
            "period",
            "backend",
            "count above p50 ms",
            "count above p95 ms",
            "buckets p50 ms",
            "buckets p95 ms",
            "p50 ratio (count / buckets)",
            "callers",
        ],
        [
            [
                r.board,
                r.period,
                r.backend,
                f"{r.count_p50_ms:.3f}",
                f"{r.count_p95_ms:.3f}",
                f"{r.buckets_p50_ms:.3f}",
                f"{r.buckets_p95_ms:.3f}",
                f"{r.speedup_p50:.1f}x",
                r.samples,
            ]
            for r in ranks
        ],
    )


def report(
    loads: Sequence[Load],
    results: Sequence[Result],
    ranks: Sequence[RankResult],
    expected: dict[tuple[str, str], Expected],
    backends: Sequence[str],
) -> str:
    return "\n\n".join(
        [
            load_table(loads),
            page_table(results, expected, backends),
            "\n".join(targets(results)),
            "The rank alone, side by side with the count it replaces (same callers, interleaved):",
            rank_table(ranks),
        ]
    )

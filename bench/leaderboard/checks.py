"""What every page must satisfy, and the exact answer each case must give."""

from __future__ import annotations

import itertools

from bench.leaderboard.data import GUILD_A, CheckFailed, Expected, GuildData
from bot.services.leaderboards import PAGE_SIZE, BoardPage, LeaderboardService


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

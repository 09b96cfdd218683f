"""The bucket counts behind ranks follow every change to the boards, on both databases."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, text, update

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import BoardTotal, User
from bot.db.models.buckets import rebuild_sql
from bot.services import points
from bot.services.leaderboards import LeaderboardService
from bot.services.users import ensure_member

GUILD = 7_000_000_000_000_001
OTHER = 7_000_000_000_000_002
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def _buckets(db: Database) -> set[tuple]:
    async with db.read() as session:
        rows = await session.execute(text("SELECT * FROM board_buckets WHERE members != 0"))
        return {tuple(r) for r in rows}


async def _recounted(db: Database) -> set[tuple]:
    """What ``board_buckets`` should hold: recomputed from ``board_totals`` (and put back)."""
    kept = await _buckets(db)
    async with db.transaction() as session:
        for statement in rebuild_sql():
            await session.execute(text(statement))
    recounted = await _buckets(db)
    async with db.transaction() as session:
        await session.execute(text("DELETE FROM board_buckets"))
        for row in kept:
            await session.execute(
                text("INSERT INTO board_buckets VALUES (:g, :b, :p, :k, :bucket, :n)"),
                dict(zip(("g", "b", "p", "k", "bucket", "n"), row, strict=True)),
            )
    return recounted


def _competition_rank(values: dict[int, int], user_id: int) -> int:
    return 1 + sum(1 for v in values.values() if v > values[user_id])


async def test_buckets_follow_moves_departures_sweeps_and_deletions(db: Database) -> None:
    rng = random.Random(4)
    users = [8_000_000_000_000_000 + i for i in range(40)]
    async with db.transaction() as session:
        for user_id in users:
            await ensure_member(session, GUILD, user_id, f"m{user_id % 100}", NOW)
            await ensure_member(session, OTHER, user_id, f"m{user_id % 100}", NOW)
    # Small and large moves, both ways: values cross zero and bucket edges (32, 64, 4096...).
    for round_ in range(6):
        moves = [
            points.BoardMove(
                rng.choice((GUILD, OTHER)),
                user_id,
                rng.choice(("points", "study")),
                rng.choice((3, 10, 25, -7, -40, 500, 3000, -2500)),
                NOW - timedelta(days=rng.randrange(40)),
                points.period_keys(NOW - timedelta(days=round_ * 9), "UTC", 1),
            )
            for user_id in rng.sample(users, 25)
        ]
        async with db.transaction() as session:
            await points.move_boards(session, moves)
            await points.set_streak_boards(
                session, [(u, rng.randrange(0, 90)) for u in rng.sample(users, 10)], NOW
            )
    assert await _buckets(db) == await _recounted(db)

    service = LeaderboardService(db, FrozenClock(NOW))
    assert await service.sweep_broken_streaks() > 0  # no one's streak is alive: all zeroed
    async with db.transaction() as session:
        await points.set_streak_boards(session, [(u, rng.randrange(1, 90)) for u in users], NOW)
    await service.mark_left(GUILD, users[:8])
    async with db.transaction() as session:
        await ensure_member(session, GUILD, users[0], "back", NOW)  # returns: active again
        await session.execute(
            update(BoardTotal).where(BoardTotal.user_id == users[9]).values(value=0)
        )
    async with db.transaction() as session:
        await session.execute(delete(User).where(User.id == users[10]))  # cascades to totals
    assert await _buckets(db) == await _recounted(db)

    for board, period in (("points", "all"), ("study", "week"), ("streak", "all")):
        async with db.read() as session:
            key = "all" if period == "all" else points.period_keys(NOW, "UTC", 1).week
            found = await session.execute(
                text(
                    "SELECT user_id, value FROM board_totals WHERE guild_id = :g AND board = :b "
                    "AND period = :p AND period_key = :k AND active AND value > 0"
                ),
                {"g": GUILD, "b": board, "p": period, "k": key},
            )
            values = dict(found.all())
        assert values, f"{board}/{period} has nobody ranked"
        for user_id in values:
            page = await service.page(GUILD, board=board, period=period, caller_id=user_id, at=NOW)
            assert page.caller is not None
            assert (page.caller.rank, page.caller.value) == (
                _competition_rank(values, user_id),
                values[user_id],
            )
        ordered = sorted(values.values(), reverse=True)
        deep = await service.page(GUILD, board=board, period=period, page=1, at=NOW)
        assert [r.value for r in deep.rows] == ordered[10:20]
        assert [r.rank for r in deep.rows] == [1 + ordered.index(v) for v in ordered[10:20]]

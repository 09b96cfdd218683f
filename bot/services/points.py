"""Points: the ledger, the per-period board totals kept in step with it, and seasons.

Every award is one ledger row, unique on (guild, user, reason, ref), written in the
same transaction as the board totals it moves, so a repeated click adds nothing and
a leaderboard page is one indexed read of ``board_totals``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, bindparam, delete, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BoardTotal, Guild, Member, PointsEntry, Season
from bot.db.types import UTCDateTime
from bot.db.upsert import (
    DialectInsert,
    built_once,
    dialect_insert,
    insert_ignore,
    insert_rows,
    session_dialect,
    unnested,
)

PERIODS = ("week", "month", "season", "all")
BOARDS = ("points", "study")


class Award:
    """How many points each kind of activity is worth."""

    DAILY_RIGHT = 10
    DAILY_WRONG = 3
    PRACTICE_RIGHT = 2
    PRACTICE_DAILY_CAP = 20
    STUDY_PER_10_MIN = 1
    CHALLENGE_DONE = 25
    ADJUST_LIMIT = 1000


@dataclass(frozen=True)
class PeriodKeys:
    """The key of each period that an instant falls in, in a guild's timezone."""

    week: str
    month: str
    season: str
    all: str = "all"

    def items(self) -> list[tuple[str, str]]:
        """(period, key) for every period the instant falls in."""
        return [
            ("week", self.week),
            ("month", self.month),
            ("season", self.season),
            ("all", self.all),
        ]


def period_keys(now: datetime, timezone: str, season_id: int) -> PeriodKeys:
    """Week starts Monday 00:00 local; the week key is that Monday's date."""
    local = now.astimezone(ZoneInfo(timezone)).date()
    monday = local - timedelta(days=local.weekday())
    return PeriodKeys(week=monday.isoformat(), month=f"{local:%Y-%m}", season=str(season_id))


async def open_season(session: AsyncSession, guild_id: int, now: datetime) -> int:
    """The id of the guild's open season, starting season 1 on first use."""
    season_id = await session.scalar(
        select(Season.id).where(Season.guild_id == guild_id, Season.ended_at.is_(None))
    )
    if season_id is not None:
        return season_id
    await insert_ignore(
        session, Season, guild_id=guild_id, number=1, name="Season 1", started_at=now
    )
    opened = await session.scalar(
        select(Season.id).where(Season.guild_id == guild_id, Season.ended_at.is_(None))
    )
    if opened is None:
        raise RuntimeError(f"guild {guild_id} has no open season right after opening one")
    return opened


async def _guild_context(session: AsyncSession, guild_id: int, now: datetime) -> tuple[str, int]:
    """The guild's timezone and open season id, in one read (starting season 1 if needed)."""
    row = (
        await session.execute(
            select(Guild.timezone, Season.id)
            .outerjoin(Season, (Season.guild_id == Guild.id) & Season.ended_at.is_(None))
            .where(Guild.id == guild_id)
        )
    ).first()
    timezone = (row[0] if row else None) or "UTC"
    season_id = row[1] if row else None
    if season_id is None:
        season_id = await open_season(session, guild_id, now)
    return timezone, season_id


async def guild_contexts(
    session: AsyncSession, guild_ids: Iterable[int], now: datetime
) -> tuple[dict[int, tuple[str, int]], set[int]]:
    """The timezone and open season of several guilds in one read (season 1 started if needed).

    Returns the contexts and the guilds whose season was started in this transaction
    (not to be cached before it commits).
    """
    wanted = set(guild_ids)
    if not wanted:
        return {}, set()
    found: dict[int, tuple[str, int | None]] = {gid: ("UTC", None) for gid in wanted}
    for gid, timezone, season_id in await session.execute(
        select(Guild.id, Guild.timezone, Season.id)
        .outerjoin(Season, (Season.guild_id == Guild.id) & Season.ended_at.is_(None))
        .where(Guild.id.in_(wanted))
    ):
        found[gid] = (timezone or "UTC", season_id)
    contexts: dict[int, tuple[str, int]] = {}
    started: set[int] = set()
    for gid, (timezone, season_id) in found.items():
        if season_id is None:
            season_id = await open_season(session, gid, now)
            started.add(gid)
        contexts[gid] = (timezone, season_id)
    return contexts, started


@dataclass(frozen=True)
class BoardMove:
    """``delta`` on one user's ``board`` in every period that ``at`` falls in."""

    guild_id: int
    user_id: int
    board: str
    delta: int
    at: datetime
    keys: PeriodKeys


def _board_upsert(grows: bool) -> Callable[[DialectInsert], Any]:
    def finish(statement: DialectInsert) -> Any:
        update: dict[str, Any] = {"value": BoardTotal.__table__.c.value + statement.excluded.value}
        if grows:
            update["reached_at"] = statement.excluded.reached_at
        # One statement for the batch, so PostgreSQL runs the bucket triggers once.
        # ``move_boards`` sends each key once, as a multi-row ON CONFLICT DO UPDATE requires.
        return statement.on_conflict_do_update(
            index_elements=["guild_id", "board", "period", "period_key", "user_id"], set_=update
        )

    return finish


async def move_boards(session: AsyncSession, moves: Sequence[BoardMove]) -> None:
    """Apply several board moves: at most two statements, one row per (board, period, user)."""
    totals: dict[tuple[int, str, str, str, int], list[Any]] = {}
    for move in moves:
        if move.delta == 0:
            continue
        for period, key in move.keys.items():
            entry = totals.setdefault(
                (move.guild_id, move.board, period, key, move.user_id), [0, move.at]
            )
            entry[0] += move.delta
            entry[1] = max(entry[1], move.at)
    for grows in (True, False):
        rows = [
            {
                "guild_id": guild_id,
                "board": board,
                "period": period,
                "period_key": key,
                "user_id": user_id,
                "value": delta,
                "reached_at": at,
            }
            for (guild_id, board, period, key, user_id), (delta, at) in totals.items()
            if delta != 0 and (delta > 0) is grows
        ]
        if rows:
            name = "board-grow" if grows else "board-shrink"
            await insert_rows(session, name, BoardTotal.__table__, rows, _board_upsert(grows))


async def move_board(
    session: AsyncSession,
    *,
    guild_id: int,
    user_id: int,
    board: str,
    delta: int,
    now: datetime,
    season_id: int | None = None,
    timezone: str | None = None,
) -> None:
    """Add ``delta`` (may be negative) to the user's total on ``board`` for every period."""
    if delta == 0:
        return
    if season_id is None or timezone is None:
        found_tz, found_season = await _guild_context(session, guild_id, now)
        timezone = timezone or found_tz
        season_id = season_id if season_id is not None else found_season
    keys = period_keys(now, timezone, season_id)
    await move_boards(session, [BoardMove(guild_id, user_id, board, delta, now, keys)])


@dataclass(frozen=True)
class Grant:
    """Points for one (guild, user, reason, ref), counted once."""

    guild_id: int
    user_id: int
    amount: int
    reason: str
    ref: str
    at: datetime


def _ledger_insert(statement: DialectInsert) -> Any:
    table = PointsEntry.__table__.c
    return statement.on_conflict_do_nothing().returning(
        table.guild_id, table.user_id, table.reason, table.ref
    )


async def award(
    session: AsyncSession,
    *,
    guild_id: int,
    user_id: int,
    amount: int,
    reason: str,
    ref: str,
    now: datetime,
) -> bool:
    """Record points once per (guild, user, reason, ref); False if already recorded."""
    context = await _guild_context(session, guild_id, now)
    grant = Grant(guild_id, user_id, amount, reason, ref, now)
    return (await award_many(session, [grant], {guild_id: context}))[0]


async def award_many(
    session: AsyncSession, grants: Sequence[Grant], contexts: Mapping[int, tuple[str, int]]
) -> list[bool]:
    """``award`` for several grants: one ledger statement and the board moves of those added.

    ``contexts`` gives each guild's (timezone, open season id). A grant repeated within
    the batch counts once (the first).
    """
    if not grants:
        return []
    rows: dict[tuple[int, int, str, str], Grant] = {}
    for grant in grants:
        rows.setdefault((grant.guild_id, grant.user_id, grant.reason, grant.ref), grant)
    added = set(
        await insert_rows(
            session,
            "ledger",
            PointsEntry.__table__,
            [
                {
                    "guild_id": g.guild_id,
                    "user_id": g.user_id,
                    "season_id": contexts[g.guild_id][1],
                    "amount": g.amount,
                    "reason": g.reason,
                    "ref": g.ref,
                    "created_at": g.at,
                }
                for g in rows.values()
            ],
            _ledger_insert,
        )
    )
    await move_boards(
        session,
        [
            BoardMove(
                g.guild_id,
                g.user_id,
                "points",
                g.amount,
                g.at,
                period_keys(g.at, *contexts[g.guild_id]),
            )
            for key, g in rows.items()
            if key in added
        ],
    )
    return [
        (key := (g.guild_id, g.user_id, g.reason, g.ref)) in added and rows[key] is g
        for g in grants
    ]


async def revoke(
    session: AsyncSession, *, guild_id: int, user_id: int, reason: str, ref: str
) -> None:
    """Take back an award, in the periods it was counted in."""
    entry = await session.scalar(
        select(PointsEntry).where(
            PointsEntry.guild_id == guild_id,
            PointsEntry.user_id == user_id,
            PointsEntry.reason == reason,
            PointsEntry.ref == ref,
        )
    )
    if entry is None:
        return
    await session.execute(delete(PointsEntry).where(PointsEntry.id == entry.id))
    await move_board(
        session,
        guild_id=guild_id,
        user_id=user_id,
        board="points",
        delta=-entry.amount,
        now=entry.created_at,
        season_id=entry.season_id,
    )


async def points_today(
    session: AsyncSession, *, guild_id: int, user_id: int, reasons: tuple[str, ...], since: datetime
) -> int:
    """Points of the given reasons the user earned in the guild since ``since``."""
    rows = await session.scalars(
        select(PointsEntry.amount).where(
            PointsEntry.guild_id == guild_id,
            PointsEntry.user_id == user_id,
            PointsEntry.reason.in_(reasons),
            PointsEntry.created_at >= since,
        )
    )
    return sum(rows)


def _streak_board_insert(dialect: str) -> Any:
    """Upsert each (user, streak) pair's total on the streak board of the user's guilds.

    On PostgreSQL the pairs come as two arrays, unnested, so a whole batch is one
    statement and the bucket triggers run once for it; SQLite runs the statement once
    per pair (its triggers are per row either way, and it has no round trip to save).
    """
    if dialect == "postgresql":
        pairs = unnested("pairs", {"user_id": BigInteger(), "streak": BigInteger()})
        user, streak = pairs.c.user_id, pairs.c.streak
    else:
        user, streak = bindparam("b_user"), bindparam("b_streak", type_=BigInteger)
    member = Member.__table__.c  # Core columns: no ORM step when it runs
    rows = select(
        member.guild_id,
        literal("streak"),
        literal("all"),
        literal("all"),
        member.user_id,
        streak,
        bindparam("b_now", type_=UTCDateTime),
        member.left_at.is_(None),
    ).where(member.user_id == user)
    columns = [
        "guild_id",
        "board",
        "period",
        "period_key",
        "user_id",
        "value",
        "reached_at",
        "active",
    ]
    statement = dialect_insert(dialect, BoardTotal.__table__).from_select(columns, rows)
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "board", "period", "period_key", "user_id"],
        set_={"value": statement.excluded.value, "reached_at": statement.excluded.reached_at},
    )


async def set_streak_board(session: AsyncSession, user_id: int, streak: int, now: datetime) -> None:
    """Put the user's current streak on the streak board of every guild they belong to."""
    await set_streak_boards(session, [(user_id, streak)], now)


async def set_streak_boards(
    session: AsyncSession, streaks: Sequence[tuple[int, int]], now: datetime
) -> None:
    """``set_streak_board`` for several (user, streak) pairs, the last pair of a user winning.

    An INSERT ... SELECT over the users' memberships, upserting (guild, "streak", "all",
    "all", user); members who left stay inactive.
    """
    latest = dict(streaks)  # one row per key: an upsert may not touch a row twice
    if not latest:
        return
    statement = built_once(session, "streak-board", _streak_board_insert)
    if session_dialect(session) == "postgresql":
        await session.execute(
            statement,
            {"pairs_user_id": list(latest), "pairs_streak": list(latest.values()), "b_now": now},
        )
    else:
        await session.execute(
            statement, [{"b_user": u, "b_streak": v, "b_now": now} for u, v in latest.items()]
        )

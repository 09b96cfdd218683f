"""Points: the ledger, the per-period board totals kept in step with it, and seasons.

Every award is one ledger row, unique on (guild, user, reason, ref), written in the
same transaction as the board totals it moves, so a repeated click adds nothing and
a leaderboard page is one indexed read of ``board_totals``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, delete, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BoardTotal, Guild, Member, PointsEntry, Season
from bot.db.types import UTCDateTime
from bot.db.upsert import insert_for, insert_ignore, upsert_many

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
    season_id = await session.scalar(
        select(Season.id).where(Season.guild_id == guild_id, Season.ended_at.is_(None))
    )
    assert season_id is not None
    return season_id


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
    """Add ``delta`` (may be negative) to the user's total on ``board`` for every period.

    One multi-row upsert covers the four periods.
    """
    if delta == 0:
        return
    if season_id is None or timezone is None:
        found_tz, found_season = await _guild_context(session, guild_id, now)
        timezone = timezone or found_tz
        season_id = season_id if season_id is not None else found_season
    keys = period_keys(now, timezone, season_id)
    rows = [
        {
            "guild_id": guild_id,
            "board": board,
            "period": period,
            "period_key": key,
            "user_id": user_id,
            "value": delta,
            "reached_at": now,
        }
        for period, key in keys.items()
    ]
    await upsert_many(
        session,
        BoardTotal,
        keys=("guild_id", "board", "period", "period_key", "user_id"),
        rows=rows,
        update=(
            {"value": BoardTotal.value + delta, "reached_at": now}
            if delta > 0
            else {"value": BoardTotal.value + delta}
        ),
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
    timezone, season_id = await _guild_context(session, guild_id, now)
    added = await insert_ignore(
        session,
        PointsEntry,
        guild_id=guild_id,
        user_id=user_id,
        season_id=season_id,
        amount=amount,
        reason=reason,
        ref=ref,
        created_at=now,
    )
    if added:
        await move_board(
            session,
            guild_id=guild_id,
            user_id=user_id,
            board="points",
            delta=amount,
            now=now,
            season_id=season_id,
            timezone=timezone,
        )
    return added


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


async def set_streak_board(session: AsyncSession, user_id: int, streak: int, now: datetime) -> None:
    """Put the user's current streak on the streak board of every guild they belong to.

    One INSERT ... SELECT over the user's memberships, upserting (guild, "streak",
    "all", "all", user); members who left stay inactive.
    """
    rows = select(
        Member.guild_id,
        literal("streak"),
        literal("all"),
        literal("all"),
        Member.user_id,
        literal(streak, BigInteger),
        literal(now, UTCDateTime),
        Member.left_at.is_(None),
    ).where(Member.user_id == user_id)
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
    statement = insert_for(session, BoardTotal).from_select(columns, rows)
    statement = statement.on_conflict_do_update(
        index_elements=["guild_id", "board", "period", "period_key", "user_id"],
        set_={"value": streak, "reached_at": now},
    )
    await session.execute(statement)

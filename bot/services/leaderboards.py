"""Leaderboards, seasons and moderator adjustments for one guild.

A points or study page is one range scan of ``ix_board_totals_rank``; ranks use
competition ranking (equal scores share a rank; the next rank skips), with ties
listed by who reached the score first. Members who left are inactive rows and do
not appear; deleted users have no rows at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, literal, null, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.changes import changed_rows
from bot.db.engine import Database
from bot.db.models import BoardBucket, BoardTotal, Guild, Member, ModAudit, Season, User
from bot.db.upsert import built_once
from bot.services import forgetting, points
from bot.services.contexts import GuildContexts
from bot.services.errors import UserError
from bot.services.text import one_line
from bot.services.users import ensure_guild, ensure_member

PAGE_SIZE = 10
NO_SEASON = "none"  # the period key while a guild has no season yet: matches no rows
REASON_LIMIT = 200
SEASON_NAME_LIMIT = 80


@dataclass(frozen=True)
class Standing:
    """One line of a leaderboard."""

    rank: int
    user_id: int
    name: str
    value: int


@dataclass(frozen=True)
class BoardPage:
    """A page of a board plus where the caller stands."""

    board: str
    period: str
    period_label: str
    page: int
    has_next: bool
    rows: list[Standing]
    caller: Standing | None


@dataclass(frozen=True)
class SeasonInfo:
    """A season of a guild's points board, open while ``ended_at`` is None."""

    id: int
    number: int
    name: str
    started_at: datetime
    ended_at: datetime | None


# The parts of the page statement's result.
_PAGE, _FIRST, _CALLER, _SEASON = 0, 1, 2, 3
_NO_LIMIT = 2**63 - 1


def _on_board(table: Any) -> Any:
    return and_(
        table.c.guild_id == bindparam("g"),
        table.c.board == bindparam("b"),
        table.c.period == bindparam("p"),
        table.c.period_key == bindparam("k"),
    )


def count_above(value: Any) -> Any:
    """How many ranked members score more than ``value``, in two bounded index reads.

    The bucket rows whose lowest value is above ``value`` hold only higher scores: their
    counts are summed. The rest of the higher scores share ``value``'s own bucket, so
    they lie below the next bucket up: those few are counted in ``ix_board_totals_rank``.
    No bucket function is needed here, only the rows the triggers keep.
    """
    buckets = BoardBucket.__table__
    higher = and_(_on_board(buckets), buckets.c.bucket > value)
    summed = select(func.coalesce(func.sum(buckets.c.members), 0)).where(higher)
    next_bucket = (
        select(func.min(buckets.c.bucket)).where(higher).correlate_except(buckets).scalar_subquery()
    )
    close = BoardTotal.__table__.alias("close")
    counted = (
        select(func.count())
        .select_from(close)
        .where(
            _on_board(close),
            close.c.active.is_(True),
            close.c.value > value,
            close.c.value < func.coalesce(next_bucket, _NO_LIMIT),
        )
    )
    return summed.scalar_subquery() + counted.scalar_subquery()


def _page_statement(_dialect: str) -> Any:
    """One statement for a page, its first rank, the caller's standing and the season name.

    Rows: (part, user_id, value, reached_at, name, above); ``above`` is how many ranked
    members score more (on the FIRST and CALLER rows); the SEASON row (when ``season`` is
    an id) has the season's name and ``ended_at`` in ``reached_at``.
    """
    totals, members = BoardTotal.__table__, Member.__table__
    ranked = and_(_on_board(totals), totals.c.active.is_(True), totals.c.value > 0)
    top = (
        select(totals.c.user_id, totals.c.value, totals.c.reached_at)
        .where(ranked)
        .order_by(totals.c.value.desc(), totals.c.reached_at, totals.c.user_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .cte("top")
    )

    def name_of(user_id: Any) -> Any:
        return (
            select(members.c.display_name)
            .where(members.c.guild_id == bindparam("g"), members.c.user_id == user_id)
            .scalar_subquery()
        )

    listed = select(
        literal(_PAGE).label("part"),
        top.c.user_id,
        top.c.value,
        top.c.reached_at,
        name_of(top.c.user_id).label("name"),
        null().label("above"),
    )
    first = select(func.max(top.c.value).label("value")).subquery("first")
    first_rank = select(
        literal(_FIRST), null(), first.c.value, null(), null(), count_above(first.c.value)
    ).where(first.c.value.is_not(None))
    caller = totals.alias("caller")
    standing = select(
        literal(_CALLER),
        caller.c.user_id,
        caller.c.value,
        caller.c.reached_at,
        name_of(caller.c.user_id),
        count_above(caller.c.value),
    ).where(
        _on_board(caller),
        caller.c.user_id == bindparam("caller"),
        caller.c.active.is_(True),
        caller.c.value > 0,
    )
    seasons = Season.__table__
    season = select(
        literal(_SEASON), null(), null(), seasons.c.ended_at, seasons.c.name, null()
    ).where(seasons.c.id == bindparam("season"))
    return union_all(listed, first_rank, standing, season)


def _season_label(name: str, ended_at: datetime | None) -> str:
    return name + (" (final)" if ended_at else "")


class LeaderboardService:
    """Board pages, seasons, adjustments and the audit log."""

    def __init__(
        self, db: Database, clock: Clock, *, contexts: GuildContexts | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._contexts = contexts or GuildContexts()

    # -- boards ---------------------------------------------------------------------------

    async def _context(self, session: AsyncSession, guild_id: int) -> tuple[str, int | None]:
        """The guild's timezone and open season: from the shared cache, else one read.

        The read starts no season (a read-only session must not write); a context with an
        open season is kept in the cache for the next call.
        """
        known = self._contexts.known(guild_id)
        if known is not None:
            return known
        version = self._contexts.version(guild_id)
        row = (
            await session.execute(
                select(Guild.timezone, Season.id)
                .outerjoin(Season, (Season.guild_id == Guild.id) & Season.ended_at.is_(None))
                .where(Guild.id == guild_id)
            )
        ).first()
        timezone, season_id = (row[0] or "UTC", row[1]) if row else ("UTC", None)
        if season_id is not None:
            self._contexts.keep(guild_id, (timezone, season_id), version)
        return timezone, season_id

    async def _key(
        self,
        session: AsyncSession,
        guild_id: int,
        period: str,
        season: int | None,
        at: datetime | None = None,
    ) -> tuple[str, str | None, int | None]:
        """The period key at ``at`` (default now) in the guild's timezone, and its label.

        For the open season the label is left to the page statement (``None``), which
        reads that season's name: the third value is its id.
        """
        if period == "season" and season is not None:
            row = (
                await session.execute(
                    select(Season.id, Season.name, Season.ended_at).where(
                        Season.guild_id == guild_id, Season.number == season
                    )
                )
            ).first()
            if row is None:
                raise UserError(f"This server has no season {season}.")
            return str(row.id), _season_label(row.name, row.ended_at), None
        timezone, open_season = await self._context(session, guild_id)
        if period == "season":
            if open_season is None:
                return NO_SEASON, "Season 1", None
            return str(open_season), None, open_season
        keys = points.period_keys(at or self._clock.now(), timezone, 0)
        labels = {"week": f"week of {keys.week}", "month": keys.month, "all": "all time"}
        return {"week": keys.week, "month": keys.month, "all": "all"}[period], labels[period], None

    @staticmethod
    def _board_rows(
        guild_id: int, board: str, period: str, key: str
    ) -> Select[tuple[int, int, datetime]]:
        return select(BoardTotal.user_id, BoardTotal.value, BoardTotal.reached_at).where(
            BoardTotal.guild_id == guild_id,
            BoardTotal.board == board,
            BoardTotal.period == period,
            BoardTotal.period_key == key,
            BoardTotal.active.is_(True),
            BoardTotal.value > 0,
        )

    async def page(
        self,
        guild_id: int,
        *,
        board: str,
        period: str,
        page: int = 0,
        caller_id: int | None = None,
        season: int | None = None,
        at: datetime | None = None,
    ) -> BoardPage:
        """One page of ``board`` for ``period``, with the caller's own standing.

        The period is the one containing ``at`` (default: now).
        """
        if board not in ("points", "study", "streak"):
            raise UserError("Board must be points, study or streak.")
        if period not in ("week", "month", "season", "all"):
            raise UserError("Period must be week, month, season or all.")
        async with self._db.lookup() as session:
            if board == "streak":
                period, season = "all", None  # streaks are "current": the period does not apply
            key, label, season_id = await self._key(session, guild_id, period, season, at)
            if board == "streak":
                label = "current streaks"
            page = max(page, 0)
            found = (
                await session.execute(
                    built_once(session, "board-page", _page_statement),
                    {
                        "g": guild_id,
                        "b": board,
                        "p": period,
                        "k": key,
                        "limit": PAGE_SIZE + 1,
                        "offset": page * PAGE_SIZE,
                        "caller": caller_id,
                        "season": season_id,
                    },
                )
            ).all()
        listed = sorted(
            (r for r in found if r.part == _PAGE), key=lambda r: (-r.value, r.reached_at, r.user_id)
        )
        has_next = len(listed) > PAGE_SIZE
        listed = listed[:PAGE_SIZE]
        first = next((r.above + 1 for r in found if r.part == _FIRST), 1)
        rows = [
            Standing(rank, user_id, name or str(user_id), value)
            for (rank, user_id, value), name in zip(
                self._with_ranks([(r.user_id, r.value) for r in listed], page * PAGE_SIZE, first),
                [r.name for r in listed],
                strict=True,
            )
        ]
        if label is None:
            label = next(
                (_season_label(r.name, r.reached_at) for r in found if r.part == _SEASON), "Season"
            )
        mine = next((r for r in found if r.part == _CALLER), None)
        caller = (
            None
            if mine is None
            else Standing(mine.above + 1, mine.user_id, mine.name or str(mine.user_id), mine.value)
        )
        return BoardPage(board, period, label, page, has_next, rows, caller)

    @staticmethod
    def _with_ranks(
        values: list[tuple[int, int]], offset: int, first_rank: int
    ) -> list[tuple[int, int, int]]:
        """(rank, user_id, value) for a page sorted by value, descending.

        A row whose value is below the previous row's has every earlier row above it,
        so its rank is its position; only the page's first row needs counting.
        """
        ranked: list[tuple[int, int, int]] = []
        for index, (user_id, value) in enumerate(values):
            if index == 0:
                rank = first_rank
            elif value == ranked[-1][2]:
                rank = ranked[-1][0]
            else:
                rank = offset + index + 1
            ranked.append((rank, user_id, value))
        return ranked

    async def export(
        self, guild_id: int, *, board: str, period: str, season: int | None = None
    ) -> list[Standing]:
        """Every ranked member of a board (for the CSV export), in one ordered read."""
        async with self._db.read() as session:
            if board == "streak":
                period, season = "all", None
            key, _, _ = await self._key(session, guild_id, period, season)
            query = (
                self._board_rows(guild_id, board, period, key)
                .with_only_columns(BoardTotal.user_id, BoardTotal.value)
                .order_by(BoardTotal.value.desc(), BoardTotal.reached_at, BoardTotal.user_id)
            )
            found = [(user_id, value) for user_id, value in (await session.execute(query)).all()]
            names = dict(
                (
                    await session.execute(
                        select(Member.user_id, Member.display_name).where(
                            Member.guild_id == guild_id
                        )
                    )
                )
                .tuples()
                .all()
            )
        return [
            Standing(rank, user_id, names.get(user_id, str(user_id)), value)
            for rank, user_id, value in self._with_ranks(found, 0, 1)
        ]

    # -- membership -------------------------------------------------------------------------

    async def mark_left(self, guild_id: int, user_ids: list[int]) -> None:
        """Members found to have left: hide them from boards (their points stay if they return)."""
        if not user_ids:
            return
        now = self._clock.now()
        async with self._db.transaction() as session:
            await session.execute(
                update(Member)
                .where(Member.guild_id == guild_id, Member.user_id.in_(user_ids))
                .values(left_at=now)
            )
            await session.execute(
                update(BoardTotal)
                .where(BoardTotal.guild_id == guild_id, BoardTotal.user_id.in_(user_ids))
                .values(active=False)
            )

    async def sweep_broken_streaks(self) -> int:
        """Zero the streak board for members whose streak has lapsed without activity.

        A streak changes when its owner acts; one that ends by *inaction* is caught here
        (hourly). A day of slack covers every timezone.
        """
        cutoff = self._clock.now().date() - timedelta(days=1)
        lapsed = select(User.id).where(
            or_(User.streak_alive_until.is_(None), User.streak_alive_until < cutoff)
        )
        async with self._db.transaction() as session:
            return await changed_rows(
                session,
                update(BoardTotal)
                .where(
                    BoardTotal.board == "streak",
                    BoardTotal.value > 0,
                    BoardTotal.user_id.in_(lapsed),
                )
                .values(value=0),
            )

    # -- seasons ----------------------------------------------------------------------------

    async def seasons(self, guild_id: int) -> list[SeasonInfo]:
        """The guild's seasons, oldest first."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(Season).where(Season.guild_id == guild_id).order_by(Season.number)
            )
            return [SeasonInfo(r.id, r.number, r.name, r.started_at, r.ended_at) for r in rows]

    async def season_change(self, guild_id: int, name: str | None) -> tuple[SeasonInfo | None, str]:
        """What ``/mod season-new`` would do: the season it closes (if any) and the new name.

        Refuses, before anything changes, a name that is blank, too long or already a
        season's in this server.
        """
        rows = await self.seasons(guild_id)
        current = next((s for s in rows if s.ended_at is None), None)
        if name is None:
            return current, f"Season {max((s.number for s in rows), default=0) + 1}"
        name = one_line(
            name,
            limit=SEASON_NAME_LIMIT,
            what="A season name",
            empty="The season name cannot be empty; leave it out for “Season N”.",
        )
        taken = next((s for s in rows if s.name.casefold() == name.casefold()), None)
        if taken is not None:
            raise UserError(
                f"Season {taken.number} is already called “{taken.name}”; pick another name."
            )
        return current, name

    async def new_season(
        self, guild_id: int, *, name: str | None, moderator_id: int, closing: int | None
    ) -> tuple[SeasonInfo | None, SeasonInfo]:
        """Close the open season (its standings stay) and open the next one.

        ``closing`` is the id of the season the moderator agreed to close (None: none was
        open); if another change came first, nothing happens and they are told.
        """
        _, chosen = await self.season_change(guild_id, name)
        now = self._clock.now()
        try:
            async with self._db.transaction() as session:
                await ensure_guild(session, guild_id, now)
                current = await session.scalar(
                    select(Season).where(Season.guild_id == guild_id, Season.ended_at.is_(None))
                )
                if (current.id if current else None) != closing:
                    raise UserError(
                        "The season changed since you asked (another moderator?); "
                        "see /mod seasons and run /mod season-new again."
                    )
                closed = None
                last = await session.scalar(
                    select(func.max(Season.number)).where(Season.guild_id == guild_id)
                )
                number = (last or 0) + 1
                if current is not None:
                    current.ended_at = now
                    await session.flush()
                    await forgetting.drop_carryovers(session, current.id)
                    closed = SeasonInfo(
                        current.id, current.number, current.name, current.started_at, now
                    )
                fresh = Season(
                    guild_id=guild_id,
                    number=number,
                    name=chosen if name is not None else f"Season {number}",
                    started_at=now,
                )
                session.add(fresh)
                await session.flush()
                session.add(
                    ModAudit(
                        guild_id=guild_id,
                        moderator_id=moderator_id,
                        action="season-new",
                        target_user_id=None,
                        amount=None,
                        detail=(f"closed {closed.name}; " if closed else "")
                        + f"opened {fresh.name}",
                        created_at=now,
                    )
                )
                return closed, SeasonInfo(
                    fresh.id, fresh.number, fresh.name, fresh.started_at, None
                )
        except IntegrityError:
            raise UserError(
                "Another season change happened at the same moment; try again."
            ) from None
        finally:
            self._contexts.forget(guild_id)  # after the commit (or the rollback)

    # -- adjustments and audit -----------------------------------------------------------------

    async def adjust(
        self,
        guild_id: int,
        *,
        moderator_id: int,
        user_id: int,
        display_name: str,
        amount: int,
        reason: str,
    ) -> int:
        """Add or remove points with a reason; returns the member's new all-time total."""
        limit = points.Award.ADJUST_LIMIT
        if amount == 0 or not -limit <= amount <= limit:
            raise UserError(f"The amount must be between -{limit} and {limit}, and not 0.")
        cleaned = one_line(
            reason,
            limit=REASON_LIMIT,
            what="The reason",
            empty="Give a reason; it goes into the audit log.",
        )
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_member(session, guild_id, user_id, display_name, now)
            audit = ModAudit(
                guild_id=guild_id,
                moderator_id=moderator_id,
                action="points",
                target_user_id=user_id,
                amount=amount,
                detail=cleaned,
                created_at=now,
            )
            session.add(audit)
            await session.flush()
            await points.award(
                session,
                guild_id=guild_id,
                user_id=user_id,
                amount=amount,
                reason="adjust",
                ref=str(audit.id),
                now=now,
            )
            total = await session.scalar(
                select(BoardTotal.value).where(
                    BoardTotal.guild_id == guild_id,
                    BoardTotal.user_id == user_id,
                    BoardTotal.board == "points",
                    BoardTotal.period == "all",
                )
            )
            return int(total or 0)

    async def audit_log(self, guild_id: int, limit: int = 15) -> list[ModAudit]:
        """The guild's latest moderator point changes and season starts, newest first."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(ModAudit)
                .where(ModAudit.guild_id == guild_id)
                .order_by(ModAudit.id.desc())
                .limit(limit)
            )
            return list(rows)

    async def record(self, guild_id: int, *, moderator_id: int, action: str, detail: str) -> None:
        """Note a moderator action that is not a points change (schedules, timezone)."""
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, self._clock.now())
            session.add(
                ModAudit(
                    guild_id=guild_id,
                    moderator_id=moderator_id,
                    action=action,
                    target_user_id=None,
                    amount=None,
                    detail=detail[:300],
                    created_at=self._clock.now(),
                )
            )

"""Milestone posts and recaps in a channel the moderators choose.

Three delivery kinds, all through the one pipeline and its outbox:

- ``milestones`` (subject: the guild; period: a batch window): milestones noticed in a
  window of ``BATCH`` minutes go out together in one post at the window's end;
- ``recap-week`` (subject: the guild; period: the Monday): last week's recap, Monday
  09:00 in the guild's timezone, whatever the UTC offset that day;
- ``recap-season`` (subject: the guild; period: ``s`` + season id): a closed season's
  recap, at the next 09:00 local after it closed.

Nobody is pinged unless they opted in (``/settings milestone-pings``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, distinct, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.db.engine import Database
from bot.db.models import (
    BoardTotal,
    DailyPost,
    Guild,
    Member,
    Milestone,
    MilestonePing,
    QuizAnswer,
    RecapSettings,
    Season,
)
from bot.db.types import UTCDateTime
from bot.db.upsert import insert_for, insert_ignore, insert_many_ignore, upsert
from bot.delivery.cadence import Cadence, Occurrence, once
from bot.delivery.outbox import Due
from bot.services.leaderboards import LeaderboardService, Standing
from bot.services.schedule_table import ScheduleTable
from bot.services.users import ensure_guild, ensure_user

MILESTONES = "milestones"
WEEKLY = "recap-week"
SEASONAL = "recap-season"

STREAK_MILESTONES = (7, 30, 100, 365)
BATCH = timedelta(minutes=10)
RECAP_AT = time(9, 0)  # local time of the weekly (Monday) and season recaps
SEASON_RECAP_WITHIN = timedelta(days=7)  # a season closed longer ago gets no recap
POST_WINDOW = timedelta(days=1)
LIST_LIMIT = 15  # milestones listed by name in one post; the rest are counted
TOP = 3
HARDEST_MINIMUM = 2  # answers a question needs to be "the hardest"
BEFORE = "before"  # batch of milestones reached before the guild turned posts on
FIRST_SWEEP_LOOKBACK = timedelta(days=2)
SWEEP_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class RecapChannel:
    """A guild's recap settings."""

    guild_id: int
    channel_id: int
    milestones: bool
    weekly: bool
    paused_reason: str | None
    updated_by: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: RecapSettings) -> RecapChannel:
        """The settings of a stored row."""
        return cls(
            row.guild_id,
            row.channel_id,
            row.milestones,
            row.weekly,
            row.paused_reason,
            row.updated_by,
            row.created_at,
        )


@dataclass(frozen=True)
class MilestoneLine:
    """One member's milestone in a batch post."""

    user_id: int
    name: str
    kind: str
    value: int
    ping: bool


@dataclass(frozen=True)
class MilestoneBatch:
    """The milestones one post lists (``more`` beyond those named)."""

    lines: list[MilestoneLine]
    more: int


@dataclass(frozen=True)
class Hardest:
    """The question with the lowest share of right daily answers in the period."""

    question_id: str
    prompt: str
    answered: int
    right: int


@dataclass(frozen=True)
class Recap:
    """What a weekly or season recap says."""

    title: str
    boards: list[tuple[str, str, list[Standing]]]  # (board, period label, top rows)
    participants: int
    daily_answers: int
    hardest: Hardest | None
    new_streaks: list[str]
    new_streak_count: int


def window_start(at: datetime) -> datetime:
    """The start of the batch window ``at`` falls in (windows are aligned to the epoch)."""
    seconds = int(BATCH.total_seconds())
    return datetime.fromtimestamp(int(at.timestamp()) // seconds * seconds, UTC)


def streak_milestone(value: int) -> int | None:
    """The highest streak milestone ``value`` reaches, if any."""
    reached = [m for m in STREAK_MILESTONES if m <= value]
    return reached[-1] if reached else None


class RecapService:
    """Recap channel settings, milestones and the content of recaps."""

    def __init__(
        self, db: Database, clock: Clock, content: Content, boards: LeaderboardService
    ) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self._boards = boards
        self.schedules = ScheduleTable(db, RecapSettings, RecapChannel.of)
        self._swept_at: datetime | None = None

    # -- settings --------------------------------------------------------------------------

    async def configure(
        self,
        guild_id: int,
        channel_id: int,
        *,
        moderator_id: int,
        milestones: bool | None = None,
        weekly: bool | None = None,
    ) -> RecapChannel:
        """Set the channel (and which posts); clears a pause. Existing streaks are not news."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, now)
            before = await session.get(RecapSettings, guild_id)
            was_on = before is not None and before.milestones
            values = {
                "channel_id": channel_id,
                "paused_reason": None,
                "paused_at": None,
                "pause_notified": False,
                "updated_by": moderator_id,
            }
            if milestones is not None:
                values["milestones"] = milestones
            if weekly is not None:
                values["weekly"] = weekly
            await upsert(
                session,
                RecapSettings,
                ["guild_id"],
                {
                    "guild_id": guild_id,
                    "milestones": True,
                    "weekly": True,
                    "created_at": now,
                    **values,
                },
                values,
            )
            row = await session.get(RecapSettings, guild_id, populate_existing=True)
            assert row is not None
            if row.milestones and not was_on:
                await self._mark_known(session, guild_id, now)
            return RecapChannel.of(row)

    async def _enabled(
        self, *, milestones: bool = False, weekly: bool = False
    ) -> list[tuple[int, int, str, datetime]]:
        """(guild, channel, timezone, created_at) of unpaused guilds with those posts on."""
        async with self._db.read() as session:
            query = (
                select(
                    RecapSettings.guild_id,
                    RecapSettings.channel_id,
                    Guild.timezone,
                    RecapSettings.created_at,
                )
                .join(Guild, Guild.id == RecapSettings.guild_id)
                .where(RecapSettings.paused_reason.is_(None))
            )
            if milestones:
                query = query.where(RecapSettings.milestones.is_(True))
            if weekly:
                query = query.where(RecapSettings.weekly.is_(True))
            return list((await session.execute(query)).tuples().all())

    # -- milestone pings ---------------------------------------------------------------------

    async def set_pings(self, user_id: int, on: bool) -> None:
        """Whether milestone posts mention the member (off unless they ask)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            if on:
                await ensure_user(session, user_id, now)
                await insert_ignore(session, MilestonePing, user_id=user_id, created_at=now)
            else:
                await session.execute(delete(MilestonePing).where(MilestonePing.user_id == user_id))

    # -- milestones --------------------------------------------------------------------------

    @staticmethod
    async def record(
        session: AsyncSession, guild_id: int, user_id: int, kind: str, value: int, now: datetime
    ) -> bool:
        """Note a milestone for the guild's next batch post (once per member, kind and value)."""
        return await insert_ignore(
            session,
            Milestone,
            guild_id=guild_id,
            user_id=user_id,
            kind=kind,
            value=value,
            reached_at=now,
            batch=None,
        )

    async def _insert_streaks(
        self,
        session: AsyncSession,
        guild_id: int,
        rows: list[tuple[int, int]],
        now: datetime,
        batch: str | None,
    ) -> None:
        found = []
        for user_id, value in rows:
            milestone = streak_milestone(value)
            if milestone is not None:
                found.append(
                    {
                        "guild_id": guild_id,
                        "user_id": user_id,
                        "kind": "streak",
                        "value": milestone,
                        "reached_at": now,
                        "batch": batch,
                    }
                )
        for start in range(0, len(found), 500):
            await insert_many_ignore(session, Milestone, found[start : start + 500])

    async def _mark_known(self, session: AsyncSession, guild_id: int, now: datetime) -> None:
        """Streaks members already have when posts are turned on are not announced.

        One INSERT ... SELECT over the guild's streak board (a 100k-member server has
        tens of thousands of such rows; see docs/benchmarks.md).
        """
        reached = case(
            *((BoardTotal.value >= m, m) for m in reversed(STREAK_MILESTONES[1:])),
            else_=STREAK_MILESTONES[0],
        )
        rows = select(
            BoardTotal.guild_id,
            BoardTotal.user_id,
            literal("streak"),
            reached,
            literal(now, UTCDateTime),
            literal(BEFORE),
        ).where(
            BoardTotal.guild_id == guild_id,
            BoardTotal.board == "streak",
            BoardTotal.period == "all",
            BoardTotal.period_key == "all",
            BoardTotal.active.is_(True),
            BoardTotal.value >= STREAK_MILESTONES[0],
        )
        columns = ["guild_id", "user_id", "kind", "value", "reached_at", "batch"]
        statement = insert_for(session, Milestone).from_select(columns, rows)
        await session.execute(statement.on_conflict_do_nothing())

    async def sweep_milestones(
        self, now: datetime, owns: Callable[[int], bool] = lambda guild_id: True
    ) -> int:
        """Notice streak milestones reached since the last sweep, in the guilds ``owns`` says.

        At most once per ``SWEEP_EVERY`` (the posts are batched anyway): one statement
        over the streak board rows changed since then, in guilds with milestone posts on.
        """
        if self._swept_at is not None and now - self._swept_at < SWEEP_EVERY:
            return 0
        since = self._swept_at or now - FIRST_SWEEP_LOOKBACK
        found = 0
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(BoardTotal.guild_id, BoardTotal.user_id, BoardTotal.value)
                .join(RecapSettings, RecapSettings.guild_id == BoardTotal.guild_id)
                .where(
                    RecapSettings.milestones.is_(True),
                    RecapSettings.paused_reason.is_(None),
                    BoardTotal.board == "streak",
                    BoardTotal.period == "all",
                    BoardTotal.period_key == "all",
                    BoardTotal.active.is_(True),
                    BoardTotal.value >= STREAK_MILESTONES[0],
                    BoardTotal.reached_at >= since,
                )
            )
            by_guild: dict[int, list[tuple[int, int]]] = {}
            for guild_id, user_id, value in rows:
                if owns(guild_id):
                    by_guild.setdefault(guild_id, []).append((user_id, value))
            for guild_id, changed in by_guild.items():
                await self._insert_streaks(session, guild_id, changed, now, None)
                found += len(changed)
        self._swept_at = now
        return found

    async def milestones_due(self, now: datetime) -> list[Due]:
        """One post per guild and batch window, once the window of its oldest milestone ends."""
        guilds = {g: c for g, c, *_ in await self._enabled(milestones=True)}
        if not guilds:
            return []
        async with self._db.read() as session:
            rows = await session.execute(
                select(Milestone.guild_id, func.min(Milestone.reached_at))
                .where(Milestone.batch.is_(None), Milestone.guild_id.in_(guilds))
                .group_by(Milestone.guild_id)
            )
            dues = []
            for guild_id, oldest in rows:
                start = window_start(oldest)
                ends = start + BATCH
                if now < ends:
                    continue
                key = str(int(start.timestamp()))
                occurrence = once(ends, POST_WINDOW, label=key)
                dues.append(Due(MILESTONES, guild_id, guild_id, guilds[guild_id], occurrence))
            return dues

    async def take_batch(self, guild_id: int, key: str) -> MilestoneBatch:
        """Assign every waiting milestone to batch ``key`` and return the batch's lines.

        Idempotent: a post re-drafted after a restart lists the same milestones (and any
        noticed since). Released again by ``release_batch`` when the post cannot be made.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            await session.execute(
                update(Milestone)
                .where(
                    Milestone.guild_id == guild_id,
                    Milestone.batch.is_(None),
                    Milestone.reached_at <= now,
                )
                .values(batch=key)
            )
            ping = MilestonePing.user_id.is_not(None)
            rows = (
                await session.execute(
                    select(
                        Milestone.user_id,
                        Member.display_name,
                        Milestone.kind,
                        Milestone.value,
                        ping,
                    )
                    .join(
                        Member,
                        (Member.guild_id == Milestone.guild_id)
                        & (Member.user_id == Milestone.user_id),
                    )
                    .outerjoin(MilestonePing, MilestonePing.user_id == Milestone.user_id)
                    .where(Milestone.guild_id == guild_id, Milestone.batch == key)
                    .order_by(Milestone.value.desc(), Milestone.id)
                )
            ).all()
        lines = [MilestoneLine(u, name, kind, value, bool(p)) for u, name, kind, value, p in rows]
        return MilestoneBatch(lines[:LIST_LIMIT], max(len(lines) - LIST_LIMIT, 0))

    async def release_batch(self, guild_id: int, key: str) -> None:
        """Put a batch's milestones back in the queue (its post was not made)."""
        async with self._db.transaction() as session:
            await session.execute(
                update(Milestone)
                .where(Milestone.guild_id == guild_id, Milestone.batch == key)
                .values(batch=None)
            )

    # -- recaps ------------------------------------------------------------------------------

    async def weekly_due(self, now: datetime) -> list[Due]:
        """Each guild's recap of last week, Monday 09:00 local (not for weeks before it was set)."""
        dues = []
        for guild_id, channel_id, timezone, created_at in await self._enabled(weekly=True):
            occurrence = Cadence(RECAP_AT, timezone or "UTC", period="week").current(now)
            if occurrence is not None and occurrence.due_at >= created_at:
                dues.append(Due(WEEKLY, guild_id, guild_id, channel_id, occurrence))
        return dues

    async def season_due(self, now: datetime) -> list[Due]:
        """A closed season's recap at the next 09:00 local after it closed."""
        guilds = {g: (c, tz, created) for g, c, tz, created in await self._enabled(weekly=True)}
        if not guilds:
            return []
        async with self._db.read() as session:
            rows = await session.execute(
                select(Season.guild_id, Season.id, Season.ended_at).where(
                    Season.guild_id.in_(guilds),
                    Season.ended_at.is_not(None),
                    Season.ended_at >= now - SEASON_RECAP_WITHIN,
                )
            )
            dues = []
            for guild_id, season_id, ended_at in rows:
                channel_id, timezone, created_at = guilds[guild_id]
                if ended_at < created_at:
                    continue
                due_at = Cadence(RECAP_AT, timezone or "UTC").next_due(ended_at)
                if now < due_at:
                    continue
                local = due_at.astimezone(ZoneInfo(timezone or "UTC")).date()
                occurrence = Occurrence(local, due_at, due_at + POST_WINDOW, f"s{season_id}")
                dues.append(Due(SEASONAL, guild_id, guild_id, channel_id, occurrence))
            return dues

    async def _hardest(self, session: AsyncSession, guild_id: int, within: Any) -> Hardest | None:
        # Grouped by the post's question: the answers are then read from the (post_id,
        # correct, ...) index alone, without visiting the answer rows.
        right = func.sum(case((QuizAnswer.correct, 1), else_=0))
        count = func.count()
        row = (
            await session.execute(
                select(DailyPost.question_id, count, right)
                .join(QuizAnswer, QuizAnswer.post_id == DailyPost.id)
                .where(DailyPost.guild_id == guild_id, within)
                .group_by(DailyPost.question_id)
                .having(count >= HARDEST_MINIMUM)
                .order_by((right * 1.0 / count).asc(), count.desc(), DailyPost.question_id)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        question_id, answered, right_count = row
        question = self._content.questions.get(question_id)
        prompt = question.prompt if question is not None else question_id
        return Hardest(question_id, prompt, answered, int(right_count or 0))

    @staticmethod
    async def _participants(session: AsyncSession, guild_id: int, period: str, key: str) -> int:
        """Members (still here) who earned points or logged study time in the period.

        Read from the board totals (one index range per board), not the activity log,
        whose size grows with the server's whole history.
        """
        return (
            await session.scalar(
                select(func.count(distinct(BoardTotal.user_id))).where(
                    BoardTotal.guild_id == guild_id,
                    BoardTotal.board.in_(("points", "study")),
                    BoardTotal.period == period,
                    BoardTotal.period_key == key,
                    BoardTotal.active.is_(True),
                    BoardTotal.value > 0,
                )
            )
            or 0
        )

    async def _daily_answers(self, session: AsyncSession, guild_id: int, within: Any) -> int:
        return (
            await session.scalar(
                select(func.count())
                .select_from(DailyPost)
                .join(QuizAnswer, QuizAnswer.post_id == DailyPost.id)
                .where(DailyPost.guild_id == guild_id, within)
            )
            or 0
        )

    async def _new_streaks(self, session: AsyncSession, guild_id: int) -> tuple[list[str], int]:
        """Members whose current streak began within the last week (1 to 7 days long)."""
        where = (
            BoardTotal.guild_id == guild_id,
            BoardTotal.board == "streak",
            BoardTotal.period == "all",
            BoardTotal.period_key == "all",
            BoardTotal.active.is_(True),
            BoardTotal.value >= 1,
            BoardTotal.value <= 7,
        )
        total = await session.scalar(select(func.count()).select_from(BoardTotal).where(*where))
        names = await session.scalars(
            select(Member.display_name)
            .join(
                BoardTotal,
                (BoardTotal.guild_id == Member.guild_id) & (BoardTotal.user_id == Member.user_id),
            )
            .where(*where)
            .order_by(BoardTotal.value.desc(), BoardTotal.reached_at, BoardTotal.user_id)
            .limit(5)
        )
        return list(names), total or 0

    async def _tops(
        self, guild_id: int, period: str, *, at: datetime | None = None, season: int | None = None
    ) -> list[tuple[str, str, list[Standing]]]:
        tops = []
        for board in ("points", "study", "streak"):
            page = await self._boards.page(
                guild_id, board=board, period=period, at=at, season=season
            )
            tops.append((board, page.period_label, page.rows[:TOP]))
        return tops

    async def weekly(self, guild_id: int, week: date) -> Recap:
        """The recap of the week before ``week`` (a Monday, local to the guild)."""
        first, last = week - timedelta(days=7), week - timedelta(days=1)
        async with self._db.read() as session:
            timezone = await session.scalar(select(Guild.timezone).where(Guild.id == guild_id))
            inside = datetime.combine(first, time(12), tzinfo=ZoneInfo(timezone or "UTC"))
            participants = await self._participants(session, guild_id, "week", first.isoformat())
            posted = DailyPost.local_date.between(first, last)
            answers = await self._daily_answers(session, guild_id, posted)
            hardest = await self._hardest(session, guild_id, posted)
            names, new = await self._new_streaks(session, guild_id)
        return Recap(
            f"Week of {first:%d %b %Y}",
            await self._tops(guild_id, "week", at=inside),
            participants or 0,
            answers,
            hardest,
            names,
            new,
        )

    async def season(self, guild_id: int, season_id: int) -> Recap | None:
        """The recap of a closed season; None if it does not exist."""
        async with self._db.read() as session:
            row = await session.get(Season, season_id)
            if row is None or row.guild_id != guild_id or row.ended_at is None:
                return None
            participants = await self._participants(session, guild_id, "season", str(season_id))
            # The answers given while the season was open: seasons start and end at any
            # moment, so two of them can share a day (and its daily question).
            during = (QuizAnswer.answered_at >= row.started_at) & (
                QuizAnswer.answered_at < row.ended_at
            )
            answers = await self._daily_answers(session, guild_id, during)
            hardest = await self._hardest(session, guild_id, during)
            number, name = row.number, row.name
        tops = [t for t in await self._tops(guild_id, "season", season=number) if t[0] != "streak"]
        # "New on the streak board" is the past week's news: the weekly recap has it.
        return Recap(f"{name}: final standings", tops, participants or 0, answers, hardest, [], 0)

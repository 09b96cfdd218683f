"""Streaks: the cache on ``users`` kept in step with the activity log, and what /streak shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import Database
from bot.db.models import Activity, StreakEvent, User
from bot.db.upsert import insert_many_ignore
from bot.services import points
from bot.services.localtime import local_day, user_timezone
from bot.services.streak_engine import Advance, StreakState, advance, at_risk, rebuild

HEATMAP_DAYS = 26 * 7
HISTORY_DAYS = 30


def state_of(user: User) -> StreakState:
    return StreakState(
        current=user.streak_current,
        best=user.streak_best,
        freezes=user.streak_freezes,
        progress=user.streak_progress,
        through=user.streak_through,
    )


def alive_until(state: StreakState) -> date | None:
    """The last local day on which activity keeps the streak (freezes cover the days before)."""
    if not state.current or state.through is None:
        return None
    return state.through + timedelta(days=1 + state.freezes)


async def _save(
    session: AsyncSession, user: User, result: Advance, now: datetime, *, notified: bool = False
) -> None:
    state = result.state
    if state.current != user.streak_current:
        await points.set_streak_board(session, user.id, state.current, now)
    user.streak_alive_until = alive_until(state)
    user.streak_current = state.current
    user.streak_best = state.best
    user.streak_freezes = state.freezes
    user.streak_progress = state.progress
    user.streak_through = state.through
    await insert_many_ignore(
        session,
        StreakEvent,
        [
            {"user_id": user.id, "day": e.day, "kind": e.kind, "notified": notified}
            for e in result.events
        ],
    )


async def _bridged(session: AsyncSession, user_id: int, after: date | None = None) -> set[date]:
    query = select(StreakEvent.day).where(
        StreakEvent.user_id == user_id, StreakEvent.kind == "bridge"
    )
    if after is not None:
        query = query.where(StreakEvent.day > after)
    return set(await session.scalars(query))


async def _active_days(session: AsyncSession, user_id: int) -> set[date]:
    return set(
        await session.scalars(
            select(Activity.local_day).where(Activity.user_id == user_id).distinct()
        )
    )


async def rebuild_user(session: AsyncSession, user: User, today: date, now: datetime) -> Advance:
    """Recompute the user's streak and its events from the whole log, and store them.

    Rebuilt events are history, not news: they are stored as already notified.
    """
    await session.execute(
        delete(StreakEvent).where(StreakEvent.user_id == user.id, StreakEvent.kind != "bridge")
    )
    active = await _active_days(session, user.id)
    result = rebuild(active, await _bridged(session, user.id), max([today, *active]))
    await _save(session, user, result, now, notified=True)
    return result


async def on_activity(session: AsyncSession, user: User, day: date, now: datetime) -> None:
    """Move the cached streak after an activity on ``day`` (the activity row is already added).

    ``user`` must have been read with FOR UPDATE in this transaction.
    """
    user_id = user.id
    state = state_of(user)
    if state.through is not None and day <= state.through:
        count = await session.scalar(
            select(func.count()).where(Activity.user_id == user_id, Activity.local_day == day)
        )
        if (count or 0) <= 1:
            await rebuild_user(session, user, day, now)
        return
    gap = state.through is not None and day - state.through > timedelta(days=1)
    bridged = await _bridged(session, user_id, state.through) if gap else set()
    result = advance(state, active={day}, bridged=bridged, today=day)
    await _save(session, user, result, now)


@dataclass(frozen=True)
class DayRecord:
    """One day of /streak history."""

    day: date
    minutes: int
    actions: int
    kinds: tuple[str, ...]
    event: str | None


@dataclass(frozen=True)
class StreakView:
    """Everything /streak shows about a member."""

    user_id: int
    timezone: str
    today: date
    current: int
    best: int
    freezes: int
    at_risk: bool
    hours_left: float
    days_this_week: int
    days_this_month: int
    total_minutes: int
    minutes_by_day: dict[date, int]
    active_days: set[date]
    news: tuple[tuple[date, str], ...]


class StreakService:
    """Reading streaks (advancing over missed days first) and their history."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def view(
        self, user_id: int, guild_id: int | None, *, mark_seen: bool = True
    ) -> StreakView:
        """The member's streak as of now, after counting any days missed since last time."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            # A read: a member nobody has met (or who deleted their data) gets no row.
            user = await session.get(User, user_id, with_for_update=True)
            tz = await user_timezone(session, user_id, guild_id)
            today = local_day(now, tz)
            state = state_of(user) if user is not None else StreakState()
            if state.through is not None and state.through < today - timedelta(days=1):
                result = advance(
                    state,
                    active=set(),
                    bridged=await _bridged(session, user_id, state.through),
                    today=today,
                )
                if user is not None:
                    await _save(session, user, result, now)
                state = result.state
            news = await self._news(session, user_id, mark_seen) if user is not None else ()
            since = today - timedelta(days=HEATMAP_DAYS)
            rows = (
                await session.execute(
                    select(Activity.local_day, func.sum(Activity.minutes))
                    .where(Activity.user_id == user_id, Activity.local_day > since)
                    .group_by(Activity.local_day)
                )
            ).all()
            total = await session.scalar(
                select(func.sum(Activity.minutes)).where(Activity.user_id == user_id)
            )
        minutes_by_day = {day: int(m or 0) for day, m in rows}
        active = set(minutes_by_day)
        monday = today - timedelta(days=today.weekday())
        midnight = datetime.combine(today + timedelta(days=1), time(), tzinfo=ZoneInfo(tz))
        return StreakView(
            user_id=user_id,
            timezone=tz,
            today=today,
            current=state.current,
            best=state.best,
            freezes=state.freezes,
            at_risk=at_risk(state, today),
            hours_left=(midnight - now).total_seconds() / 3600,
            days_this_week=sum(1 for d in active if d >= monday),
            days_this_month=sum(
                1 for d in active if d.year == today.year and d.month == today.month
            ),
            total_minutes=int(total or 0),
            minutes_by_day=minutes_by_day,
            active_days=active,
            news=news,
        )

    async def _news(
        self, session: AsyncSession, user_id: int, mark_seen: bool
    ) -> tuple[tuple[date, str], ...]:
        rows = (
            await session.execute(
                select(StreakEvent.day, StreakEvent.kind)
                .where(
                    StreakEvent.user_id == user_id,
                    StreakEvent.notified.is_(False),
                    StreakEvent.kind != "bridge",
                )
                .order_by(StreakEvent.day)
            )
        ).all()
        if mark_seen and rows:
            await session.execute(
                update(StreakEvent)
                .where(StreakEvent.user_id == user_id, StreakEvent.notified.is_(False))
                .values(notified=True)
            )
        return tuple((day, kind) for day, kind in rows)

    async def history(self, user_id: int, guild_id: int | None) -> list[DayRecord]:
        """The last 30 local days, newest first, with what counted and what happened."""
        view = await self.view(user_id, guild_id, mark_seen=False)
        start = view.today - timedelta(days=HISTORY_DAYS - 1)
        async with self._db.read() as session:
            activity = (
                await session.execute(
                    select(Activity.local_day, Activity.kind, Activity.minutes).where(
                        Activity.user_id == user_id, Activity.local_day >= start
                    )
                )
            ).all()
            events = (
                await session.execute(
                    select(StreakEvent.day, StreakEvent.kind).where(
                        StreakEvent.user_id == user_id, StreakEvent.day >= start
                    )
                )
            ).all()
        by_day: dict[date, list[tuple[str, int]]] = {}
        for day, kind, minutes in activity:
            by_day.setdefault(day, []).append((kind, minutes))
        event_of = {day: kind for day, kind in events}
        records = []
        for offset in range(HISTORY_DAYS):
            day = view.today - timedelta(days=offset)
            items = by_day.get(day, [])
            records.append(
                DayRecord(
                    day=day,
                    minutes=sum(m for _, m in items),
                    actions=len(items),
                    kinds=tuple(sorted({k for k, _ in items})),
                    event=event_of.get(day),
                )
            )
        return records

    async def verify(self, user_id: int) -> tuple[StreakState, StreakState]:
        """(cached, rebuilt) for the user as of now — equal unless something is wrong."""
        now = self._clock.now()
        async with self._db.read() as session:
            user = await session.get(User, user_id)
            assert user is not None
            today = local_day(now, await user_timezone(session, user_id, None))
            cached = state_of(user)
            if cached.through is not None and cached.through < today - timedelta(days=1):
                cached = advance(
                    cached,
                    active=set(),
                    bridged=await _bridged(session, user_id, cached.through),
                    today=today,
                ).state
            active = await _active_days(session, user_id)
            rebuilt = rebuild(active, await _bridged(session, user_id), max([today, *active])).state
        return cached, rebuilt

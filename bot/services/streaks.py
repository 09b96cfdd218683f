"""Streaks: the cache on ``users`` kept in step with the activity log, and what /streak shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

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
    """The streak fields cached on the user row."""
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


@dataclass(frozen=True)
class _Saved:
    user_id: int
    before: int
    result: Advance


_update_streak = (
    update(User.__table__)
    .where(User.__table__.c.id == bindparam("b_id"))
    .values(
        streak_current=bindparam("b_current"),
        streak_best=bindparam("b_best"),
        streak_freezes=bindparam("b_freezes"),
        streak_progress=bindparam("b_progress"),
        streak_through=bindparam("b_through"),
        streak_alive_until=bindparam("b_alive"),
    )
)


async def _save_many(
    session: AsyncSession, saves: list[_Saved], now: datetime, *, notified: bool = False
) -> None:
    """Store several users' streaks, their streak-board rows and events: three statements."""
    if not saves:
        return
    await session.execute(
        _update_streak,
        [
            {
                "b_id": s.user_id,
                "b_current": s.result.state.current,
                "b_best": s.result.state.best,
                "b_freezes": s.result.state.freezes,
                "b_progress": s.result.state.progress,
                "b_through": s.result.state.through,
                "b_alive": alive_until(s.result.state),
            }
            for s in saves
        ],
    )
    moved = [
        (s.user_id, s.result.state.current) for s in saves if s.result.state.current != s.before
    ]
    await points.set_streak_boards(session, moved, now)
    await insert_many_ignore(
        session,
        StreakEvent,
        [
            {"user_id": s.user_id, "day": e.day, "kind": e.kind, "notified": notified}
            for s in saves
            for e in s.result.events
        ],
    )


async def _save(
    session: AsyncSession, user: User, result: Advance, now: datetime, *, notified: bool = False
) -> None:
    """``_save_many`` for one user loaded in this session, keeping the loaded row in step."""
    await _save_many(
        session, [_Saved(user.id, user.streak_current, result)], now, notified=notified
    )
    state = result.state
    for name, value in (
        ("streak_current", state.current),
        ("streak_best", state.best),
        ("streak_freezes", state.freezes),
        ("streak_progress", state.progress),
        ("streak_through", state.through),
        ("streak_alive_until", alive_until(state)),
    ):
        set_committed_value(user, name, value)


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


async def on_activities(
    session: AsyncSession,
    days: Sequence[tuple[int, date]],
    states: dict[int, StreakState],
    now: datetime,
) -> None:
    """Move the cached streaks after activity rows were added: one (user, local day) per row.

    ``states`` are the users' cached streaks, read FOR UPDATE in this transaction. The
    rows are taken in order, as if added one by one. A row on a day the streak has
    already passed changes nothing, unless it is that day's first: then the user's streak
    is rebuilt from the log (which already holds every row of the batch).
    """
    current = dict(states)
    events: dict[int, list[Advance]] = {}
    in_batch = Counter(days)
    seen: Counter[tuple[int, date]] = Counter()
    maybe_rebuild: dict[tuple[int, date], None] = {}
    bridges = await _bridges_for(session, days, states)
    for user_id, day in days:
        state = current[user_id]
        seen[user_id, day] += 1
        if state.through is not None and day <= state.through:
            if seen[user_id, day] == 1:
                maybe_rebuild[user_id, day] = None
            continue
        gap = state.through is not None and day - state.through > timedelta(days=1)
        bridged = (
            {d for d in bridges.get(user_id, ()) if d > state.through}
            if gap and state.through is not None
            else set()
        )
        result = advance(state, active={day}, bridged=bridged, today=day)
        current[user_id] = result.state
        events.setdefault(user_id, []).append(result)
    rebuilt = await _first_of_their_day(session, list(maybe_rebuild), in_batch)
    saves = [
        _Saved(
            user_id,
            states[user_id].current,
            Advance(current[user_id], [e for r in results for e in r.events]),
        )
        for user_id, results in events.items()
        if user_id not in rebuilt
    ]
    await _save_many(session, saves, now)
    for user_id, day in rebuilt.items():
        user = await session.get(User, user_id)
        assert user is not None
        await rebuild_user(session, user, day, now)


async def _bridges_for(
    session: AsyncSession, days: Sequence[tuple[int, date]], states: dict[int, StreakState]
) -> dict[int, set[date]]:
    """Bridged days of the users whose rows may skip days (one read, usually none)."""
    spread: dict[int, set[date]] = {}
    for user_id, day in days:
        spread.setdefault(user_id, set()).add(day)
    wanted = [
        user_id
        for user_id, found in spread.items()
        if len(found) > 1
        or (
            (through := states[user_id].through) is not None
            and max(found) - through > timedelta(days=1)
        )
    ]
    if not wanted:
        return {}
    rows = await session.execute(
        select(StreakEvent.user_id, StreakEvent.day).where(
            StreakEvent.user_id.in_(wanted), StreakEvent.kind == "bridge"
        )
    )
    bridges: dict[int, set[date]] = {}
    for user_id, day in rows:
        bridges.setdefault(user_id, set()).add(day)
    return bridges


async def _first_of_their_day(
    session: AsyncSession, pairs: list[tuple[int, date]], in_batch: Counter[tuple[int, date]]
) -> dict[int, date]:
    """Of (user, day) pairs, the users for whom the batch's rows are the day's only ones."""
    if not pairs:
        return {}
    rows = await session.execute(
        select(Activity.user_id, Activity.local_day, func.count())
        .where(
            Activity.user_id.in_({u for u, _ in pairs}),
            Activity.local_day.in_({d for _, d in pairs}),
        )
        .group_by(Activity.user_id, Activity.local_day)
    )
    counts = {(u, d): n for u, d, n in rows}
    first: dict[int, date] = {}
    for user_id, day in pairs:
        if counts.get((user_id, day), 0) <= in_batch[user_id, day]:
            first.setdefault(user_id, day)
    return first


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

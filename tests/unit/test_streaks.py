"""Streak rules with a frozen clock: local midnights, DST, half-hour zones, freezes, timezone moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import StreakEvent, User
from bot.services.activity import record_activity
from bot.services.errors import UserError
from bot.services.profile import ProfileService
from bot.services.streak_engine import StreakState, advance, rebuild
from bot.services.streaks import StreakService
from bot.services.users import ensure_user

USER = 42


def days(start: date, count: int) -> set[date]:
    return {start + timedelta(days=i) for i in range(count)}


# -- the pure rules ---------------------------------------------------------------------------


def test_consecutive_days_build_a_streak_and_earn_freezes() -> None:
    start = date(2026, 1, 1)
    result = rebuild(days(start, 15), set(), start + timedelta(days=14))
    assert (result.state.current, result.state.best, result.state.freezes) == (15, 15, 2)
    assert [e.kind for e in result.events] == ["freeze_earned", "freeze_earned"]


def test_a_missed_day_uses_a_freeze_and_the_streak_survives() -> None:
    start = date(2026, 1, 1)
    active = days(start, 7) | {start + timedelta(days=8)}
    result = rebuild(active, set(), start + timedelta(days=8))
    assert result.state.current == 8
    assert result.state.freezes == 0
    assert [(e.day, e.kind) for e in result.events][-1] == (
        start + timedelta(days=7),
        "freeze_used",
    )


def test_a_missed_day_without_freezes_ends_the_streak() -> None:
    start = date(2026, 1, 1)
    active = days(start, 3) | {start + timedelta(days=4)}
    result = rebuild(active, set(), start + timedelta(days=4))
    assert (result.state.current, result.state.best) == (1, 3)
    assert ("ended", start + timedelta(days=3)) in [(e.kind, e.day) for e in result.events]


def test_two_missed_days_with_one_freeze_end_the_streak() -> None:
    start = date(2026, 1, 1)
    active = days(start, 7) | {start + timedelta(days=9)}
    result = rebuild(active, set(), start + timedelta(days=9))
    assert result.state.current == 1
    assert [e.kind for e in result.events] == ["freeze_earned", "freeze_used", "ended"]


def test_today_is_never_a_missed_day() -> None:
    start = date(2026, 1, 1)
    result = rebuild(days(start, 3), set(), start + timedelta(days=3))
    assert result.state.current == 3
    assert result.state.through == start + timedelta(days=2)


def test_bridged_days_neither_count_nor_break() -> None:
    start = date(2026, 1, 1)
    active = days(start, 2) | {start + timedelta(days=3)}
    result = rebuild(active, {start + timedelta(days=2)}, start + timedelta(days=3))
    assert result.state.current == 3
    assert result.events == []


def test_incremental_equals_rebuild_on_a_random_history() -> None:
    import random

    rng = random.Random(7)
    start = date(2025, 6, 1)
    active = {start + timedelta(days=i) for i in range(200) if rng.random() < 0.8}
    state = StreakState()
    for day in sorted(active):
        state = advance(state, active={day}, bridged=set(), today=day).state
    assert state == rebuild(active, set(), max(active)).state


# -- with the database and the clock -----------------------------------------------------------


async def log_at(db: Database, when: datetime, *, guild_id: int | None = None) -> date:
    async with db.transaction() as session:
        await ensure_user(session, USER, when)
        row = await record_activity(
            session, user_id=USER, guild_id=guild_id, kind="study", now=when, minutes=10
        )
        return row.local_day


async def set_zone(db: Database, zone: str) -> None:
    async with db.transaction() as session:
        await ensure_user(session, USER, datetime(2026, 1, 1, tzinfo=UTC))
        user = await session.get(User, USER)
        assert user is not None
        user.timezone = zone


async def cached(db: Database) -> tuple[int, int, int]:
    async with db.transaction() as session:
        user = await session.get(User, USER)
        assert user is not None
        return user.streak_current, user.streak_best, user.streak_freezes


@pytest.mark.parametrize(
    ("zone", "late_utc", "early_utc"),
    [
        # 23:59 and 00:01 local, expressed in UTC
        (
            "Europe/Berlin",
            datetime(2026, 1, 5, 22, 59, tzinfo=UTC),
            datetime(2026, 1, 5, 23, 1, tzinfo=UTC),
        ),
        (
            "America/New_York",
            datetime(2026, 1, 6, 4, 59, tzinfo=UTC),
            datetime(2026, 1, 6, 5, 1, tzinfo=UTC),
        ),
        (
            "Asia/Kolkata",
            datetime(2026, 1, 5, 18, 29, tzinfo=UTC),
            datetime(2026, 1, 5, 18, 31, tzinfo=UTC),
        ),
        (
            "Asia/Kathmandu",
            datetime(2026, 1, 5, 18, 14, tzinfo=UTC),
            datetime(2026, 1, 5, 18, 16, tzinfo=UTC),
        ),
    ],
)
async def test_2359_and_0001_are_two_days_in_the_members_zone(
    db: Database, zone: str, late_utc: datetime, early_utc: datetime
) -> None:
    await set_zone(db, zone)
    first = await log_at(db, late_utc)
    second = await log_at(db, early_utc)
    assert first == date(2026, 1, 5) and second == date(2026, 1, 6)
    assert await cached(db) == (2, 2, 0)


async def test_utc_midnight_is_not_a_day_boundary_for_new_york(db: Database) -> None:
    await set_zone(db, "America/New_York")
    before = await log_at(db, datetime(2026, 1, 5, 23, 50, tzinfo=UTC))
    after = await log_at(db, datetime(2026, 1, 6, 0, 10, tzinfo=UTC))
    assert before == after == date(2026, 1, 5)
    assert (await cached(db))[0] == 1


async def test_dst_change_keeps_days_and_the_streak(db: Database) -> None:
    # Europe/Berlin springs forward on 2026-03-29 (02:00 → 03:00) and back on 2026-10-25.
    await set_zone(db, "Europe/Berlin")
    moments = [
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),  # 23:30 CET, Saturday
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC),  # 23:30 CEST, Sunday (a 23-hour day)
        datetime(2026, 3, 29, 22, 30, tzinfo=UTC),  # 00:30 CEST, Monday
        datetime(2026, 10, 24, 21, 30, tzinfo=UTC),  # 23:30 CEST, Saturday
        datetime(2026, 10, 25, 22, 30, tzinfo=UTC),  # 23:30 CET, Sunday (a 25-hour day)
    ]
    local = [await log_at(db, m) for m in moments]
    assert local[:3] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert local[3:] == [date(2026, 10, 24), date(2026, 10, 25)]
    assert (await cached(db))[0] == 2


async def test_missed_day_with_and_without_freezes_through_the_service(db: Database) -> None:
    clock = FrozenClock(datetime(2026, 2, 1, 12, tzinfo=UTC))
    service = StreakService(db, clock)
    for day in range(7):
        await log_at(db, datetime(2026, 2, 1 + day, 12, tzinfo=UTC))
    assert await cached(db) == (7, 7, 1)
    clock.set(datetime(2026, 2, 9, 12, tzinfo=UTC))  # 8 Feb missed
    view = await service.view(USER, None)
    assert (view.current, view.freezes) == (7, 0)
    assert (date(2026, 2, 8), "freeze_used") in view.news
    assert view.at_risk
    clock.set(datetime(2026, 2, 11, 12, tzinfo=UTC))  # 9 and 10 Feb missed, no freeze left
    view = await service.view(USER, None)
    assert view.current == 0 and view.best == 7
    assert (date(2026, 2, 9), "ended") in view.news
    again = await service.view(USER, None)
    assert again.news == ()


async def test_rebuild_from_the_log_matches_the_cache(db: Database) -> None:
    import random

    rng = random.Random(3)
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    await set_zone(db, "Asia/Kolkata")
    moment = datetime(2025, 9, 1, 6, tzinfo=UTC)
    for _ in range(150):
        moment += timedelta(hours=rng.choice([3, 10, 20, 26, 30, 50]))
        await log_at(db, moment)
    clock.set(moment + timedelta(days=3))
    cached_state, rebuilt_state = await StreakService(db, clock).verify(USER)
    assert cached_state == rebuilt_state
    assert rebuilt_state.best >= 1


async def test_moving_east_bridges_the_lost_evening_and_has_a_cooldown(db: Database) -> None:
    clock = FrozenClock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    profile, streaks = ProfileService(db, clock), StreakService(db, clock)
    await profile.set_timezone(USER, "america/los angeles", None)
    for day in (1, 2, 3):  # active on 1, 2 and 3 April at 19:00 Los Angeles time
        await log_at(db, datetime(2026, 4, day + 1, 2, tzinfo=UTC))
    assert await cached(db) == (3, 3, 0)

    # 4 April, 20:00 in Los Angeles, nothing logged yet; in Tokyo it is already 5 April, 12:00.
    clock.set(datetime(2026, 4, 5, 3, tzinfo=UTC))
    change = await profile.set_timezone(USER, "Asia/Tokyo", None)
    assert change.timezone == "Asia/Tokyo"
    view = await streaks.view(USER, None, mark_seen=False)
    assert view.today == date(2026, 4, 5)
    assert view.current == 3 and view.at_risk  # 4 April is bridged, not missed

    with pytest.raises(UserError, match="change it again"):
        await profile.set_timezone(USER, "Europe/Paris", None)

    await log_at(db, datetime(2026, 4, 5, 4, tzinfo=UTC))  # 5 April 13:00 in Tokyo
    assert (await cached(db))[0] == 4
    async with db.transaction() as session:
        bridges = list(
            await session.scalars(select(StreakEvent.day).where(StreakEvent.kind == "bridge"))
        )
    assert bridges == [date(2026, 4, 4)]
    cached_state, rebuilt_state = await streaks.verify(USER)
    assert cached_state == rebuilt_state

    clock.set(datetime(2026, 4, 13, 3, tzinfo=UTC))  # after the 7-day cooldown
    await profile.set_timezone(USER, "Europe/Paris", None)

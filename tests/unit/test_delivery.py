"""The delivery core without Discord: cadences across DST, claims, leases and ownership."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import BotState, Delivery
from bot.delivery.cadence import Cadence
from bot.delivery.outbox import Due, Outbox, State
from bot.delivery.ownership import Ownership, shard_of

BERLIN = "Europe/Berlin"
SNOWFLAKE = 1_300_000_000_000_000_000  # message ids are 64-bit


def test_a_daily_cadence_is_due_from_its_local_time_to_local_midnight() -> None:
    cadence = Cadence(time(9, 0), BERLIN)
    assert cadence.current(datetime(2026, 3, 10, 7, 59, tzinfo=UTC)) is None
    occurrence = cadence.current(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    assert occurrence is not None and occurrence.key == "2026-03-10"
    assert occurrence.ends_at == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    # Across the spring DST change (29 March 2026) 09:00 Berlin moves from 08:00 to 07:00 UTC.
    summer = cadence.current(datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    assert summer is not None and summer.due_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert cadence.next_due(datetime(2026, 3, 28, 9, 0, tzinfo=UTC)) == datetime(
        2026, 3, 29, 7, 0, tzinfo=UTC
    )


def test_weekday_and_weekly_cadences() -> None:
    weekdays = Cadence(time(9, 0), "UTC", days="weekdays")
    assert weekdays.current(datetime(2026, 3, 14, 10, tzinfo=UTC)) is None  # Saturday
    assert weekdays.next_due(datetime(2026, 3, 14, 10, tzinfo=UTC)).date() == date(2026, 3, 16)
    weekly = Cadence(time(18, 30), "UTC", period="week", weekday=2)  # Wednesdays
    assert weekly.current(datetime(2026, 3, 10, 12, tzinfo=UTC)) is None
    thursday = weekly.current(datetime(2026, 3, 12, 12, tzinfo=UTC))
    assert thursday is not None and thursday.key == "2026-03-09"  # still this week's post
    assert thursday.ends_at == datetime(2026, 3, 16, tzinfo=UTC)


def test_ownership_follows_discords_shard_formula() -> None:
    guild = (123456789 << 22) | 77
    assert shard_of(guild, 4) == 123456789 % 4
    mine = Ownership(4, {shard_of(guild, 4)})
    assert mine.owns(guild) and not Ownership(4, {(shard_of(guild, 4) + 1) % 4}).owns(guild)
    assert Ownership(2, {0}).owns(None) and not Ownership(2, {1}).owns(None)


def _due(now: datetime) -> Due:
    occurrence = Cadence(time(0, 0), "UTC").current(now)
    assert occurrence is not None
    return Due("daily", 42, 42, 7, occurrence)


async def test_one_claim_wins_and_a_lease_protects_it(db: Database) -> None:
    clock = FrozenClock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    lease = timedelta(seconds=60)
    first, second = (
        Outbox(db, clock, owner="a", lease=lease),
        Outbox(db, clock, owner="b", lease=lease),
    )
    claims = await asyncio.gather(first.claim(_due(clock.now())), second.claim(_due(clock.now())))
    assert sum(c is not None for c in claims) == 1
    winner, loser = (first, second) if claims[0] else (second, first)
    assert await loser.claim(_due(clock.now())) is None  # leased elsewhere
    clock.advance(timedelta(seconds=61))
    adopted = await loser.claim(_due(clock.now()))
    assert adopted is not None and adopted.resumed and adopted.attempts == 2
    # The old owner can no longer record the post; the new one can, once.
    assert not await winner.sent(adopted, 1001)
    assert await loser.sent(adopted, 1002)
    assert not await loser.sent(adopted, 1003)
    assert await loser.claim(_due(clock.now())) is None
    async with db.read() as session:
        [row] = (await session.scalars(select(Delivery))).all()
    assert row.state == State.SENT and row.message_id == 1002 and row.owner == loser.owner


async def test_confirm_runs_in_the_same_transaction_as_sent(db: Database) -> None:
    clock = FrozenClock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    outbox = Outbox(db, clock, owner="a", lease=timedelta(seconds=60))
    claim = await outbox.claim(_due(clock.now()))
    assert claim is not None

    async def failing_confirm(session: object) -> None:
        session.add(BotState(key="confirmed", value="yes"))  # type: ignore[attr-defined]
        raise RuntimeError("the feature's own write failed")

    with pytest.raises(RuntimeError):
        await outbox.sent(claim, 5, failing_confirm)
    async with db.read() as session:
        row = await session.scalar(select(Delivery))
        assert row is not None and row.state == State.CLAIMED and row.message_id is None
        assert await session.get(BotState, "confirmed") is None


async def test_a_retry_waits_for_its_time_and_a_window_can_fail(db: Database) -> None:
    clock = FrozenClock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    outbox = Outbox(db, clock, owner="a", lease=timedelta(seconds=60))
    claim = await outbox.claim(_due(clock.now()))
    assert claim is not None
    await outbox.retry_later(claim, "HTTP 503", clock.now() + timedelta(seconds=30))
    assert await outbox.claim(_due(clock.now())) is None
    clock.advance(timedelta(seconds=30))
    again = await outbox.claim(_due(clock.now()))
    assert again is not None
    await outbox.fail(again, "window over")
    assert await outbox.claim(_due(clock.now())) is None
    assert await outbox.settled("daily", {again.period}) == {(42, again.period)}


async def test_concurrent_claims_and_confirmations_are_written_together_each_once(
    db: Database,
) -> None:
    clock = FrozenClock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    outbox = Outbox(db, clock, owner="a", lease=timedelta(seconds=60))
    occurrence = _due(clock.now()).occurrence
    dues = [Due("daily", 100 + i, 100 + i, 7, occurrence) for i in range(40)]
    claims = await asyncio.gather(*(outbox.claim(due) for due in dues))
    assert [c.subject_id for c in claims if c is not None] == [d.subject_id for d in dues]
    assert not any(c.resumed for c in claims if c is not None)
    assert outbox._claims.batches < len(dues)  # written together, not one by one

    def confirm(subject: int) -> Callable[[AsyncSession], Awaitable[None]]:
        async def write(session: AsyncSession) -> None:
            session.add(BotState(key=f"posted:{subject}", value="yes"))

        return write

    live = [c for c in claims if c is not None]
    recorded = await asyncio.gather(
        *(outbox.sent(c, SNOWFLAKE + c.subject_id, confirm(c.subject_id)) for c in live),
        outbox.sent(live[0], 1, confirm(-1)),  # the same claim twice: recorded once
    )
    assert recorded.count(True) == len(live)
    async with db.read() as session:
        rows = (await session.scalars(select(Delivery))).all()
        marks = (await session.scalars(select(BotState.key))).all()
    assert sorted((r.subject_id, r.state, r.message_id) for r in rows) == [
        (c.subject_id, State.SENT, SNOWFLAKE + c.subject_id) for c in live
    ]
    assert sorted(marks) == sorted(f"posted:{c.subject_id}" for c in live)

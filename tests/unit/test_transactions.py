"""Write transactions do not nest: the second one in a task raises instead of waiting for ever."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.db.engine import Database, NestedTransaction
from bot.db.models import BotState

# Only a guard against a hang if the nesting check ever breaks; nothing here waits on a clock.
HANG_GUARD_SECONDS = 30


async def stored(db: Database) -> dict[str, str]:
    async with db.read() as session:
        return {row.key: row.value for row in await session.scalars(select(BotState))}


async def test_a_transaction_opened_inside_another_in_the_same_task_raises(db: Database) -> None:
    async with asyncio.timeout(HANG_GUARD_SECONDS):
        async with db.transaction() as outer:
            outer.add(BotState(key="outer", value="1"))
            with pytest.raises(NestedTransaction, match="already open in this task"):
                async with db.transaction() as inner:
                    inner.add(BotState(key="inner", value="1"))
            outer.add(BotState(key="after", value="1"))
    # The outer transaction went on and committed; the inner one wrote nothing.
    assert await stored(db) == {"outer": "1", "after": "1"}


async def test_transactions_one_after_another_and_after_a_failure_still_open(
    db: Database,
) -> None:
    async with asyncio.timeout(HANG_GUARD_SECONDS):
        with pytest.raises(ZeroDivisionError):
            async with db.transaction() as session:
                session.add(BotState(key="rolled-back", value="1"))
                _ = 1 / 0
        async with db.transaction() as session:
            session.add(BotState(key="first", value="1"))
        async with db.transaction() as session:
            session.add(BotState(key="second", value="1"))
    assert await stored(db) == {"first": "1", "second": "1"}


async def test_another_task_started_inside_a_transaction_waits_its_turn(db: Database) -> None:
    async def write_elsewhere() -> None:
        async with db.transaction() as session:
            session.add(BotState(key="task", value="1"))

    async with asyncio.timeout(HANG_GUARD_SECONDS):
        async with db.transaction() as session:
            session.add(BotState(key="outer", value="1"))
            task = asyncio.create_task(write_elsewhere())
        await task
    assert await stored(db) == {"outer": "1", "task": "1"}

"""The group commit's batching: after a large batch the next one gathers; after a batch of one
nothing waits; stop ends a gather; two writers overlap, one does not; a deadlock is retried."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.batch import GroupCommit
from bot.db.engine import Database


class Recorder:
    """A write that returns each job as its result and records the batch sizes."""

    def __init__(self, slow_first: float = 0.0) -> None:
        self.sizes: list[int] = []
        self.slow_first = slow_first

    async def __call__(self, session: AsyncSession, jobs: Sequence[int]) -> list[int]:
        self.sizes.append(len(jobs))
        if len(self.sizes) == 1 and self.slow_first:
            await asyncio.sleep(self.slow_first)  # a slow batch: the next may gather for half of it
        return list(jobs)


async def a_few_turns() -> None:
    """Let the writer run until it waits (a few turns of the loop)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def submit_then_more(writer: GroupCommit[int, int], first: int, more: int) -> list[int]:
    """``first`` jobs, a few turns of the loop (the writer sees them), then ``more`` jobs."""
    early = [asyncio.create_task(writer.submit(i)) for i in range(first)]
    await a_few_turns()
    late = [asyncio.create_task(writer.submit(i)) for i in range(first, first + more)]
    return list(await asyncio.gather(*early, *late))


async def test_after_a_large_batch_a_few_jobs_wait_for_the_rest(db: Database) -> None:
    write = Recorder(slow_first=0.2)
    writer: GroupCommit[int, int] = GroupCommit(db, write, linger=0)
    try:
        assert await asyncio.gather(*(writer.submit(i) for i in range(10))) == list(range(10))
        assert await submit_then_more(writer, 2, 8) == list(range(10))
    finally:
        await writer.stop()
    assert write.sizes == [10, 10]  # not [10, 2, 8]: the two waited for the others


async def test_after_a_batch_of_one_a_job_is_written_at_once(db: Database) -> None:
    write = Recorder()
    writer: GroupCommit[int, int] = GroupCommit(db, write, linger=0)
    try:
        assert await writer.submit(0) == 0
        assert await submit_then_more(writer, 1, 8) == list(range(9))
    finally:
        await writer.stop()
    assert write.sizes == [1, 1, 8]  # the lone job did not wait for company


async def test_stop_ends_a_gather_and_writes_what_is_queued(db: Database) -> None:
    write = Recorder(slow_first=0.2)
    writer: GroupCommit[int, int] = GroupCommit(db, write, linger=0, gather_limit=60)
    assert await asyncio.gather(*(writer.submit(i) for i in range(10))) == list(range(10))
    waiting = asyncio.create_task(writer.submit(10))
    await a_few_turns()
    await writer.stop()  # while the writer gathers for company that will not come
    assert await waiting == 10
    assert write.sizes == [10, 1]


class Overlap:
    """A write that notes how many batches are being written at once, and waits for company."""

    def __init__(self, company: int) -> None:
        self.company = company  # how many writes must be under way before any returns
        self.running = 0
        self.most = 0
        self._enough = asyncio.Event()

    async def __call__(self, session: AsyncSession, jobs: Sequence[int]) -> list[int]:
        self.running += 1
        self.most = max(self.most, self.running)
        if self.running >= self.company:
            self._enough.set()
        try:
            async with asyncio.timeout(5):
                await self._enough.wait()
        finally:
            self.running -= 1
        return list(jobs)


async def test_two_writers_write_the_next_batch_while_the_last_is_under_way(
    postgres_db: Database,
) -> None:
    write = Overlap(company=2)
    writer: GroupCommit[int, int] = GroupCommit(postgres_db, write, linger=0, writers=2)
    try:
        first = asyncio.create_task(writer.submit(0))
        await a_few_turns()  # the first batch is being written (and waits for a second)
        assert await asyncio.gather(first, writer.submit(1)) == [0, 1]
    finally:
        await writer.stop()
    assert write.most == 2


async def test_one_writer_writes_one_batch_at_a_time(db: Database) -> None:
    write = Overlap(company=1)
    writer: GroupCommit[int, int] = GroupCommit(db, write, linger=0)
    try:
        assert await submit_then_more(writer, 3, 5) == list(range(8))
        assert await submit_then_more(writer, 1, 1) == list(range(2))
    finally:
        await writer.stop()
    assert write.most == 1


async def test_a_batch_the_database_gave_up_in_a_deadlock_is_written_again(
    postgres_db: Database,
) -> None:
    """A real deadlock: the batch and another connection each hold the row the other wants."""
    async with postgres_db.transaction() as session:
        await session.execute(text("INSERT INTO bot_state VALUES ('a', 'start'), ('b', 'start')"))
    other = await postgres_db.engine.connect()
    other_pid = await other.scalar(text("SELECT pg_backend_pid()"))
    await other.execute(text("SET deadlock_timeout = '10s'"))  # the batch is the one given up
    await other.execute(text("UPDATE bot_state SET value = 'other' WHERE key = 'b'"))
    holds_a, other_waits = asyncio.Event(), asyncio.Event()
    attempts = 0

    async def write(session: AsyncSession, jobs: Sequence[int]) -> list[int]:
        nonlocal attempts
        attempts += 1
        await session.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
        await session.execute(text("UPDATE bot_state SET value = 'batch' WHERE key = 'a'"))
        if attempts == 1:
            holds_a.set()
            await other_waits.wait()
        # First attempt: this closes the cycle, and PostgreSQL rolls the batch back.
        await session.execute(text("UPDATE bot_state SET value = 'batch' WHERE key = 'b'"))
        return list(jobs)

    writer: GroupCommit[int, int] = GroupCommit(postgres_db, write, linger=0)
    try:
        answered = asyncio.create_task(writer.submit(7))
        await holds_a.wait()
        blocked = asyncio.create_task(
            other.execute(text("UPDATE bot_state SET value = 'other' WHERE key = 'a'"))
        )
        await _lock_wait(postgres_db, other_pid)
        other_waits.set()
        await blocked  # goes through once the batch is rolled back
        await other.commit()
        assert await answered == 7
    finally:
        await other.close()
        await writer.stop()
    assert attempts == 2
    async with postgres_db.read() as session:
        values = dict((await session.execute(text("SELECT key, value FROM bot_state"))).all())
    assert values == {"a": "batch", "b": "batch"}  # the second attempt's, after the other's


async def _lock_wait(db: Database, pid: int) -> None:
    """Until the backend ``pid`` waits for a row lock (PostgreSQL has no event to await)."""
    async with asyncio.timeout(10):
        while True:
            async with db.read() as session:
                waiting = await session.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted"),
                    {"pid": pid},
                )
            if waiting:
                return
            await asyncio.sleep(0.01)

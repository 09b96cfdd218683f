"""The group commit's batching: after a large batch the next one gathers; after a batch of one
nothing waits; stop ends a gather."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

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

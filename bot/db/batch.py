"""Group commit: concurrent jobs queued and written together, in one transaction per batch.

One writer task drains the queue: as soon as a job arrives (after a pause of
``linger`` seconds to let a burst gather), it takes up to ``max_batch`` jobs, writes
them in one transaction and resolves each job's future with its result only after
the commit. While a batch is being written the next one gathers, so the batch size
follows the load.

Under a steady load that alone makes a convoy: the callers one batch answers come back
together, while the batch written meanwhile holds only the few that arrived during it,
so a large batch and a tiny one alternate, and every batch pays the same fixed
statements whatever its size. So when fewer than half as many jobs as the last batch
are queued, the writer waits for more (until the queue is as large as the last batch,
at most half the last batch's write time and ``gather_limit``); at a low load (batches
of one) nothing waits. The wait also applies when the writer went idle in between: in
a closed loop the queue is often empty the moment a batch ends (its callers are being
answered), and not waiting then brought the convoy back (measured: 760 -> 593 clicks/s
on SQLite at 50 in flight). The price is that the first job after a burst may wait up
to ``gather_limit`` for company that does not come.

``write(session, jobs)`` returns one result per job, or an exception for a job it
refuses (a ``UserError``: that job fails, the others go in). If it raises an
``IntegrityError`` (one job's row broke a constraint the statements do not absorb,
e.g. a foreign key to a row deleted meanwhile), the batch is written again with each
job in its own savepoint, so only the offending job fails. A deadlock or a
serialization failure (PostgreSQL rolled the batch back so that a concurrent
transaction could go on) writes the batch again, up to three times. Any other failure
(the database is locked or gone, the commit fails) fails every job of the batch:
nothing of it was stored, and each caller hears so.

``writers`` batches may be written at once. With one (SQLite, which has one writer
anyway), the next batch gathers only after the last one committed, as described above.
With two (the answer writer on PostgreSQL), the next batch is written while the last
one waits on its round trips to the server: a batch there spends most of its time
waiting, not on the event loop. Their transactions are as safe together as two shard
processes' are: they lock shared rows in one order (``bot.db.models.buckets``).

On SQLite a batch's statements run on the event loop's thread
(``Database.transaction(on_loop=True)``): they are many and small, each cheaper than
the trip to the driver's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random

from bot.db.engine import Database

log = logging.getLogger(__name__)

# A deadlock or a serialization failure (PostgreSQL's SQLSTATE 40P01, 40001): the
# database rolled the batch back whole so that a concurrent transaction could go on, so
# the batch is written again, up to ATTEMPTS times, after a short random pause.
CONFLICTS = frozenset({"40P01", "40001"})
ATTEMPTS = 3
CONFLICT_WAIT_SECONDS = 0.02

Job = TypeVar("Job")
Result = TypeVar("Result")
# One result per job, in order, or the exception that job fails with.
Write = Callable[[AsyncSession, Sequence[Job]], Awaitable[Sequence[Result | Exception]]]


class WriterClosed(RuntimeError):
    """The writer has stopped (the bot is shutting down)."""


class GroupCommit(Generic[Job, Result]):
    """Queues jobs and writes them in batches, one transaction each."""

    def __init__(
        self,
        db: Database,
        write: Write[Job, Result],
        *,
        max_batch: int = 256,
        linger: float = 0.001,
        gather_limit: float = 0.05,
        writers: int = 1,
    ) -> None:
        self._db = db
        self._write = write
        self.max_batch = max_batch
        self.linger = linger
        self.gather_limit = gather_limit
        self._last = (0, 0.0)  # the last batch's size and write time (s)
        self._writers = asyncio.Semaphore(writers)
        self._writing: set[asyncio.Task[None]] = set()
        self._queue: list[tuple[Job, asyncio.Future[Result]]] = []
        self._wake = asyncio.Event()
        self._open = asyncio.Event()
        self._open.set()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.batches = 0
        self.written = 0

    @property
    def pending(self) -> int:
        """Jobs queued and not yet taken into a batch."""
        return len(self._queue)

    async def submit(self, job: Job) -> Result:
        """Queue ``job`` and wait until its batch commits; returns its result or raises its error."""
        if self._closed:
            raise WriterClosed("the writer has stopped")
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="group-commit")
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future))
        self._wake.set()
        return await future

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Take no batch while inside (jobs queue up), then write what gathered."""
        self._open.clear()
        try:
            yield
        finally:
            self._open.set()

    async def stop(self) -> None:
        """Write every queued job, then stop; later submissions raise ``WriterClosed``."""
        self._closed = True
        self._open.set()
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._queue:
                if self._closed:
                    break
                continue
            await self._writers.acquire()  # with one writer: until the last batch committed
            if len(self._queue) < self.max_batch and not self._closed:
                if self.linger:
                    await asyncio.sleep(self.linger)
                await self._gather()
            await self._open.wait()
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
            task = asyncio.create_task(self._write_batch(batch), name="group-commit-batch")
            self._writing.add(task)
            task.add_done_callback(self._writing.discard)
            if self._queue or self._closed:
                self._wake.set()
        await asyncio.gather(*self._writing)

    async def _write_batch(self, batch: list[tuple[Job, asyncio.Future[Result]]]) -> None:
        try:
            await self._commit(batch)
        except Exception as error:  # never let a batch end with futures waiting
            log.exception("Batch writer failed")
            _settle(batch, [error] * len(batch))
        finally:
            self._writers.release()

    async def _gather(self) -> None:
        """Wait briefly for a batch as large as the last one when only a few jobs came."""
        size, wall = self._last
        target = min(size, self.max_batch)
        if len(self._queue) * 2 >= target:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(wall / 2, self.gather_limit)):
                while len(self._queue) < target and not self._closed:
                    self._wake.clear()
                    await self._wake.wait()

    async def _commit(self, batch: list[tuple[Job, asyncio.Future[Result]]]) -> None:
        jobs = [job for job, _ in batch]
        started = asyncio.get_running_loop().time()
        results: Sequence[Result | Exception] = []
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_conflicted),
                stop=stop_after_attempt(ATTEMPTS),
                wait=wait_random(0, CONFLICT_WAIT_SECONDS),
                reraise=True,
            ):
                with attempt:
                    results = await self._write_once(jobs)
        except Exception as error:
            log.warning("A batch of %d answers was not stored: %s", len(jobs), error)
            results = [error for _ in jobs]
        else:
            self.batches += 1
            self.written += len(jobs)
        self._last = (len(jobs), asyncio.get_running_loop().time() - started)
        _settle(batch, results)

    async def _write_once(self, jobs: list[Job]) -> Sequence[Result | Exception]:
        try:
            async with self._db.transaction(on_loop=True) as session:
                return await self._write(session, jobs)
        except IntegrityError:
            return await self._one_by_one(jobs)

    async def _one_by_one(self, jobs: list[Job]) -> list[Result | Exception]:
        """The batch again, each job in its own savepoint of one transaction."""
        results: list[Result | Exception] = []
        async with self._db.transaction(on_loop=True) as session:
            for job in jobs:
                try:
                    async with session.begin_nested():
                        results.extend(await self._write(session, [job]))
                except IntegrityError as error:
                    log.warning("An answer was refused by the database: %s", error.orig)
                    results.append(error)
        return results


def _conflicted(error: BaseException) -> bool:
    """PostgreSQL gave up this transaction so that a concurrent one could go on."""
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in CONFLICTS


def _settle(
    batch: Sequence[tuple[object, asyncio.Future[Result]]], results: Sequence[Result | Exception]
) -> None:
    for (_, future), result in zip(batch, results, strict=True):
        if future.done():  # the caller gave up waiting
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

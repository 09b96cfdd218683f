"""The answer writer alone: what one daily answer costs the bot's event-loop thread.

No Discord and no sandbox: the bot's own services on a fresh database, N members each
answering one daily question, K in flight, through ``DailyQuizService.answer`` and the
batched writer (``bot.db.batch`` + ``bot.services.answers``), as a click does. Each
answer is a member's first (user, member, skill and review rows are new), the costliest
case and the one ``bench.quiz`` drives. Printed per backend and K: answers per second,
the event-loop thread's CPU per answer (``time.thread_time``: the figure that bounds
the bot's click rate, since the discord.py work of every click shares that thread), the
mean batch size, and the ratio against K = 1 (one answer per transaction: the anchor,
what the path costs without group commit). Afterwards it checks that every answer was
stored exactly once with its ledger row.

``--statements`` also times every statement of the measured answers (driver call to
result, SQLAlchemy's cursor events) and prints, per kind of statement, how many ran per
batch, the milliseconds per run and its share of all statement time: where a batch's
time goes on the database's side (on PostgreSQL, the server's work and the round trip).
The timing costs CPU of its own, so its runs' other figures read a little high.

    .venv/bin/python -m bench.answer_writer [--answers 4000] [--in-flight 1 10 25 50 100]
                                         [--backends sqlite postgresql] [--statements]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from bench._bot import bench_database
from bench._common import machine_line
from bot.clock import FrozenClock
from bot.content.catalogue import Content, load_content
from bot.db.models import PointsEntry, QuizAnswer
from bot.services.container import Services
from sandbox.harness import daily_post

GUILD, CHANNEL = 1, 2
DAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Figures:
    """One measured run."""

    per_second: float
    cpu_ms: float
    batch: float
    statements: tuple[str, ...] = ()  # with --statements: where the batches' time went


class StatementTimes:
    """Wall time of every statement ``engine`` runs while ``timing``, by its SQL's opening."""

    def __init__(self, engine: Engine) -> None:
        self.timing = False
        self.runs: defaultdict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, connection: Any, *_: Any) -> None:
        connection.info["bench_started"] = time.perf_counter()

    def _after(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        started = connection.info.pop("bench_started")
        if self.timing:
            entry = self.runs[" ".join(statement.split())[:90]]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    def lines(self, batches: int, most: int = 12) -> list[str]:
        """The ``most`` costliest kinds of statement: runs per batch, ms per run, share."""
        total = sum(seconds for _, seconds in self.runs.values()) or 1.0
        ranked = sorted(self.runs.items(), key=lambda item: -item[1][1])[:most]
        lines = [f"    statement time per batch: {total * 1000 / batches:.1f} ms"]
        lines += [
            f"    {runs / batches:5.1f}/batch {seconds * 1000 / runs:7.3f} ms "
            f"{100 * seconds / total:5.1f} %  {sql}"
            for sql, (runs, seconds) in ranked
        ]
        return lines


async def run(
    backend: str, content: Content, answers: int, in_flight: int, statements: bool = False
) -> Figures:
    """``answers`` first answers to one daily question, ``in_flight`` at a time."""
    async with bench_database(backend) as db:
        times = StatementTimes(db.engine.sync_engine) if statements else None
        services = Services(db, FrozenClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)), content)
        post = await daily_post(services, GUILD, CHANNEL, DAY)
        writer = services.answers
        gate = asyncio.Semaphore(in_flight)

        async def one(member: int) -> None:
            async with gate:
                await services.daily.answer(
                    post_id=post.post_id,
                    user_id=1_000 + member,
                    display_name=f"member {member}",
                    position=member % 4,
                    guild_id=GUILD,
                )

        await one(answers)  # warm: the post is read into memory, statements compiled
        batches = writer.batches
        gc.collect()
        gc.freeze()
        if times is not None:
            times.timing = True
        cpu, wall = time.thread_time(), time.perf_counter()
        await asyncio.gather(*(one(m) for m in range(answers)))
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        statement_lines = ()
        if times is not None:
            times.timing = False
            statement_lines = tuple(times.lines(writer.batches - batches))
        gc.unfreeze()
        await writer.stop()
        async with db.read() as session:
            stored = await session.scalar(select(func.count()).select_from(QuizAnswer))
            ledger = await session.scalar(select(func.count()).select_from(PointsEntry))
        assert stored == ledger == answers + 1, f"answers {stored}, ledger {ledger}"
        return Figures(
            answers / wall,
            cpu * 1000 / answers,
            answers / (writer.batches - batches),
            statement_lines,
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=4000)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[1, 10, 25, 50, 100])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--statements", action="store_true", help="time every statement")
    args = parser.parse_args()
    content = load_content()
    print(machine_line())
    print(f"## answer writer alone: {args.answers} first daily answers, K in flight")
    print(
        f"{'backend':<11} {'K':>4} {'answers/s':>10} {'x K=1':>6} "
        f"{'loop CPU ms/answer':>19} {'x K=1':>6} {'mean batch':>10}"
    )
    for backend in args.backends:
        anchor: Figures | None = None
        for k in args.in_flight:
            n = args.answers if k > 1 else min(args.answers, 1000)
            figures = await run(backend, content, n, k, args.statements)
            anchor = anchor or figures
            print(
                f"{backend:<11} {k:>4} {figures.per_second:>10.0f} "
                f"{figures.per_second / anchor.per_second:>6.2f} {figures.cpu_ms:>19.3f} "
                f"{figures.cpu_ms / anchor.cpu_ms:>6.2f} {figures.batch:>10.1f}",
                flush=True,
            )
            for line in figures.statements:
                print(line, flush=True)
    print("every answer stored exactly once with its ledger row: yes (checked after each run)")


if __name__ == "__main__":
    asyncio.run(main())

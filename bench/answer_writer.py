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

    .venv/bin/python -m bench.answer_writer [--answers 4000] [--in-flight 1 10 25 50 100]
                                         [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

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


async def run(backend: str, content: Content, answers: int, in_flight: int) -> Figures:
    """``answers`` first answers to one daily question, ``in_flight`` at a time."""
    async with bench_database(backend) as db:
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
        cpu, wall = time.thread_time(), time.perf_counter()
        await asyncio.gather(*(one(m) for m in range(answers)))
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        gc.unfreeze()
        await writer.stop()
        async with db.read() as session:
            stored = await session.scalar(select(func.count()).select_from(QuizAnswer))
            ledger = await session.scalar(select(func.count()).select_from(PointsEntry))
        assert stored == ledger == answers + 1, f"answers {stored}, ledger {ledger}"
        return Figures(answers / wall, cpu * 1000 / answers, answers / (writer.batches - batches))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=4000)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[1, 10, 25, 50, 100])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
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
            figures = await run(backend, content, n, k)
            anchor = anchor or figures
            print(
                f"{backend:<11} {k:>4} {figures.per_second:>10.0f} "
                f"{figures.per_second / anchor.per_second:>6.2f} {figures.cpu_ms:>19.3f} "
                f"{figures.cpu_ms / anchor.cpu_ms:>6.2f} {figures.batch:>10.1f}",
                flush=True,
            )
    print("every answer stored exactly once with its ledger row: yes (checked after each run)")


if __name__ == "__main__":
    asyncio.run(main())

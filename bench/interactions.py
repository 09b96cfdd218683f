"""Interactions per second and latency: the real bot's /help against a bare discord.py bot.

Both are driven the same way through the sandbox: N slash commands, K in flight.
Latency is INTERACTION_CREATE sent → interaction callback received.

    .venv/bin/python -m bench.interactions [--n 5000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench._bot import BareBot, mentor_bot
from bench._common import machine_line, summary_ms
from sandbox.harness import running, started_sandbox


async def measure(
    label: str, *, real: bool, n: int, concurrency: int
) -> tuple[str, float, float, float]:
    async with started_sandbox(interaction_deadline=30.0, timeout=60.0) as box:
        guild = box.add_guild("Bench")
        user = box.add_user("bench")
        box.add_member(guild, user)
        context = mentor_bot(box) if real else running(box, BareBot())
        async with context:
            await box.drive("help", 50, concurrency, user=user, guild=guild)  # warm-up
            started = time.perf_counter()
            latencies = await box.drive("help", n, concurrency, user=user, guild=guild)
            elapsed = time.perf_counter() - started
    p50, p99, _ = summary_ms(latencies)
    return label, n / elapsed, p50, p99


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    rows = [
        await measure(
            "bare discord.py (constant reply)", real=False, n=args.n, concurrency=args.concurrency
        ),
        await measure("Backend Mentor /help", real=True, n=args.n, concurrency=args.concurrency),
    ]
    print(f"# {args.n} interactions, {args.concurrency} in flight — {machine_line()}")
    print(f"{'bot':<36} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for label, rate, p50, p99 in rows:
        print(f"{label:<36} {rate:>8.0f} {p50:>8.2f} {p99:>8.2f}")
    print(f"ratio (Backend Mentor / bare), throughput: {rows[1][1] / rows[0][1]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

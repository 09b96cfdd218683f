"""Daily quiz under load, through the sandbox.

1. Answer clicks per second: one daily question, N members each click once, K in flight,
   against the bare baseline (a discord.py bot answering a constant to a command).
2. Posting: 1,000 servers' daily questions due at the same minute, posted under the
   sandbox's global rate limit (50 requests/s): total time and per-server latency.

    .venv/bin/python bench/quiz.py [--members 2000] [--concurrency 50] [--servers 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datetime import UTC, datetime, timedelta

from bench._bot import START, BareBot, machine, mentor_bot, running, sandbox, summary_ms
from bot.clock import FrozenClock
from bot.sandbox import Sandbox


async def clicks(members: int, concurrency: int) -> tuple[float, list[float]]:
    """Clicks per second and latencies of N members answering one daily question."""
    async with sandbox(interaction_deadline=30.0, timeout=60.0) as box:
        guild = box.add_guild("Bench")
        mod = box.add_user("mod")
        box.add_member(guild, mod, manage_guild=True)
        users = [box.add_user(f"member{i}") for i in range(members)]
        for user in users:
            box.add_member(guild, user)
        async with mentor_bot(box) as bot:
            await box.run_command(
                "mod quiz-schedule",
                user=mod,
                guild=guild,
                options={"channel": guild.general, "time": "08:00"},
            )
            await box.run_command("mod quiz-now", user=mod, guild=guild)
            post = next(m for m in box.channel_messages(guild.general) if m.buttons)
            gate = asyncio.Semaphore(concurrency)
            latencies: list[float] = []

            async def one(index: int) -> None:
                async with gate:
                    label = post.buttons[index % len(post.buttons)].label
                    began = time.perf_counter()
                    await box.click(post, label, user=users[index])
                    latencies.append(time.perf_counter() - began)

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(members)))
            elapsed = time.perf_counter() - started
            result = await bot.services.daily.current_post(guild.id)
            assert result is not None
            counted = (await bot.services.daily.result(result.post_id)).answered
            assert counted == members, f"{counted} answers recorded for {members} clicks"
    return members / elapsed, latencies


async def bare_baseline(n: int, concurrency: int) -> tuple[float, list[float]]:
    async with sandbox(interaction_deadline=30.0, timeout=60.0) as box:
        guild = box.add_guild("Bench")
        user = box.add_user("bench")
        box.add_member(guild, user)
        async with running(box, BareBot()):
            started = time.perf_counter()
            latencies = await box.drive("answer", n, concurrency, user=user, guild=guild)
            elapsed = time.perf_counter() - started
    return n / elapsed, latencies


async def posting(servers: int) -> tuple[float, list[float], int]:
    """Total time to post every server's question at once, each post's latency, and 429s served.

    The schedules are set the evening before; at 08:00 one delivery tick posts them all,
    through the same claim → send (nonce) → confirm pipeline the bot always uses.
    """
    clock = FrozenClock(START - timedelta(hours=12))
    async with sandbox(timeout=600.0) as box:
        guilds = [box.add_guild(f"Server {i}") for i in range(servers)]
        async with mentor_bot(box, clock) as bot:
            for guild in guilds:
                assert guild.general is not None
                await bot.services.daily.set_schedule(
                    guild_id=guild.id,
                    channel_id=guild.general.id,
                    time_text="08:00",
                    timezone_text="UTC",
                    days="daily",
                    close_text=None,
                    moderator_id=1,
                )
            clock.set(START)
            limited_before = box.stats.rate_limited
            began = datetime.now(UTC)
            started = time.perf_counter()
            sent = await bot.delivery.tick()
            elapsed = time.perf_counter() - started
            assert sent == servers, f"{sent} of {servers} posted"
            _check_every_server_posted(box, guilds)
            latencies = [
                (m.created_at - began).total_seconds()
                for g in guilds
                for m in box.channel_messages(g.general)
            ]
            return elapsed, latencies, box.stats.rate_limited - limited_before


def _check_every_server_posted(box: Sandbox, guilds: list) -> None:
    counts = [len(box.channel_messages(g.general)) for g in guilds]
    assert all(n == 1 for n in counts), (
        f"{counts.count(0)} servers missing, {sum(n > 1 for n in counts)} doubled"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--servers", type=int, default=1000)
    args = parser.parse_args()

    bare_rate, bare = await bare_baseline(args.members, args.concurrency)
    rate, real = await clicks(args.members, args.concurrency)
    print(f"# {machine()}")
    print(f"## answer clicks: {args.members} members, {args.concurrency} in flight")
    print(f"{'bot':<40} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for label, r, lat in (
        ("bare discord.py (constant reply)", bare_rate, bare),
        ("daily-question answer clicks", rate, real),
    ):
        p50, p99, _ = summary_ms(lat)
        print(f"{label:<40} {r:>8.0f} {p50:>8.2f} {p99:>8.2f}")
    print(f"ratio (clicks / bare), throughput: {rate / bare_rate:.2f}")

    elapsed, latencies, limited = await posting(args.servers)
    p50, p99, _ = summary_ms(latencies)
    print(f"## posting: {args.servers} servers due at once, global limit 50 requests/s")
    print(
        f"total {elapsed:.1f} s ({args.servers / elapsed:.1f} servers/s); per server p50 {p50:.0f} ms, "
        f"p99 {p99:.0f} ms; 429s served and retried: {limited}"
    )


if __name__ == "__main__":
    asyncio.run(main())

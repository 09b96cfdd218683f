"""Daily quiz under load, through the sandbox.

1. Answer clicks: one daily question, N members each click once, K in flight. Each bot is
   a process of its own (``python -m bot run``; the bare one ``python -m bench._bot``)
   against the sandbox in this process, as the bot runs against Discord. Side by side in
   one run with two bare baselines (a discord.py bot answering a constant): to a slash
   command (the anchor of every bench here), and to a button click on a message carrying
   the same daily-question embed (driven exactly like the real clicks); then the real bot
   on SQLite and on PostgreSQL, for each K. Printed: clicks per second, p50/p99 of click →
   verdict, the ratios against the bare bot, the share of clicks acknowledged and answered
   within Discord's 3 s, the CPU the bot's process used per click, and a check that every
   click was recorded exactly once (one answer, one activity row, one ledger row per
   member, board totals equal to the ledger).
2. Posting: 1,000 servers' daily questions due at the same minute, posted under the
   sandbox's global rate limit (50 requests/s): total time and per-server latency.

    .venv/bin/python -m bench.quiz [--members 2000] [--concurrency 50 100] [--rounds 1]
                                [--backends sqlite postgresql] [--servers 1000] [--no-posting]
                                [--no-clicks]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bench._bot import bot_process, mentor_bot, scratch_folder
from bench._common import POSTGRES_URL, machine_line, summary_ms
from bot.clock import FrozenClock
from bot.content.catalogue import load_content
from bot.db.engine import Database
from bot.db.models import Activity, BoardTotal, Delivery, PointsEntry, QuizAnswer
from bot.services.quiz_bank import ShownQuestion
from bot.ui.embeds import quiz as render
from sandbox import Guild, Message, Sandbox, User
from sandbox.harness import START, started_sandbox
from sandbox.processes import BotProcess, process_database

DEADLINE = 3.0
GLOBAL_LIMIT = 50  # the sandbox's default, Discord's global limit per bot token
LABELS = {
    "bare": "bare discord.py, command",
    "bare-click": "bare discord.py, button click",
}


@dataclass
class Run:
    """One measured run: its rate, click → verdict and click → acknowledgement latencies, and
    the CPU the bot's process used per click."""

    rate: float
    latencies: list[float]
    acks: list[float]
    cpu_ms: float

    def within(self, values: list[float]) -> float:
        return sum(v <= DEADLINE for v in values) / len(values)


def _populate(box: Sandbox, members: int) -> tuple[Guild, User, list[User]]:
    guild = box.add_guild("Bench")
    mod = box.add_user("mod")
    box.add_member(guild, mod, manage_guild=True)
    users = [box.add_user(f"member{i}") for i in range(members)]
    for user in users:
        box.add_member(guild, user)
    return guild, mod, users


async def _drive_clicks(
    box: Sandbox,
    post: Message,
    users: list[User],
    concurrency: int,
    bot: BotProcess,
    titles: tuple[str, ...],
) -> Run:
    """Every member clicks one choice of ``post``, ``concurrency`` in flight."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    skip = len(box.latencies)

    async def one(index: int) -> None:
        async with gate:
            label = post.buttons[index % len(post.buttons)].label
            began = time.perf_counter()
            reply = await box.click(post, label, user=users[index])
            latencies.append(time.perf_counter() - began)
            shown = reply.embeds[0]["title"] if reply.embeds else reply.content
            assert shown in titles, shown

    # As in bench.interactions: the heap so far (earlier runs' sandboxes among it) set aside
    # from the collector, so no full collection of it pauses this run's clicks.
    gc.collect()
    gc.freeze()
    cpu = bot.cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(len(users))))
    elapsed = time.perf_counter() - started
    cpu_ms = (bot.cpu_seconds() - cpu) * 1000 / len(users)
    acks = [sample.seconds for sample in box.latencies[skip:]]
    return Run(len(users) / elapsed, latencies, acks, cpu_ms)


async def clicks(members: int, concurrency: int, backend: str) -> Run:
    """N members answering one daily question, K in flight, the bot in its own process."""
    async with (
        started_sandbox(interaction_deadline=30.0, timeout=120.0) as box,
        scratch_folder() as folder,
        process_database(backend, folder, POSTGRES_URL) as url,
    ):
        guild, mod, users = _populate(box, members)
        async with bot_process(box, folder, url) as bot:
            await box.run_command(
                "mod quiz-schedule",
                user=mod,
                guild=guild,
                options={"channel": guild.general, "time": "08:00"},
            )
            await box.run_command("mod quiz-now", user=mod, guild=guild)
            post = await box.state.changed.wait_for(
                lambda: next((m for m in box.channel_messages(guild.general) if m.buttons), None),
                60,
                "the daily question",
            )
            run = await _drive_clicks(
                box, post, users, concurrency, bot, ("✅ Right!", "❌ Not quite")
            )
        await _check_exactly_once(url, guild.id, members)
    return run


async def _check_exactly_once(url: str, guild_id: int, members: int) -> None:
    db = Database(url)
    try:
        async with db.read() as session:
            answers = await session.scalar(select(func.count()).select_from(QuizAnswer))
            users = await session.scalar(select(func.count(func.distinct(QuizAnswer.user_id))))
            activity = await session.scalar(select(func.count()).select_from(Activity))
            ledger = await session.scalar(select(func.count()).select_from(PointsEntry))
            total = await session.scalar(select(func.sum(PointsEntry.amount)))
            board = await session.scalar(
                select(func.sum(BoardTotal.value)).where(
                    BoardTotal.guild_id == guild_id,
                    BoardTotal.board == "points",
                    BoardTotal.period == "all",
                )
            )
    finally:
        await db.close()
    counts = (answers, users, activity, ledger)
    assert counts == (members,) * 4, f"answers, members, activity, ledger = {counts}"
    assert board == total, f"board total {board} != ledger {total}"


async def bare_baseline(n: int, concurrency: int) -> Run:
    """The bare bot answering a constant to a slash command (the anchor of every bench)."""
    async with (
        started_sandbox(interaction_deadline=30.0, timeout=60.0) as box,
        scratch_folder() as folder,
    ):
        guild, _, (user,) = _populate(box, 1)
        async with bot_process(box, folder, None, _daily_embed()) as bot:
            cpu = bot.cpu_seconds()
            started = time.perf_counter()
            latencies = await box.drive("answer", n, concurrency, user=user, guild=guild)
            elapsed = time.perf_counter() - started
            cpu_ms = (bot.cpu_seconds() - cpu) * 1000 / n
    return Run(n / elapsed, latencies, latencies, cpu_ms)


def _daily_embed() -> dict[str, object]:
    """The embed of a real daily question, so the bare bot's message weighs the same."""
    content = load_content()
    question = content.questions[sorted(content.questions)[0]]
    shown = ShownQuestion(question, tuple(range(len(question.choices))))
    return render.daily_question(shown, content, START.date()).to_dict()  # type: ignore[return-value]


async def bare_clicks(members: int, concurrency: int) -> Run:
    """The bare bot answering a constant to clicks on a message like the daily question."""
    async with (
        started_sandbox(interaction_deadline=30.0, timeout=60.0) as box,
        scratch_folder() as folder,
    ):
        guild, _, users = _populate(box, members)
        async with bot_process(box, folder, None, _daily_embed()) as bot:
            post = await box.run_command("post", user=users[0], guild=guild)
            return await _drive_clicks(box, post, users, concurrency, bot, ("✅ Right!",))


def _median_run(runs: list[Run]) -> Run:
    """The run with the median rate (its latencies with it)."""
    return sorted(runs, key=lambda r: r.rate)[len(runs) // 2]


async def answer_clicks(
    members: int, concurrencies: list[int], backends: list[str], rounds: int
) -> None:
    print(f"## answer clicks: {members} members each click once; medians of {rounds} round(s)")
    header = (
        f"{'in flight':>9} {'bot':<30} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x bare':>7} {'p99 x bare':>10} {'x b-click':>8} {'p99 x b-click':>11} "
        f"{'acked<=3s':>9} {'answered<=3s':>12} {'bot CPU ms/click':>16}"
    )
    print(header)
    for concurrency in concurrencies:
        measured: dict[str, list[Run]] = {"bare": [], "bare-click": []} | {b: [] for b in backends}
        for _ in range(rounds):  # interleaved, so load on the machine hits every bot alike
            measured["bare"].append(await bare_baseline(members, concurrency))
            measured["bare-click"].append(await bare_clicks(members, concurrency))
            for backend in backends:
                measured[backend].append(await clicks(members, concurrency, backend))
        bare = _median_run(measured["bare"])
        bare_click = _median_run(measured["bare-click"])
        _, bare_p99, _ = summary_ms(bare.latencies)
        _, click_p99, _ = summary_ms(bare_click.latencies)
        for name, runs in measured.items():
            run = _median_run(runs)
            p50, p99, _ = summary_ms(run.latencies)
            label = LABELS.get(name, f"Backend Mentor, {name}")
            rates = ", ".join(f"{r.rate:.0f}" for r in runs)
            print(
                f"{concurrency:>9} {label:<30} {run.rate:>7.0f} {p50:>8.1f} {p99:>8.1f} "
                f"{run.rate / bare.rate:>7.2f} {p99 / bare_p99:>10.2f} "
                f"{run.rate / bare_click.rate:>8.2f} {p99 / click_p99:>11.2f} "
                f"{run.within(run.acks):>9.1%} {run.within(run.latencies):>12.1%} "
                f"{run.cpu_ms:>16.2f}" + (f"   (rates per round: {rates})" if rounds > 1 else "")
            )
    print("every click recorded exactly once: yes (checked after each run)")


async def posting(servers: int, backend: str) -> tuple[float, list[float], int]:
    """Total time to post every server's question at once, each post's latency, and 429s served.

    The schedules are set the evening before; at 08:00 one delivery tick posts them all,
    through the same claim → send (nonce) → confirm pipeline the bot always uses.
    """
    clock = FrozenClock(START - timedelta(hours=12))
    async with started_sandbox(timeout=600.0) as box:
        guilds = [box.add_guild(f"Server {i}") for i in range(servers)]
        async with mentor_bot(box, clock, backend=backend) as bot:
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
            await _check_one_sent_delivery_each(bot, guilds)
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


async def _check_one_sent_delivery_each(bot: object, guilds: list) -> None:
    """One delivery row per server, each 'sent' with the message the sandbox holds."""
    db = bot.services.db  # type: ignore[attr-defined]
    async with db.read() as session:
        rows = (await session.execute(select(Delivery.subject_id, Delivery.state))).all()
    states = {subject: state for subject, state in rows}
    assert len(rows) == len(states) == len(guilds), f"{len(rows)} delivery rows"
    assert all(states.get(g.id) == "sent" for g in guilds), "a server's delivery is not 'sent'"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--no-posting", action="store_true")
    parser.add_argument("--no-clicks", action="store_true")
    args = parser.parse_args()

    print(f"# {machine_line()}")
    if not args.no_clicks:
        await answer_clicks(args.members, args.concurrency, args.backends, args.rounds)
    if args.no_posting:
        return
    print(f"## posting: {args.servers} servers due at once, global limit {GLOBAL_LIMIT} requests/s")
    for _ in range(args.rounds):
        for backend in args.backends:
            elapsed, latencies, limited = await posting(args.servers, backend)
            p50, p99, _ = summary_ms(latencies)
            rate = args.servers / elapsed
            print(
                f"{backend:<10} total {elapsed:.1f} s, {rate:.1f} servers/s "
                f"({rate / GLOBAL_LIMIT:.0%} of the limit); per server p50 {p50:.0f} ms, "
                f"p99 {p99:.0f} ms; 429s served: {limited}; one message and one 'sent' "
                "delivery per server: yes"
            )


if __name__ == "__main__":
    asyncio.run(main())

"""Interactions per second and latency: the real bot's ``/help`` and ``/skill`` against a bare
discord.py bot, each bot a process of its own against the sandbox in this process.

Workloads, each N slash commands with K in flight, one after the other in the same process
(each after a warm-up of 50 commands of its own):

* ``/help``: the real bot's command list; the bare bot replies a constant text.
* ``/skill exact``: every skill's name, slug and aliases as typed (seeded draw).
* ``/skill mix``: 70 % exact names, slugs and aliases; 20 % typos (the seeded synthetic typos
  of ``bench.lookup``, one and two edits); 10 % typed prefixes (``bench.lookup.TYPED``) or
  gibberish (``NO_CLOSE_MATCH`` of the lookup tests and seeded random letters), which mostly
  get the "no such skill" reply.

The bare bot's ``/skill`` replies, whatever the name, with one real skill card (the embed and
its buttons and menu, built once). Every reply is checked: an exact query shows the card of
its skill; any other shows what ``SkillIndex.resolve`` says (the card, or the no-match text
with its suggestions); the bare bot shows its constant. The real bot runs on SQLite and on
PostgreSQL, each on a fresh database. The machine may be shared and its load change by the
second, so the three bots run at once, each with its own sandbox, and take turns: each sends
a slice of the workload (``--slice`` commands, K in flight) in an order that turns every
slice; a bot's rate is its N commands over the time its slices took. Each ratio is against
the bare bot of the same round; printed are the round with the median rate and the median of
the rounds' ratios. Latency is INTERACTION_CREATE sent → interaction callback received; CPU
is the bot process's user + system time per command, and "sandbox CPU" this process's (the
sandbox serving the bot and the driver).

    .venv/bin/python -m bench.interactions [--n 5000] [--concurrency 50] [--slice 500]
                                           [--rounds 1] [--backends sqlite postgresql]
                                           [--seed 10]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bench._bot import bot_process, scratch_folder
from bench._common import POSTGRES_URL, code_version, machine_line, postgres_version, summary_ms
from bench.lookup import TYPED, prefixes, random_gibberish, synthetic_typos
from bot.content.catalogue import Content, load_content
from bot.ui.embeds import skills as render
from cogs.skills._views import card_view
from sandbox import Guild, Message, Sandbox, User
from sandbox.harness import started_sandbox
from sandbox.processes import BotProcess, process_database
from tests.unit.test_skill_lookup import NO_CLOSE_MATCH

WORKLOADS = ("help", "skill exact", "skill mix")
WARM_UP = 50
# The realistic mix: shares of exact names, typos, and prefixes or gibberish.
MIX = (0.7, 0.2, 0.1)
BARE_HELP = "Backend Mentor"
HELP_TITLE = "Backend Mentor — commands"


@dataclass(frozen=True)
class Command:
    """One slash command to send and what its reply must show (title, description or text)."""

    name: str
    options: dict[str, str]
    shows: tuple[str, ...]


@dataclass
class Run:
    """Commands sent, the seconds they took, their latencies (s), and the CPU seconds of the
    bot's process and of this one (the sandbox's)."""

    commands: int
    elapsed: float
    latencies: list[float]
    cpu: float
    sandbox_cpu: float

    @property
    def rate(self) -> float:
        """Commands per second."""
        return self.commands / self.elapsed

    @property
    def cpu_ms(self) -> float:
        """The bot process's CPU per command, in milliseconds."""
        return self.cpu * 1000 / self.commands

    @property
    def sandbox_cpu_ms(self) -> float:
        """This process's CPU per command (the sandbox serving the bot), in milliseconds."""
        return self.sandbox_cpu * 1000 / self.commands

    def __add__(self, other: Run) -> Run:
        return Run(
            self.commands + other.commands,
            self.elapsed + other.elapsed,
            self.latencies + other.latencies,
            self.cpu + other.cpu,
            self.sandbox_cpu + other.sandbox_cpu,
        )


def _shown(reply: Message) -> str:
    embed = reply.embeds[0] if reply.embeds else {}
    return embed.get("title") or embed.get("description") or reply.content


def _expected(content: Content, query: str) -> str:
    """What the real bot's reply to ``/skill name:query`` shows: the card's title or the
    no-match text, as the resolver decides."""
    lookup = content.index.resolve(query)
    if lookup.skill is not None:
        return lookup.skill.name
    return render.no_match(query, lookup.suggestions).description or ""


def exact_queries(content: Content) -> list[tuple[str, str]]:
    """Every skill's name, slug and aliases as typed, with the title of the card it opens."""
    queries = []
    for skill in sorted(content.skills.values(), key=lambda s: s.slug):
        for raw in dict.fromkeys((skill.name, skill.slug, *skill.aliases)):
            if content.index.exact(raw) is skill:  # an alias another skill owns opens that one
                queries.append((raw, skill.name))
    return queries


def skill_commands(content: Content, n: int, seed: int, *, mix: bool) -> list[Command]:
    """``n`` seeded ``/skill`` commands: exact names only, or the realistic mix."""
    rng = random.Random(seed)
    exact = exact_queries(content)
    typos = sorted({q for cases in synthetic_typos(content, seed).values() for q in cases})
    typed = [p for text, _ in TYPED for p in prefixes(text)[:-1]]
    unknown = sorted({*typed, *NO_CLOSE_MATCH, *random_gibberish(200, seed)})
    commands = []
    for _ in range(n):
        draw = rng.random() if mix else 0.0
        if draw < MIX[0]:
            query, title = rng.choice(exact)
            assert _expected(content, query) == title, query
        else:
            query = rng.choice(typos if draw < MIX[0] + MIX[1] else unknown)
            title = _expected(content, query)
        commands.append(Command("skill", {"name": query}, (title,)))
    return commands


def workload(
    name: str, content: Content, n: int, seed: int, bare_card: str | None
) -> list[Command]:
    """The commands of one workload, and what the real bot must reply to each, or the bare
    bot (whose ``/skill`` card is titled ``bare_card``)."""
    if name == "help":
        return [Command("help", {}, (HELP_TITLE if bare_card is None else BARE_HELP,))] * n
    commands = skill_commands(content, n, seed, mix=name == "skill mix")
    if bare_card is not None:
        return [Command(c.name, c.options, (bare_card,)) for c in commands]
    return commands


def _sample_card(content: Content) -> dict[str, Any]:
    """The median-sized skill card (embed and components), the bare bot's constant reply."""
    cards = []
    for skill in sorted(content.skills.values(), key=lambda s: s.slug):
        embed = render.skill_card(skill, content).to_dict()
        components = card_view(skill, content).to_components()
        cards.append((len(str(embed)) + len(str(components)), skill.slug, embed, components))
    cards.sort(key=lambda c: c[:2])
    _, _, embed, components = cards[len(cards) // 2]
    return {"embed": embed, "components": components}


async def drive(
    box: Sandbox,
    bot: BotProcess,
    commands: list[Command],
    concurrency: int,
    user: User,
    guild: Guild,
) -> Run:
    """Send ``commands``, ``concurrency`` in flight, checking every reply."""
    gate = asyncio.Semaphore(concurrency)

    async def one(command: Command) -> None:
        async with gate:
            reply = await box.run_command(
                command.name, user=user, guild=guild, options=command.options
            )
            shown = _shown(reply)
            assert shown in command.shows, f"/{command.name} {command.options}: {shown!r}"

    # The sandboxes keep every message: set the heap so far aside from the collector, so a
    # full collection's pause does not grow with the run and land in whichever slice it hits.
    gc.collect()
    gc.freeze()
    skip = len(box.latencies)
    cpu, sandbox_cpu = bot.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(one(c) for c in commands))
    elapsed = time.perf_counter() - started
    cpu, sandbox_cpu = bot.cpu_seconds() - cpu, time.process_time() - sandbox_cpu
    latencies = [sample.seconds for sample in box.latencies[skip:]]
    assert len(latencies) == len(commands), f"{len(latencies)} callbacks for {len(commands)}"
    return Run(len(commands), elapsed, latencies, cpu, sandbox_cpu)


@dataclass
class Target:
    """A running bot process and its sandbox, guild and member; ``card`` is the title of the
    bare bot's constant ``/skill`` card (None for the real bot)."""

    box: Sandbox
    bot: BotProcess
    guild: Guild
    user: User
    card: str | None

    async def prepare(
        self, name: str, content: Content, n: int, concurrency: int, seed: int
    ) -> list[Command]:
        """Warm the bot up on a workload (another seed); its ``n`` commands to time."""
        warm_up = workload(name, content, WARM_UP, seed + 1, self.card)
        await self.send(warm_up, concurrency)
        return workload(name, content, n, seed, self.card)

    async def send(self, commands: list[Command], concurrency: int) -> Run:
        """``drive`` this bot."""
        return await drive(self.box, self.bot, commands, concurrency, self.user, self.guild)


@asynccontextmanager
async def target(backend: str | None, content: Content) -> AsyncIterator[Target]:
    """The bare bot (``backend`` None) or the real one on a fresh database, in its own process
    against a sandbox of its own."""
    card = _sample_card(content) if backend is None else None
    async with (
        started_sandbox(interaction_deadline=30.0, timeout=60.0) as box,
        scratch_folder() as folder,
        process_database(backend or "sqlite", folder, POSTGRES_URL) as url,
    ):
        guild = box.add_guild("Bench")
        user = box.add_user("bench")
        box.add_member(guild, user)
        async with bot_process(box, folder, url if backend else None, skill_card=card) as bot:
            yield Target(box, bot, guild, user, card["embed"]["title"] if card else None)


def _median(runs: list[Run]) -> Run:
    """The run with the median rate (its latencies with it)."""
    return sorted(runs, key=lambda r: r.rate)[len(runs) // 2]


def _label(backend: str | None, workload_name: str) -> str:
    bot = "bare discord.py" if backend is None else f"Backend Mentor, {backend}"
    return f"{bot}, /{workload_name}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--slice", type=int, default=500)
    args = parser.parse_args()
    content = load_content()
    bots: list[str | None] = [None, *args.backends]
    pg = await postgres_version() if "postgresql" in args.backends else None
    print(f"# {machine_line(pg)}")
    print(f"# code {code_version(['bot', 'cogs', 'bench', 'sandbox'])}")
    print(f"# load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    measured: dict[tuple[str | None, str], list[Run]] = {}
    async with AsyncExitStack() as stack:
        targets = {bot: await stack.enter_async_context(target(bot, content)) for bot in bots}
        # Every bot runs at once and they take turns, a slice of a workload each (the order
        # turning every slice), so a change in the machine's load hits the bots alike.
        for _ in range(args.rounds):
            for name in WORKLOADS:
                batches = {
                    bot: await targets[bot].prepare(
                        name, content, args.n, args.concurrency, args.seed
                    )
                    for bot in bots
                }
                parts: dict[str | None, list[Run]] = {bot: [] for bot in bots}
                for turn, start in enumerate(range(0, args.n, args.slice)):
                    turn %= len(bots)
                    for bot in bots[turn:] + bots[:turn]:
                        part = batches[bot][start : start + args.slice]
                        parts[bot].append(await targets[bot].send(part, args.concurrency))
                for bot in bots:
                    measured.setdefault((bot, name), []).append(sum(parts[bot][1:], parts[bot][0]))
    print(f"# load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"## {args.n} commands, {args.concurrency} in flight, seed {args.seed}, in slices of "
        f"{args.slice}; {args.rounds} round(s): the run of median rate, and the median of the "
        "rounds' ratios"
    )
    print(
        f"{'bot, workload':<44} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'x bare':>7} "
        f"{'CPU ms/cmd':>10} {'x bare CPU':>10} {'sandbox CPU':>11}"
    )
    for name in WORKLOADS:
        bare_runs = measured[None, name]
        for bot in bots:
            runs = measured[bot, name]
            run = _median(runs)
            p50, p99, _ = summary_ms(run.latencies)
            # Each round's ratio is against the bare bot's run of the same round.
            pairs = list(zip(runs, bare_runs, strict=True))
            ratios = [r.rate / b.rate for r, b in pairs]
            cpu = statistics.median(r.cpu_ms for r in runs)
            cpu_ratio = statistics.median(r.cpu_ms / b.cpu_ms for r, b in pairs)
            sandbox = statistics.median(r.sandbox_cpu_ms for r in runs)
            print(
                f"{_label(bot, name):<44} {run.rate:>7.0f} {p50:>8.1f} {p99:>8.1f} "
                f"{statistics.median(ratios):>7.2f} {cpu:>10.3f} {cpu_ratio:>10.2f} {sandbox:>11.3f}"
                + (
                    f"   (rates {', '.join(f'{r.rate:.0f}' for r in runs)}; "
                    f"x bare {', '.join(f'{x:.2f}' for x in ratios)})"
                    if args.rounds > 1
                    else ""
                )
            )
    print("every reply checked: yes")


if __name__ == "__main__":
    asyncio.run(main())

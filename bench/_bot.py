"""Shared set-up for benchmarks that drive a bot through the sandbox."""

from __future__ import annotations

import asyncio
import platform
import sqlite3
import statistics
import subprocess
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import discord
from discord.ext import commands

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.config import Settings
from bot.content.catalogue import load_content
from bot.db import migrate
from bot.db.engine import Database
from bot.endpoints import point_discord_at, restore_discord_endpoints
from bot.scheduling import Scheduler
from bot.services.container import Services
from sandbox import Sandbox

START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary_ms(latencies: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p99, mean) in milliseconds."""
    return (
        percentile(latencies, 0.50) * 1000,
        percentile(latencies, 0.99) * 1000,
        statistics.fmean(latencies) * 1000,
    )


def machine() -> str:
    """One line about the machine the figures come from."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return (
        f"{cpu}, {cores} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"discord.py {discord.__version__}"
    )


class ConstantChoices(discord.ui.View):
    """Four persistent answer buttons that each reply with the same constant."""

    def __init__(self) -> None:
        super().__init__(timeout=None)
        for position, letter in enumerate("ABCD"):
            button: discord.ui.Button[ConstantChoices] = discord.ui.Button(
                label=letter, custom_id=f"bare:{position}"
            )
            button.callback = self._answer  # type: ignore[method-assign]
            self.add_item(button)

    async def _answer(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("✅ Right!", ephemeral=True)


class BareBot(commands.AutoShardedBot):
    """The baseline: discord.py answering a constant, with nothing else in the way.

    ``/answer`` replies with a constant; ``/post`` posts ``post_embed`` (e.g. a real daily
    question's embed) with four buttons that reply with a constant, so a click on it is
    driven exactly like a click on the real bot's daily question.
    """

    def __init__(self, post_embed: dict[str, object] | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned, intents=discord.Intents(guilds=True)
        )
        embed = discord.Embed.from_dict(post_embed or {"title": "A question"})

        @self.tree.command(name="post", description="Post a question with constant buttons.")
        async def post(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(embed=embed, view=ConstantChoices())

        @self.tree.command(name="help", description="A constant answer.")
        async def help_(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Backend Mentor", ephemeral=True)

        @self.tree.command(name="answer", description="A constant click answer.")
        async def answer(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("✅ Right!", ephemeral=True)

    async def setup_hook(self) -> None:
        self.add_view(ConstantChoices())
        await self.tree.sync()


@asynccontextmanager
async def sandbox(**kwargs: object) -> AsyncIterator[Sandbox]:
    box = Sandbox(**kwargs)  # type: ignore[arg-type]
    await box.start()
    point_discord_at(box.api_base, gateway_url=box.gateway_url)
    try:
        yield box
    finally:
        await box.close()
        restore_discord_endpoints()


@asynccontextmanager
async def running(box: Sandbox, bot: discord.Client) -> AsyncIterator[discord.Client]:
    task = asyncio.create_task(bot.start(box.token))
    await box.wait_until_ready(timeout=60)
    await box.wait_for_commands(timeout=60)
    try:
        yield bot
    finally:
        await bot.close()
        await asyncio.wait({task})


@asynccontextmanager
async def bench_database(backend: str = "sqlite") -> AsyncIterator[Database]:
    """A fresh migrated database: SQLite in a temporary directory, or a new PostgreSQL schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
            try:
                await migrate.upgrade(db)
                yield db
            finally:
                await db.close()
        return
    from bench._common import POSTGRES_URL, create_schema, drop_schema

    schema = await create_schema(POSTGRES_URL, prefix="bench_quiz")
    db = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate.upgrade(db)
        yield db
    finally:
        await db.close()
        await drop_schema(schema, POSTGRES_URL)


@asynccontextmanager
async def mentor_bot(
    box: Sandbox, clock: FrozenClock | None = None, *, backend: str = "sqlite"
) -> AsyncIterator[MentorBot]:
    """The real bot on a fresh database (``sqlite`` or ``postgresql``)."""
    async with bench_database(backend) as db:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            discord_token=box.token,
            discord_api_base=box.api_base,
            discord_gateway_url=box.gateway_url,
            delivery_tick_seconds=3600,  # benchmarks tick by hand
        )
        services = Services(db=db, clock=clock or FrozenClock(START), content=load_content())
        bot = MentorBot(settings, services, Scheduler())
        async with running(box, bot):
            yield bot

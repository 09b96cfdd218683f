"""Benchmarks that drive a bot through the sandbox: the bare discord.py baseline and the real
bot on a fresh database. The wiring itself is ``sandbox.harness``, shared with the e2e tests.

``python -m bench._bot`` runs the bare bot as a process of its own (the anchor of the
benchmarks that run each bot in its own process), with the sandbox's ``DISCORD_*``
settings and ``BARE_POST_EMBED`` (JSON) as the embed ``/post`` posts; it prints
``bare bot ready`` once connected.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import discord
from discord.ext import commands

from bench._common import POSTGRES_URL, create_schema, drop_schema
from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db import migrate
from bot.db.engine import Database
from sandbox import Sandbox
from sandbox.harness import START, running_mentor
from sandbox.processes import BotProcess, bot_env, bot_processes, until_logged


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
async def bot_process(
    box: Sandbox, folder: Path, url: str | None, post_embed: dict[str, object] | None = None
) -> AsyncIterator[BotProcess]:
    """The real bot on the database at ``url`` (``python -m bot run``), or the bare bot when
    ``url`` is None (``python -m bench._bot``, ``/post`` posting ``post_embed``), as a
    process of its own, once connected; stopped (the real one with SIGTERM) at the end."""
    # The bot's own tick and heartbeat intervals, not the kill tests' fast ones.
    settings = {"DELIVERY_TICK_SECONDS": "5", "HEALTH_INTERVAL_SECONDS": "15"}
    if url is None:
        embed = json.dumps(post_embed)
        env = bot_env(box, "sqlite+aiosqlite://", folder, BARE_POST_EMBED=embed, **settings)
        bot = BotProcess(env, folder, "bare", command=("-m", "bench._bot"))
        ready = "bare bot ready"
    else:
        bot = BotProcess(bot_env(box, url, folder, **settings), folder, "mentor")
        ready = "Caught up after start"
    async with bot_processes(bot):
        await until_logged(bot, ready, timeout=120)
        yield bot
        if url is not None:
            assert await bot.stop() == 0, bot.logs()[-3000:]
        assert "Traceback" not in bot.logs(), bot.logs()[-3000:]


@asynccontextmanager
async def scratch_folder() -> AsyncIterator[Path]:
    """A temporary folder for a bot process's database, logs and heartbeat."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


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
    """The real bot on a fresh database (``sqlite`` or ``postgresql``), ticked by hand."""
    async with (
        bench_database(backend) as db,
        running_mentor(box, db, clock or FrozenClock(START), close_db=True) as bot,
    ):
        yield bot


async def _run_bare_process() -> None:
    """The bare bot until SIGTERM/SIGINT, against the endpoints in the environment."""
    from bot.config import load_settings
    from bot.runner import use_endpoints

    settings = load_settings()
    use_endpoints(settings)
    bot = BareBot(json.loads(os.environ.get("BARE_POST_EMBED", "null")))

    async def on_ready() -> None:
        print("bare bot ready", flush=True)

    bot.add_listener(on_ready, "on_ready")
    async with bot:
        await bot.start(settings.token())


if __name__ == "__main__":
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_bare_process())

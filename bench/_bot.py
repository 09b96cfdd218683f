"""Benchmarks that drive a bot through the sandbox: the bare discord.py baseline and the real
bot on a fresh database. The wiring itself is ``sandbox.harness``, shared with the e2e tests."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord
from discord.ext import commands

from bench._common import POSTGRES_URL, create_schema, drop_schema
from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db import migrate
from bot.db.engine import Database
from sandbox import Sandbox
from sandbox.harness import START, running_mentor


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

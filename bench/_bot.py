"""Benchmarks that drive a bot through the sandbox: the bare discord.py baseline and the real
bot on a fresh database. The wiring itself is ``sandbox.harness``, shared with the e2e tests.

``python -m bench._bot`` runs the bare bot as a process of its own (the anchor of the
benchmarks that run each bot in its own process), with the sandbox's ``DISCORD_*``
settings, ``BARE_POST_EMBED`` (JSON) as the embed ``/post`` posts and ``BARE_SKILL_CARD``
(JSON: an embed and its components) as the reply to ``/skill``; it prints ``bare bot ready``
once connected.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

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


class ConstantCard(discord.ui.View):
    """Buttons and select menus rebuilt from a message's components (their JSON), no callbacks:
    a constant view that weighs what the real one weighs on the wire."""

    def __init__(self, components: list[dict[str, Any]]) -> None:
        super().__init__(timeout=None)
        for row, action_row in enumerate(components):
            for part in action_row["components"]:
                self.add_item(_item(part, row))


def _item(part: dict[str, Any], row: int) -> discord.ui.Item[ConstantCard]:
    """A button or a string select from its component JSON."""
    if part["type"] == discord.ComponentType.button.value:
        emoji = part.get("emoji")
        return discord.ui.Button(
            label=part.get("label"),
            custom_id=part["custom_id"],
            style=discord.ButtonStyle(part["style"]),
            emoji=discord.PartialEmoji.from_dict(emoji) if emoji else None,
            row=row,
        )
    options = [
        discord.SelectOption(label=o["label"], value=o["value"], description=o.get("description"))
        for o in part["options"]
    ]
    return discord.ui.Select(
        custom_id=part["custom_id"], placeholder=part.get("placeholder"), options=options, row=row
    )


class BareBot(commands.AutoShardedBot):
    """The baseline: discord.py answering a constant, with nothing else in the way.

    ``/answer`` replies with a constant; ``/post`` posts ``post_embed`` (e.g. a real daily
    question's embed) with four buttons that reply with a constant, so a click on it is
    driven exactly like a click on the real bot's daily question. ``/skill name:`` replies
    with ``skill_card`` (``{"embed": ..., "components": [...]}``, e.g. a real skill card),
    built once, whatever the name.
    """

    def __init__(
        self,
        post_embed: dict[str, object] | None = None,
        skill_card: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned, intents=discord.Intents(guilds=True)
        )
        embed = discord.Embed.from_dict(post_embed or {"title": "A question"})
        card = skill_card or {"embed": {"title": "A skill"}, "components": []}
        card_embed = discord.Embed.from_dict(card["embed"])
        card_view = ConstantCard(card["components"])
        # Stopped, it still goes out as components, but discord.py keeps nothing per message
        # for it, like the real card (dynamic items only) and unlike a live view of plain items.
        card_view.stop()

        @self.tree.command(name="skill", description="A constant card, whatever the name.")
        async def skill(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(embed=card_embed, view=card_view)

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
    box: Sandbox,
    folder: Path,
    url: str | None,
    post_embed: dict[str, object] | None = None,
    skill_card: dict[str, Any] | None = None,
) -> AsyncIterator[BotProcess]:
    """The real bot on the database at ``url`` (``python -m bot run``), or the bare bot when
    ``url`` is None (``python -m bench._bot``, ``/post`` posting ``post_embed``, ``/skill``
    replying ``skill_card``), as a process of its own, once connected; stopped (the real one
    with SIGTERM) at the end."""
    # The bot's own tick and heartbeat intervals, not the kill tests' fast ones.
    settings = {"DELIVERY_TICK_SECONDS": "5", "HEALTH_INTERVAL_SECONDS": "15"}
    if url is None:
        env = bot_env(
            box,
            "sqlite+aiosqlite://",
            folder,
            BARE_POST_EMBED=json.dumps(post_embed),
            BARE_SKILL_CARD=json.dumps(skill_card),
            **settings,
        )
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
    bot = BareBot(
        json.loads(os.environ.get("BARE_POST_EMBED", "null")),
        json.loads(os.environ.get("BARE_SKILL_CARD", "null")),
    )

    async def on_ready() -> None:
        print("bare bot ready", flush=True)

    bot.add_listener(on_ready, "on_ready")
    async with bot:
        await bot.start(settings.token())


if __name__ == "__main__":
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_bare_process())

"""``python -m bot console``: the sandbox and the real bot in one process, driven from a terminal."""

from __future__ import annotations

import asyncio
import sys

from bot.config import PROJECT_ROOT, Settings
from bot.endpoints import point_discord_at, restore_discord_endpoints
from bot.runner import build_bot
from bot.sandbox import Sandbox
from bot.sandbox.console import BANNER, Console, stdin_lines

CONSOLE_DATABASE = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'sandbox.db'}"


async def run_console(settings: Settings) -> None:
    """Start a local Discord, connect the bot to it, and read commands until end of input.

    The console keeps its own database (``var/sandbox.db``) so that trying things
    offline never touches the live bot's data.
    """
    sandbox = Sandbox()
    await sandbox.start()
    try:
        guild = sandbox.add_guild("Backend Mentor sandbox")
        you = sandbox.add_user("you")
        sandbox.add_member(guild, you, manage_guild=True)
        for name in ("ada", "linus"):
            sandbox.add_member(guild, sandbox.add_user(name))
        local = settings.model_copy(
            update={
                "discord_api_base": sandbox.api_base,
                "discord_gateway_url": sandbox.gateway_url,
                "database_url": CONSOLE_DATABASE,
                "dev_guild_id": None,
                "shard_count": None,
                "shard_ids": None,
            }
        )
        point_discord_at(sandbox.api_base, gateway_url=sandbox.gateway_url)
        bot = await build_bot(local)
        runner = asyncio.create_task(bot.start(sandbox.token))
        try:
            await sandbox.wait_until_ready()
            await sandbox.wait_for_commands()
            print(BANNER, flush=True)
            assert guild.general is not None
            console = Console(sandbox, guild, guild.general, you, sys.stdout)
            await console.run(stdin_lines())
        finally:
            await bot.close()
            await asyncio.wait({runner})
    finally:
        await sandbox.close()
        restore_discord_endpoints()

"""``python -m bot console``: the sandbox and the real bot in one process, driven from a terminal."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.endpoints import point_discord_at, restore_discord_endpoints
from bot.runner import build_bot
from sandbox import Guild, Sandbox, User
from sandbox.console import BANNER, Console, stdin_lines

CONSOLE_DATABASE = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'sandbox.db'}"
# The ids of the sandbox server, its channels and its people, so that every console
# session meets the same server and user (and finds its streak, schedules, points).
WORLD_FILE = PROJECT_ROOT / "var" / "sandbox-world.json"
PEOPLE = ("you", "ada", "linus")


def build_world(sandbox: Sandbox, path: Path = WORLD_FILE) -> tuple[Guild, User]:
    """The console's server and user: the ones of earlier sessions when ``path`` has them."""
    try:
        known = json.loads(path.read_text())
        guild_ids = {k: int(v) for k, v in known["guild"].items()}
        people = {k: int(v) for k, v in known["users"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        guild_ids, people = {}, {}
    guild = sandbox.add_guild("Backend Mentor sandbox", ids=guild_ids)
    users = {name: sandbox.add_user(name, id=people.get(name)) for name in PEOPLE}
    sandbox.add_member(guild, users["you"], manage_guild=True)
    for name in PEOPLE[1:]:
        sandbox.add_member(guild, users[name])
    assert guild.general is not None and guild.voice is not None and guild.category is not None
    world = {
        "guild": {
            "guild": str(guild.id),
            "category": str(guild.category.id),
            "general": str(guild.general.id),
            "voice": str(guild.voice.id),
        },
        "users": {name: str(user.id) for name, user in users.items()},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(world, indent=2) + "\n")
    except OSError:
        pass  # a read-only checkout still gets a console, just not a remembered one
    return guild, users["you"]


async def run_console(settings: Settings) -> None:
    """Start a local Discord, connect the bot to it, and read commands until end of input.

    The console keeps its own database (``var/sandbox.db``) so that trying things
    offline never touches the live bot's data, and the same server and user across
    sessions (``var/sandbox-world.json``), so what was done last time is still there.
    """
    sandbox = Sandbox()
    await sandbox.start()
    try:
        guild, you = build_world(sandbox)
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

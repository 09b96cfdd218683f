"""MentorBot: the composition root that ties settings, services, scheduler and cogs together."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pkgutil
from collections.abc import Awaitable, Callable

import discord
from discord.ext import commands

import cogs
from bot.config import Settings
from bot.edge.errors import MentorTree
from bot.scheduling import Scheduler
from bot.services.container import Services

log = logging.getLogger(__name__)

StartupTask = Callable[[], Awaitable[object]]


def discover_cogs() -> list[str]:
    """Every module in ``cogs/`` that is not private (``_name``), as an extension path."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


def intents() -> discord.Intents:
    """The gateway intents the bot needs: guilds only, nothing privileged."""
    return discord.Intents(guilds=True)


class MentorBot(commands.AutoShardedBot):
    """The Backend Mentor bot. Cogs reach the domain through ``bot.services``."""

    def __init__(self, settings: Settings, services: Services, scheduler: Scheduler) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=MentorTree,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids,
        )
        self.settings = settings
        self.services = services
        self.scheduler = scheduler
        self.synced_commands = False
        self._startup_tasks: list[StartupTask] = []

    def on_startup(self, task: StartupTask) -> None:
        """Run ``task`` once the scheduler has started (cogs use it to catch up after downtime)."""
        self._startup_tasks.append(task)

    async def setup_hook(self) -> None:
        for extension in discover_cogs():
            await self.load_extension(extension)
        await self.sync_commands()
        self.scheduler.start()
        for task in self._startup_tasks:
            await task()
        log.info("Loaded %d cogs; scheduler running", len(self.cogs))

    def _sync_scope(self) -> discord.Object | None:
        if self.settings.dev_guild_id is None:
            return None
        guild = discord.Object(self.settings.dev_guild_id)
        self.tree.copy_global_to(guild=guild)
        return guild

    def command_tree_hash(self, guild: discord.Object | None) -> str:
        """A digest of the command tree as Discord would receive it."""
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Upload the command tree if it changed since the last upload (or if forced).

        Discord limits command updates per day, so restarts must not re-upload an
        unchanged tree; the hash of the last upload is kept in the database, per
        application (one database may serve a test bot and the real one).
        """
        guild = self._sync_scope()
        key = f"command_tree_hash:{self.application_id}:{guild.id if guild else 'global'}"
        digest = self.command_tree_hash(guild)
        if not force and await self.services.state.get(key) == digest:
            log.info("Command tree unchanged; not syncing")
            return False
        synced = await self.tree.sync(guild=guild)
        await self.services.state.set(key, digest)
        self.synced_commands = True
        log.info(
            "Synced %d commands %s", len(synced), f"to guild {guild.id}" if guild else "globally"
        )
        return True

    async def close(self) -> None:
        """Stop the scheduler, disconnect, let running handlers finish, then close the database."""
        self.scheduler.shutdown()
        try:
            await super().close()
        finally:
            await _finish_handlers()
            await self.services.db.close()


# Names discord.py gives the tasks that run commands, components and event listeners.
HANDLER_TASKS = ("CommandTree-invoker", "discord.py: ", "discord-ui-")
SHUTDOWN_GRACE_SECONDS = 5.0


async def _finish_handlers() -> None:
    """Wait (briefly) for handlers still running, so none loses its database connection mid-write."""
    current = asyncio.current_task()
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not current and not task.done() and task.get_name().startswith(HANDLER_TASKS)
    ]
    if running:
        await asyncio.wait(running, timeout=SHUTDOWN_GRACE_SECONDS)

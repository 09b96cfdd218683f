"""MentorBot: the composition root that ties settings, services, scheduler and cogs together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import math
import os
import pkgutil
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import discord
from discord.ext import commands

import cogs
from bot import health, metrics
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer, paced_requests, send_rate
from bot.delivery.pipeline import DeliveryPipeline
from bot.scheduling import Scheduler
from bot.services.container import Services
from bot.ui.errors import MentorTree, command_label, count_interaction
from bot.ui.role_rewards import RoleRewardSync

log = logging.getLogger(__name__)


GUILD_READY_TIMEOUT = 0.5


def discover_cogs() -> list[str]:
    """Every module or package in ``cogs/`` that is not private (``_name``), as an extension path.

    A package's ``__init__`` holds its ``setup()``; its private modules are not extensions.
    """
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
        self.closing = False
        pacer = Pacer(send_rate(settings.discord_global_rate_limit, None))
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=MentorTree,
            shard_count=settings.shard_count,
            # discord.py documents shard_ids as Optional (None: every shard) and reads it so,
            # but its options TypedDict types it List[int].
            shard_ids=settings.shard_ids,  # type: ignore[arg-type]
            # Without the members intent there is nothing to chunk: READY soon after the
            # last GUILD_CREATE instead of discord.py's default two seconds.
            guild_ready_timeout=GUILD_READY_TIMEOUT,
            http_trace=paced_requests(pacer),
        )
        self.settings = settings
        self.services = services
        self.scheduler = scheduler
        self.synced_commands = False
        self._startup_tasks: list[Callable[[], Awaitable[object]]] = []
        self.caught_up = asyncio.Event()  # set after the first delivery tick at READY
        self._beating = asyncio.Lock()
        outbox = Outbox(
            services.db,
            services.clock,
            owner=f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
            lease=timedelta(seconds=settings.delivery_lease_seconds),
        )
        self.delivery = DeliveryPipeline(
            self,
            outbox,
            services.clock,
            retry_budget=timedelta(seconds=settings.delivery_retry_seconds),
            nonce_window=timedelta(seconds=settings.delivery_nonce_window_seconds),
            pacer=pacer,
            global_limit=settings.discord_global_rate_limit,
        )
        self.role_rewards = RoleRewardSync(self)
        services.achievements.subscribe(self.role_rewards.on_unlocked)

    def on_startup(self, task: Callable[[], Awaitable[object]]) -> None:
        """Run ``task`` once the scheduler has started (e.g. a sweep that catches up)."""
        self._startup_tasks.append(task)

    async def setup_hook(self) -> None:
        """Load the cogs, sync the commands, then start the delivery tick and the heartbeat."""
        for extension in discover_cogs():
            await self.load_extension(extension)
        await self.sync_commands()
        self.scheduler.every(
            "delivery-tick", self.delivery.tick, seconds=self.settings.delivery_tick_seconds
        )
        self.scheduler.every(
            "heartbeat", self.heartbeat, seconds=self.settings.health_interval_seconds
        )
        self.scheduler.start()
        for task in self._startup_tasks:
            await task()
        # Content, cogs and commands are loaded for good: move them out of the collector's
        # sight, so a full collection no longer walks ~145k start-up objects (~137 ms).
        gc.collect()
        gc.freeze()
        log.info("Loaded %d cogs; scheduler running", len(self.cogs))

    async def on_ready(self) -> None:
        """Once every shard is up: catch up on posts that fell due while the bot was away."""
        try:
            sent = await self.delivery.tick()
            log.info("Caught up after start: %d scheduled post(s) sent", sent)
        finally:
            self.caught_up.set()

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: object
    ) -> None:
        """Count a slash command that finished without an error."""
        count_interaction(interaction, command_label(interaction), "ok")

    async def heartbeat(self) -> None:
        """Record gateway and database health for ``python -m bot health`` and the metrics."""
        if self.closing:
            return
        async with self._beating:
            for shard_id, shard in self.shards.items():
                metrics.GATEWAY_CONNECTED.labels(str(shard_id)).set(0 if shard.is_closed() else 1)
                if math.isfinite(shard.latency):
                    metrics.SHARD_LATENCY.labels(str(shard_id)).set(shard.latency)
            gateway = self.is_ready() and all(not s.is_closed() for s in self.shards.values())
            database, detail = True, ""
            try:
                await asyncio.wait_for(
                    self.services.state.set("heartbeat", self.services.clock.now().isoformat()),
                    health.DATABASE_TIMEOUT,
                )
            except Exception as error:
                metrics.DATABASE_ERRORS.labels("heartbeat").inc()
                database, detail = False, f"{type(error).__name__}: {str(error)[:100]}"
            beat = health.Heartbeat(time.time(), gateway, database, detail)
            await asyncio.to_thread(health.beat, self.settings.health_file, beat)

    async def _last_heartbeat(self) -> None:
        """Let a heartbeat in progress finish (bounded) so shutdown cancels nothing."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(health.DATABASE_TIMEOUT + 1), self._beating:
                pass

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
        """Shut down without losing a reply.

        Stop taking interactions (disconnect the shards), let running handlers finish and
        answer (bounded), drain the answer writer, then stop the scheduler, close the HTTP
        session, and close the database last.
        """
        if self.closing:
            await super().close()
            return
        self.closing = True
        try:
            for shard in self.shards.values():
                await shard.disconnect()
            await asyncio.gather(
                _finish_handlers(),
                self.delivery.stop(grace=SHUTDOWN_GRACE_SECONDS),
                self.role_rewards.finish(SHUTDOWN_GRACE_SECONDS),
                self._last_heartbeat(),
            )
            await self.services.answers.stop()  # answers still queued are written and answered
            self.scheduler.shutdown()
            await super().close()
        finally:
            await self.services.db.close()


# Names discord.py gives the tasks that run commands, components and event listeners.
HANDLER_TASKS = ("CommandTree-invoker", "discord.py: ", "discord-ui-")
SHUTDOWN_GRACE_SECONDS = 10.0


async def _finish_handlers() -> None:
    """Wait (bounded) for running handlers, so each can finish its write and send its reply."""
    current = asyncio.current_task()
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not current and not task.done() and task.get_name().startswith(HANDLER_TASKS)
    ]
    if running:
        await asyncio.wait(running, timeout=SHUTDOWN_GRACE_SECONDS)

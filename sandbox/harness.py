"""A bot wired to an in-process sandbox: the one harness of the e2e tests and the benchmarks.

``started_sandbox`` starts a sandbox and points discord.py at it; ``running`` runs any
discord.py client against it until it is ready; ``running_mentor`` does the same for the
real MentorBot on a given database with a frozen clock, its delivery ticked by hand
(``daily_post`` gives the services alone a guild's prepared daily question)::

    async with started_sandbox() as sandbox, running_mentor(sandbox, db, clock) as bot:
        ...
        await bot.delivery.tick()

The bot never imports this; of ``sandbox`` it reaches only the console app, lazily, when
``python -m bot console`` (or ``start`` without a token) runs it (tests/unit/test_import_rule.py).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import discord
from pydantic import SecretStr

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.config import Settings
from bot.content.catalogue import Content, load_content
from bot.db.engine import Database
from bot.endpoints import point_discord_at, restore_discord_endpoints
from bot.scheduling import Scheduler
from bot.services.container import Services
from bot.services.daily_quiz import PlannedPost
from sandbox.errors import SandboxError
from sandbox.sandbox import Sandbox

# A Tuesday morning in UTC, where frozen clocks start; tests move it as they need.
START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

ClientT = TypeVar("ClientT", bound=discord.Client)


@functools.cache
def shipped_content() -> Content:
    """The content in data/, loaded once per process."""
    return load_content()


def sandbox_settings(sandbox: Sandbox, **overrides: Any) -> Settings:
    """The bot's settings against ``sandbox``: no .env, delivery ticked by hand."""
    return Settings(
        _env_file=None,
        discord_token=SecretStr(sandbox.token),
        discord_api_base=sandbox.api_base,
        discord_gateway_url=sandbox.gateway_url,
        delivery_tick_seconds=3600,  # callers tick: await bot.delivery.tick()
        delivery_retry_seconds=0,
        **overrides,
    )


@asynccontextmanager
async def started_sandbox(**options: Any) -> AsyncIterator[Sandbox]:
    """A started ``Sandbox(**options)`` with discord.py pointed at it.

    Raises SandboxError afterwards if the sandbox itself failed while serving a request.
    """
    sandbox = Sandbox(**options)
    await sandbox.start()
    point_discord_at(sandbox.api_base, gateway_url=sandbox.gateway_url)
    try:
        yield sandbox
    finally:
        await sandbox.close()
        restore_discord_endpoints()
    if sandbox.internal_errors:
        raise SandboxError(f"the sandbox failed internally: {sandbox.internal_errors!r}")


@asynccontextmanager
async def running(sandbox: Sandbox, client: ClientT) -> AsyncIterator[ClientT]:
    """Run ``client`` against ``sandbox`` until it is ready and has registered commands.

    Fails at once if the client crashes before it is ready; closes it afterwards.
    """
    task = asyncio.create_task(client.start(sandbox.token))
    ready = asyncio.create_task(sandbox.wait_until_ready())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()
    await ready
    try:
        await client.wait_until_ready()
        await sandbox.wait_for_commands()
        yield client
    finally:
        await client.close()
        await task


def build_mentor(
    sandbox: Sandbox, db: Database, clock: FrozenClock, **settings: object
) -> MentorBot:
    """A MentorBot on ``db`` and ``clock`` with the shipped content, set up for ``sandbox``."""
    services = Services(db=db, clock=clock, content=shipped_content())
    return MentorBot(sandbox_settings(sandbox, **settings), services, Scheduler())


@asynccontextmanager
async def running_mentor(
    sandbox: Sandbox,
    db: Database,
    clock: FrozenClock,
    *,
    close_db: bool = False,
    **settings: object,
) -> AsyncIterator[MentorBot]:
    """Run a MentorBot until it has caught up after READY; stop it afterwards.

    ``settings`` override ``sandbox_settings``. The database stays open when the bot
    stops, so that it can be started again on it, unless ``close_db`` is set.
    """
    bot = build_mentor(sandbox, db, clock, **settings)
    if not close_db:
        bot.services.db = _NonClosing(db)  # type: ignore[assignment]  # a Database but for close()
    async with running(sandbox, bot):
        await asyncio.wait_for(bot.caught_up.wait(), timeout=30)
        yield bot


class _NonClosing:
    """A database shared across bot restarts: the bot may not close it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)

    async def close(self) -> None:
        return None


async def daily_post(services: Services, guild_id: int, channel_id: int, day: date) -> PlannedPost:
    """``guild_id``'s daily question for ``day``, scheduled at 08:00 UTC and prepared, unposted."""
    await services.daily.set_schedule(
        guild_id=guild_id,
        channel_id=channel_id,
        time_text="08:00",
        timezone_text="UTC",
        days="daily",
        close_text=None,
        moderator_id=1,
    )
    return await services.daily.prepare_post(guild_id, day)

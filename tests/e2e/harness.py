"""Run the real MentorBot against the sandbox, on a test database, with a frozen clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.config import Settings
from bot.db.engine import Database
from bot.endpoints import point_discord_at, restore_discord_endpoints
from bot.scheduling import Scheduler
from bot.services.container import Services
from sandbox import Guild, Message, Sandbox, User
from tests.conftest import shipped_content

# A Tuesday morning in UTC; tests move the clock as they need.
START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@dataclass
class World:
    """A study server with two members and a moderator."""

    guild: Guild
    alice: User
    bob: User
    mod: User


def populate(sandbox: Sandbox) -> World:
    guild = sandbox.add_guild("Backend Study Group")
    alice, bob, mod = (sandbox.add_user(name) for name in ("alice", "bob", "mod"))
    sandbox.add_member(guild, alice)
    sandbox.add_member(guild, bob)
    sandbox.add_member(guild, mod, manage_guild=True)
    return World(guild, alice, bob, mod)


async def set_timezone(sandbox: Sandbox, user: User, guild: Guild | None, text: str) -> Message:
    """``/settings timezone`` then its Save button (a change asks for confirmation first)."""
    asked = await sandbox.run_command("settings timezone", user=user, guild=guild, timezone=text)
    save = next((b.label for b in asked.buttons if (b.label or "").startswith("Save")), None)
    assert save is not None, asked.content
    return await sandbox.click(asked, save, user=user)


def test_settings(sandbox: Sandbox) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_token=sandbox.token,
        discord_api_base=sandbox.api_base,
        discord_gateway_url=sandbox.gateway_url,
        delivery_tick_seconds=3600,  # tests tick by hand: await bot.delivery.tick()
        delivery_retry_seconds=0,
    )


@asynccontextmanager
async def started_sandbox(**kwargs: object) -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(**kwargs)  # type: ignore[arg-type]
    await sandbox.start()
    point_discord_at(sandbox.api_base, gateway_url=sandbox.gateway_url)
    try:
        yield sandbox
    finally:
        await sandbox.close()
        restore_discord_endpoints()
    assert sandbox.internal_errors == []


def build_mentor(sandbox: Sandbox, db: Database, clock: FrozenClock) -> MentorBot:
    services = Services(db=db, clock=clock, content=shipped_content())
    return MentorBot(test_settings(sandbox), services, Scheduler())


@asynccontextmanager
async def running_mentor(
    sandbox: Sandbox, db: Database, clock: FrozenClock, *, close_db: bool = False
) -> AsyncIterator[MentorBot]:
    """Start a MentorBot; stop it afterwards, leaving the database open unless asked."""
    bot = build_mentor(sandbox, db, clock)
    if not close_db:
        bot.services.db = _NonClosing(db)  # type: ignore[assignment]
    task = asyncio.create_task(bot.start(sandbox.token))
    ready = asyncio.create_task(sandbox.wait_until_ready())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()
    await ready
    try:
        await sandbox.wait_for_commands()
        await asyncio.wait_for(bot.caught_up.wait(), timeout=30)
        yield bot
    finally:
        await bot.close()
        await task


class _NonClosing:
    """The test database, shared across bot restarts: the bot may not close it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)

    async def close(self) -> None:
        return None

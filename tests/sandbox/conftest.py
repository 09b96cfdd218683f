"""Fixtures: a started sandbox with discord.py pointed at it, a small world, a running bare bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import discord
import pytest

from bot.endpoints import point_discord_at, restore_discord_endpoints
from sandbox import Guild, Sandbox, User
from tests.sandbox.barebot import BareBot


@dataclass
class World:
    guild: Guild
    alice: User
    bob: User
    mod: User


@asynccontextmanager
async def started(sandbox: Sandbox) -> AsyncIterator[Sandbox]:
    await sandbox.start()
    point_discord_at(sandbox.api_base, gateway_url=sandbox.gateway_url)
    try:
        yield sandbox
    finally:
        await sandbox.close()
        restore_discord_endpoints()
    assert sandbox.internal_errors == []


@asynccontextmanager
async def running(
    sandbox: Sandbox, bot: discord.Client, *, commands: bool = True
) -> AsyncIterator[None]:
    """Start ``bot`` against ``sandbox``; fail fast if it crashes before becoming ready."""
    task = asyncio.create_task(bot.start(sandbox.token))
    ready = asyncio.create_task(sandbox.wait_until_ready())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()
    await ready
    await bot.wait_until_ready()
    try:
        if commands:
            await sandbox.wait_for_commands()
        yield
    finally:
        await bot.close()
        await task


def populate(sandbox: Sandbox) -> World:
    guild = sandbox.add_guild("Study Group")
    alice, bob, mod = (sandbox.add_user(name) for name in ("alice", "bob", "mod"))
    sandbox.add_member(guild, alice)
    sandbox.add_member(guild, bob)
    sandbox.add_member(guild, mod, manage_guild=True)
    return World(guild, alice, bob, mod)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with started(Sandbox()) as sandbox:
        yield sandbox


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return populate(sandbox)


@pytest.fixture
async def bot(sandbox: Sandbox, world: World) -> AsyncIterator[BareBot]:
    bot = BareBot()
    async with running(sandbox, bot):
        yield bot

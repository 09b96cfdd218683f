"""Fixtures: a started sandbox with discord.py pointed at it, a small world, a running bare bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from sandbox import Guild, Sandbox, User
from sandbox.harness import running, started_sandbox
from tests.sandbox.barebot import BareBot


@dataclass
class World:
    guild: Guild
    alice: User
    bob: User
    mod: User


def populate(sandbox: Sandbox) -> World:
    guild = sandbox.add_guild("Study Group")
    alice, bob, mod = (sandbox.add_user(name) for name in ("alice", "bob", "mod"))
    sandbox.add_member(guild, alice)
    sandbox.add_member(guild, bob)
    sandbox.add_member(guild, mod, manage_guild=True)
    return World(guild, alice, bob, mod)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with started_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return populate(sandbox)


@pytest.fixture
async def bot(sandbox: Sandbox, world: World) -> AsyncIterator[BareBot]:
    bot = BareBot()
    async with running(sandbox, bot):
        yield bot

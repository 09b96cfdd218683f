"""Fixtures for end-to-end tests: sandbox, world, frozen clock and the running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.services import places, zones
from sandbox import Sandbox
from tests.e2e.harness import START, World, populate, running_mentor, started_sandbox


@pytest.fixture(scope="session", autouse=True)
def zone_index() -> None:
    """Build the timezone place index once, before any test's interaction deadline runs.

    The bot starts building it in the background when it loads; under a loaded CPU the
    build can outlast the sandbox's few-second wait for the first reply.
    """
    places.warm_up()
    zones.resolve_zone("UTC")


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with started_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return populate(sandbox)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def mentor(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> AsyncIterator[MentorBot]:
    async with running_mentor(sandbox, db, clock) as bot:
        yield bot

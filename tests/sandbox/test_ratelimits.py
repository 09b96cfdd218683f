"""Rate limits: discord.py honours the sandbox's buckets and retries its 429s."""

from __future__ import annotations

import asyncio

from sandbox import Sandbox
from sandbox.harness import running, started_sandbox
from tests.sandbox.barebot import BareBot
from tests.sandbox.conftest import World, populate


async def test_forced_429_is_retried(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    general = world.guild.general
    sandbox.force_429("POST", f"/channels/{general.id}/messages", retry_after=0.05)
    reply = await sandbox.run_command(
        "announce", user=world.alice, guild=world.guild, options={"channel": general}, text="hello"
    )
    assert reply.content == "posted"
    assert [m.content for m in sandbox.channel_messages(general)] == ["hello"]
    assert (sandbox.stats.forced_rate_limited, sandbox.stats.rate_limited) == (1, 1)


async def test_route_buckets_are_respected_without_429s() -> None:
    async with started_sandbox(route_limit=2, route_window=0.1) as sandbox:
        world = populate(sandbox)
        bot = BareBot()
        async with running(sandbox, bot):
            channel = bot.get_partial_messageable(world.guild.general.id)
            for i in range(5):
                await channel.send(f"m{i}")
        assert [m.content for m in sandbox.channel_messages(world.guild.general)] == [
            f"m{i}" for i in range(5)
        ]
        assert sandbox.stats.rate_limited == 0


async def test_global_limit_under_load_still_delivers_everything() -> None:
    async with started_sandbox(global_limit=15, route_limit=50) as sandbox:
        world = populate(sandbox)
        channels = [world.guild.general] + [
            sandbox.add_channel(world.guild, f"room-{i}") for i in range(4)
        ]
        bot = BareBot()
        async with running(sandbox, bot):
            await asyncio.gather(
                *(
                    bot.get_partial_messageable(channels[i % 5].id).send(f"load {i}")
                    for i in range(25)
                )
            )
        delivered = sorted(m.content for c in channels for m in sandbox.channel_messages(c))
        assert delivered == sorted(f"load {i}" for i in range(25))
        assert sandbox.stats.global_rate_limited > 0

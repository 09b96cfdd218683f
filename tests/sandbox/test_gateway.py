"""Gateway behaviour: sharding, resuming, invalid sessions, refused logins."""

from __future__ import annotations

import discord
import pytest
from discord.ext import commands

from sandbox import Sandbox
from sandbox.harness import running, started_sandbox
from tests.sandbox.barebot import BareBot
from tests.sandbox.conftest import World


async def test_two_shards_each_get_their_guilds() -> None:
    async with started_sandbox(shard_count=2) as sandbox:
        guilds = [sandbox.add_guild(f"group {i}") for i in range(4)]
        alice = sandbox.add_user("alice")
        for guild in guilds:
            sandbox.add_member(guild, alice)
        bot = BareBot()
        async with running(sandbox, bot):
            assert bot.shard_count == 2
            assert {g.id: g.shard_id for g in bot.guilds} == {
                g.id: i % 2 for i, g in enumerate(guilds)
            }
            for guild in guilds:
                shard = sandbox.gateway.shards[guild.id >> 22 & 1]
                before = shard.seq
                reply = await sandbox.run_command("echo", user=alice, guild=guild, text=guild.name)
                assert reply.content.startswith(guild.name)
                assert shard.seq > before
            dm_shard = sandbox.gateway.shards[0]
            before = dm_shard.seq
            await sandbox.run_command("echo", user=alice, text="dm")
            assert dm_shard.seq > before
        assert sandbox.stats.identifies == 2


async def test_dropped_connection_resumes(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    resumed: list[int] = []

    async def on_shard_resumed(shard_id: int) -> None:
        resumed.append(shard_id)

    bot.add_listener(on_shard_resumed)
    await sandbox.disconnect_shard(0)
    reply = await sandbox.run_command("echo", user=world.alice, guild=world.guild, text="back")
    assert reply.content.startswith("back")
    assert (sandbox.stats.identifies, sandbox.stats.resumes) == (1, 1)
    assert resumed == [0]


async def test_events_missed_while_disconnected_are_replayed(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    await sandbox.disconnect_shard(0, wait=False)
    reply = await sandbox.run_command("echo", user=world.alice, guild=world.guild, text="meanwhile")
    assert reply.content.startswith("meanwhile")
    assert sandbox.stats.resumes == 1


async def test_invalid_session_makes_the_client_identify_again(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    await sandbox.disconnect_shard(0, resumable=False)
    assert sandbox.stats.invalid_sessions == 1
    assert sandbox.stats.identifies == 2
    reply = await sandbox.run_command("echo", user=world.alice, guild=world.guild, text="fresh")
    assert reply.content.startswith("fresh")


async def test_bad_token_is_refused(sandbox: Sandbox) -> None:
    bot = BareBot()
    with pytest.raises(discord.LoginFailure):
        await bot.start("not-the-token")
    await bot.close()


async def test_privileged_intents_are_refused(sandbox: Sandbox, world: World) -> None:
    intents = discord.Intents.default()
    intents.members = True
    bot = commands.AutoShardedBot(command_prefix="!", intents=intents)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await bot.start(sandbox.token)
    await bot.close()

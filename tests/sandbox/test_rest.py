"""REST endpoints through discord.py's own calls, and the raw gateway protocol."""

from __future__ import annotations

import json
import time
import zlib

import aiohttp
import discord
import pytest
from discord import app_commands

from sandbox import Sandbox
from sandbox.snowflake import snowflake_time_ms
from tests.sandbox.barebot import BareBot
from tests.sandbox.conftest import World


async def test_application_command_endpoints(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    fetched = await bot.tree.fetch_commands()
    assert sorted(c.name for c in fetched) == sorted(
        c["name"] for c in sandbox.commands.in_scope(None)
    )
    echo = next(c for c in fetched if c.name == "echo")
    assert (await bot.tree.fetch_command(echo.id)).description == "Echo typed options back"

    guild = discord.Object(world.guild.id)
    bot.tree.add_command(
        app_commands.Command(name="local", description="Guild only", callback=_noop), guild=guild
    )
    (local,) = await bot.tree.sync(guild=guild)
    assert sandbox.commands.find("local", world.guild.id) is not None
    assert sandbox.commands.find("local", None) is None
    assert sandbox.stats.command_syncs == 2

    http = bot.http
    created = await http.upsert_global_command(
        bot.application_id, {"name": "extra", "description": "More"}
    )
    edited = await http.edit_global_command(
        bot.application_id, created["id"], {"description": "Changed"}
    )
    assert edited["id"] == created["id"] and edited["version"] != created["version"]
    await http.delete_global_command(bot.application_id, created["id"])
    with pytest.raises(discord.NotFound) as missing:
        await http.get_global_command(bot.application_id, created["id"])
    assert missing.value.code == 10063
    with pytest.raises(discord.HTTPException) as invalid:
        await http.upsert_global_command(
            bot.application_id, {"name": "Bad Name", "description": "x"}
        )
    assert (invalid.value.status, invalid.value.code) == (400, 50035)
    assert local.guild_id == world.guild.id


async def _noop(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("ok")


async def test_channel_message_endpoints(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    channel = await bot.fetch_channel(world.guild.general.id)
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    async with channel.typing():
        first = await channel.send("first", embed=discord.Embed(title="T", description="D"))
    reply = await first.reply("second", mention_author=False)
    await first.add_reaction("👍")
    await first.edit(content="first, edited")
    fetched = await channel.fetch_message(first.id)
    assert fetched.content == "first, edited" and fetched.embeds[0].title == "T"
    history = [m.content async for m in channel.history(limit=10)]
    assert history == ["second", "first, edited"]
    stored = sandbox.message(reply.id)
    assert stored.reference is not None and stored.reference["message_id"] == str(first.id)
    assert sandbox.message(first.id).reactions == {"👍": 1}
    await reply.delete()
    assert [m.content for m in sandbox.channel_messages(world.guild.general)] == ["first, edited"]


async def test_member_lookups(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    queried = await guild.query_members("al")
    assert [m.name for m in queried] == ["alice"]
    by_id = await guild.query_members(user_ids=[world.bob.id])
    assert [m.name for m in by_id] == ["bob"]
    fetched = await guild.fetch_member(world.mod.id)
    assert [r.name for r in fetched.roles[1:]] == ["Moderator"]
    assert fetched.guild_permissions.manage_guild
    assert (await bot.fetch_user(world.alice.id)).name == "alice"


async def test_wrong_channel_types_and_limits(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    forum = sandbox.add_channel(world.guild, "help", "forum")
    with pytest.raises(discord.HTTPException) as error:
        await bot.get_partial_messageable(forum.id).send("hi")
    assert error.value.code == 50008
    with pytest.raises(discord.HTTPException) as error:
        await bot.get_partial_messageable(world.guild.general.id).send("x" * 2001)
    assert error.value.code == 50035
    with pytest.raises(discord.HTTPException) as error:
        await bot.get_partial_messageable(world.guild.general.id).send(
            embed=discord.Embed().add_field(name="n", value="v" * 1025)
        )
    assert error.value.code == 50035


async def test_raw_gateway_speaks_zlib_stream_and_resumes(sandbox: Sandbox, world: World) -> None:
    url = f"{sandbox.gateway_url}?v=10&encoding=json&compress=zlib-stream"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            inflate = zlib.decompressobj()

            async def receive() -> dict:
                frame = await ws.receive_bytes()
                assert frame.endswith(b"\x00\x00\xff\xff")
                return json.loads(inflate.decompress(frame))

            assert (await receive())["op"] == 10
            await ws.send_json({"op": 1, "d": None})
            assert (await receive())["op"] == 11
            identify = {
                "token": sandbox.token,
                "intents": 1 | 1 << 9,
                "shard": [0, 1],
                "properties": {},
            }
            await ws.send_json({"op": 2, "d": identify})
            ready = await receive()
            assert (ready["t"], ready["s"]) == ("READY", 1)
            assert ready["d"]["resume_gateway_url"] == sandbox.gateway_url
            guild_create = await receive()
            assert guild_create["t"] == "GUILD_CREATE" and guild_create["d"]["id"] == str(
                world.guild.id
            )
            session_id = ready["d"]["session_id"]
            await ws.close(code=4000)  # an abnormal close keeps the session resumable
        async with session.ws_connect(url) as ws:
            inflate = zlib.decompressobj()
            assert (await receive())["op"] == 10
            await ws.send_json(
                {"op": 6, "d": {"token": sandbox.token, "session_id": session_id, "seq": 1}}
            )
            replayed = await receive()
            assert (replayed["t"], replayed["s"]) == ("GUILD_CREATE", 2)
            assert (await receive())["t"] == "RESUMED"
        async with session.ws_connect(url) as ws:
            inflate = zlib.decompressobj()
            assert (await receive())["op"] == 10
            await ws.send_json({"op": 2, "d": {**identify, "token": "wrong"}})
            await ws.receive()
            assert ws.close_code == 4004


def test_snowflakes_are_recent_and_increasing() -> None:
    sandbox = Sandbox(shard_count=3)
    ids = [sandbox.state.ids.next() for _ in range(100)]
    assert ids == sorted(set(ids))
    assert abs(snowflake_time_ms(ids[0]) - time.time() * 1000) < 60_000
    guilds = [sandbox.add_guild(f"g{i}") for i in range(6)]
    assert [(g.id >> 22) % 3 for g in guilds] == [0, 1, 2, 0, 1, 2]

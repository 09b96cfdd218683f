"""Member role routes: Manage Roles, the role hierarchy, managed roles, and role updates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import discord
import pytest

from sandbox import Sandbox
from sandbox import permissions as perms
from tests.sandbox.barebot import BareBot
from tests.sandbox.conftest import World


async def _settled(condition: Callable[[], bool]) -> None:
    """Until the bot's cache shows ``condition`` (it has no event of its own to await)."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_role_routes_follow_permission_and_hierarchy(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    guild, http = world.guild, bot.http
    reward = sandbox.add_role(guild, "Streak 7")  # new roles go on top: above the bot's
    bot_role = sandbox.bot_role(guild)

    with pytest.raises(discord.Forbidden) as no_permission:
        await http.add_role(guild.id, world.alice.id, reward.id)
    assert no_permission.value.code == 50013

    sandbox.set_role_permissions(bot_role, bot_role.permissions | perms.MANAGE_ROLES)
    with pytest.raises(discord.Forbidden):  # Manage Roles, but the role is above the bot's
        await http.add_role(guild.id, world.alice.id, reward.id)

    sandbox.move_role(guild, bot_role, len(guild.roles))  # drag the bot's role to the top
    assert bot_role.position > reward.position
    await http.add_role(guild.id, world.alice.id, reward.id)
    await http.add_role(guild.id, world.alice.id, reward.id)  # idempotent, as on Discord
    assert [r.name for r in sandbox.member_roles(guild, world.alice)] == ["Streak 7"]

    await http.remove_role(guild.id, world.alice.id, reward.id)
    await http.remove_role(guild.id, world.alice.id, reward.id)
    assert sandbox.member_roles(guild, world.alice) == []

    for refused in (bot_role.id, guild.id):  # managed roles and @everyone are never assignable
        with pytest.raises(discord.Forbidden):
            await http.add_role(guild.id, world.alice.id, refused)
    with pytest.raises(discord.NotFound) as unknown_role:
        await http.add_role(guild.id, world.alice.id, 12345)
    assert unknown_role.value.code == 10011
    stranger = sandbox.add_user("stranger")
    with pytest.raises(discord.NotFound) as unknown_member:
        await http.add_role(guild.id, stranger.id, reward.id)
    assert unknown_member.value.code == 10007


async def test_role_updates_reach_the_bot_cache(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    guild = world.guild
    reward = sandbox.add_role(guild, "Regular")
    bot_role = sandbox.bot_role(guild)
    cached = bot.get_guild(guild.id)
    assert cached is not None
    await _settled(lambda: cached.get_role(reward.id) is not None)
    assert cached.me.top_role < cached.get_role(reward.id)

    sandbox.move_role(guild, bot_role, len(guild.roles))
    sandbox.set_role_permissions(bot_role, bot_role.permissions | perms.MANAGE_ROLES)
    await _settled(lambda: cached.me.guild_permissions.manage_roles)
    assert cached.me.top_role > cached.get_role(reward.id)

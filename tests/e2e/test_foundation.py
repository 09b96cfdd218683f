"""The foundation end to end: login, command sync, /help, errors, restarts."""

from __future__ import annotations

import pytest
from discord import app_commands
from discord.utils import _shorten  # how discord.py turns a docstring into a description
from sqlalchemy import text

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from sandbox import Sandbox
from tests.e2e.harness import World, running_mentor, started_sandbox


async def test_help_lists_commands_from_the_live_tree(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    reply = await sandbox.run_command("help", user=world.alice, guild=world.guild)
    assert reply.ephemeral
    text = reply.embeds[0]["description"]
    for usage in ("/skill name:", "/quiz practice", "/streak", "/help"):
        assert usage in text
    assert "For moderators" not in str(reply.embeds[0].get("fields", []))

    as_mod = await sandbox.run_command("help", user=world.mod, guild=world.guild)
    fields = as_mod.embeds[0]["fields"]
    assert fields[0]["name"] == "For moderators"
    assert "/mod quiz-schedule" in fields[0]["value"]


async def test_no_command_text_comes_from_a_docstring(mentor: MentorBot) -> None:
    # discord.py shows a callback's docstring (or "…") when a command has no description=,
    # and "…" for an option without one: docstrings are for readers of the code only.
    for command in mentor.tree.walk_commands():
        assert command.description != "…", command.qualified_name
        if isinstance(command, app_commands.Command):
            doc = command.callback.__doc__
            assert doc is None or command.description != _shorten(doc), command.qualified_name
            for param in command.parameters:
                assert param.description != "…", f"{command.qualified_name} {param.name}"


async def test_restart_does_not_resync_an_unchanged_tree(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> None:
    async with running_mentor(sandbox, db, clock) as first:
        assert first.synced_commands
    syncs = sandbox.stats.command_syncs
    async with running_mentor(sandbox, db, clock) as second:
        assert not second.synced_commands
        reply = await sandbox.run_command("help", user=world.alice, guild=world.guild)
        assert reply.embeds
    assert sandbox.stats.command_syncs == syncs


async def test_a_429_on_posting_is_retried(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=world.guild,
        options={"channel": world.guild.general, "time": "08:00", "timezone": "UTC"},
    )
    limited = sandbox.stats.rate_limited
    assert world.guild.general is not None
    sandbox.force_429("POST", f"/channels/{world.guild.general.id}/messages", retry_after=0.05)
    await sandbox.run_command("mod quiz-now", user=world.mod, guild=world.guild)
    posts = [m for m in sandbox.channel_messages(world.guild.general) if m.embeds]
    assert len(posts) == 1
    assert sandbox.stats.rate_limited == limited + 1


async def test_an_unexpected_failure_gets_a_private_apology_and_a_log(
    sandbox: Sandbox,
    world: World,
    mentor: MentorBot,
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with db.engine.begin() as conn:  # a real fault: the table is gone
        await conn.execute(text("DROP TABLE learned_skills"))
    reply = await sandbox.run_command("progress", user=world.alice, guild=world.guild)
    assert reply.ephemeral
    assert reply.content.startswith("Something went wrong on our side")
    assert any(
        "Unhandled error in progress" in r.getMessage() and r.exc_info for r in caplog.records
    )


async def test_user_text_cannot_ping(sandbox: Sandbox, world: World, mentor: MentorBot) -> None:
    reply = await sandbox.run_command(
        "skill", user=world.alice, guild=world.guild, name="@everyone <@&1>"
    )
    assert reply.ephemeral
    assert not reply.mention_everyone and reply.mentions == [] and reply.mention_role_ids == []


async def test_two_shards_serve_their_own_guilds(db: Database, clock: FrozenClock) -> None:
    async with started_sandbox(
        shard_count=2, timeout=20.0
    ) as sandbox:  # discord.py waits 5 s per extra shard
        guilds = [sandbox.add_guild("Shard zero", shard=0), sandbox.add_guild("Shard one", shard=1)]
        member = sandbox.add_user("member")
        for guild in guilds:
            sandbox.add_member(guild, member)
        async with running_mentor(sandbox, db, clock) as bot:
            assert bot.shard_count == 2
            for guild in guilds:
                reply = await sandbox.run_command("help", user=member, guild=guild)
                assert reply.embeds[0]["title"] == "Backend Mentor — commands"
            assert {bot.get_guild(g.id).shard_id for g in guilds} == {0, 1}  # type: ignore[union-attr]

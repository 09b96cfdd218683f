"""The foundation end to end: login, command sync, /help, errors, restarts."""

from __future__ import annotations

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.sandbox import Sandbox
from tests.e2e.harness import World, running_mentor


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

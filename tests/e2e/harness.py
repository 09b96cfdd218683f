"""The e2e tests' world: a study server with two members and a moderator, and helpers on it.

Wiring the real bot to the sandbox is ``sandbox.harness`` (shared with the benchmarks).
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox import Guild, Message, Sandbox, User
from sandbox.harness import START, running_mentor, started_sandbox

__all__ = [
    "START",
    "World",
    "new_season",
    "populate",
    "running_mentor",
    "set_timezone",
    "started_sandbox",
]


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


async def new_season(sandbox: Sandbox, world: World, name: str | None = None) -> Message:
    """``/mod season-new`` then its confirmation button; the confirmed reply."""
    options = {"name": name} if name is not None else {}
    asked = await sandbox.run_command(
        "mod season-new", user=world.mod, guild=world.guild, options=options
    )
    return await sandbox.click(asked, "Start the new season", user=world.mod)

"""The /help embed, built from whatever commands the live tree holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.ui.style import BRAND_COLOUR

SlashCommand = app_commands.Command[Any, ..., Any]
AnyCommand = SlashCommand | app_commands.Group | app_commands.ContextMenu


@dataclass(frozen=True)
class HelpEntry:
    """One invocable command as /help lists it."""

    usage: str
    description: str
    moderator: bool


def _usage(command: SlashCommand) -> str:
    """``/name option: [optional]``, with options as Discord shows them (renames applied)."""
    parts = [f"/{command.qualified_name}"]
    for param in command.parameters:
        name = param.display_name
        parts.append(f"{name}:" if param.required else f"[{name}]")
    return " ".join(parts)


def _is_moderator(command: AnyCommand) -> bool:
    root = (
        command.root_parent or command
        if not isinstance(command, app_commands.ContextMenu)
        else command
    )
    perms = root.default_permissions
    return bool(perms and perms.manage_guild)


def walk_commands(commands: Iterable[AnyCommand], *, include_moderator: bool) -> list[HelpEntry]:
    """Flatten groups into their invocable subcommands, sorted by name."""
    entries: list[HelpEntry] = []
    stack = list(commands)
    while stack:
        command = stack.pop()
        if isinstance(command, app_commands.Group):
            stack.extend(command.commands)
        elif isinstance(command, app_commands.Command):
            moderator = _is_moderator(command)
            if include_moderator or not moderator:
                entries.append(HelpEntry(_usage(command), command.description, moderator))
    return sorted(entries, key=lambda e: e.usage)


def help_embed(entries: list[HelpEntry]) -> discord.Embed:
    """Member commands in the description; moderator commands in a field of their own."""
    members = [e for e in entries if not e.moderator]
    moderators = [e for e in entries if e.moderator]
    embed = discord.Embed(
        title="Backend Mentor — commands",
        description="\n".join(f"`{e.usage}` — {e.description}" for e in members)[:4096],
        colour=BRAND_COLOUR,
    )
    if moderators:
        text = "\n".join(f"`{e.usage}` — {e.description}" for e in moderators)
        for index, chunk in enumerate(_chunks(text, 1024)):
            embed.add_field(
                name="For moderators" if index == 0 else "\u200b", value=chunk, inline=False
            )
    embed.set_footer(
        text="[option] is optional. Replies marked 'Only you can see this' are private."
    )
    return embed


def _chunks(text: str, size: int) -> list[str]:
    """Split on line breaks into pieces of at most ``size`` characters."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        if current and len(current) + 1 + len(line) > size:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks

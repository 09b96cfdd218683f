"""Permission checks the bot makes itself, whatever Discord's command settings say."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands


def require_manage_server(interaction: discord.Interaction) -> None:
    """Raise MissingPermissions unless the member may manage this server.

    Moderator commands are hidden from members by default, but a server can change
    that in its Integrations settings; the bot re-checks on every call.
    """
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])


def missing_channel_permissions(
    channel: discord.abc.GuildChannel, me: discord.Member | None
) -> list[str]:
    """What the bot lacks to post a question with buttons in ``channel``."""
    if me is None:
        return []
    permissions = channel.permissions_for(me)
    needed = {
        "view_channel": "View Channel",
        "send_messages": "Send Messages",
        "embed_links": "Embed Links",
        "read_message_history": "Read Message History",
    }
    return [label for attr, label in needed.items() if not getattr(permissions, attr)]


def guild_id(interaction: discord.Interaction[Any]) -> int:
    """The id of the server the interaction came from.

    Raises NoPrivateMessage, which the error handler turns into a short private sentence,
    when it came from a DM: Discord lets a sub-command of a group that works in DMs
    through even when the sub-command itself is marked server-only.
    """
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def guild(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The server the interaction came from; NoPrivateMessage (see :func:`guild_id`) if none."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild

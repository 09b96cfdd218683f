"""Permission checks the bot makes itself, whatever Discord's command settings say."""

from __future__ import annotations

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

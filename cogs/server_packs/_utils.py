"""What the pack and review commands share."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app import MentorBot
from bot.services.errors import UserError
from bot.ui import checks


def moderator_guild(interaction: discord.Interaction[MentorBot]) -> int:
    """The server of a moderator's interaction; re-checks Manage Server on every call."""
    try:
        checks.require_manage_server(interaction)
    except app_commands.NoPrivateMessage:
        raise UserError("This command only works inside a server.") from None
    except app_commands.MissingPermissions:
        raise UserError("You need the Manage Server permission to use this command.") from None
    return checks.guild_id(interaction)

"""Checks and reply texts shared by the ``/mod`` commands."""

from __future__ import annotations

import discord

from bot.app import MentorBot
from bot.services.errors import UserError
from bot.services.zones import ZoneMatch
from bot.ui import checks


def usable_channel(
    interaction: discord.Interaction[MentorBot], channel: discord.abc.GuildChannel
) -> None:
    """Refuse a channel the bot cannot post a question with buttons in."""
    if not isinstance(channel, discord.TextChannel):
        raise UserError(
            "Pick a text channel: questions cannot be posted in voice channels, forums or categories."
        )
    guild = interaction.guild
    missing = checks.missing_channel_permissions(channel, guild.me if guild else None)
    if missing:
        raise UserError(
            f"I cannot post in {channel.mention}: I am missing {', '.join(missing)} there."
        )


def understood(timezone: ZoneMatch | None) -> str:
    """What a typed timezone was understood as, for the reply (empty for an IANA name)."""
    if timezone is None or timezone.zone is None or timezone.summary() == timezone.zone:
        return ""
    note = f" {timezone.note}" if timezone.note else ""
    return f" (Understood: {timezone.summary()}.{note})"

"""Autocomplete callbacks shared by several cogs."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.services.timeparse import suggest_timezones


async def timezone_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """IANA timezones matching what was typed: "berlin" → Europe/Berlin."""
    return [app_commands.Choice(name=name, value=name) for name in suggest_timezones(current)]

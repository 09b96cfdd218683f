"""Autocomplete callbacks shared by several cogs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.render.style import clip
from bot.services.timeparse import suggest_timezones

if TYPE_CHECKING:
    from bot.app import MentorBot


async def timezone_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """IANA timezones matching what was typed: "berlin" → Europe/Berlin."""
    return [app_commands.Choice(name=name, value=name) for name in suggest_timezones(current)]


async def skill_choices(
    interaction: discord.Interaction[MentorBot], current: str
) -> list[app_commands.Choice[str]]:
    """Skills matching what was typed, shown with their category."""
    content = interaction.client.services.content
    return [
        app_commands.Choice(name=clip(f"{s.name} · {s.category.label}", 100), value=s.slug)
        for s in content.index.complete(current)
    ]

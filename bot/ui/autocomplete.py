"""Autocomplete callbacks shared by several cogs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.ui.style import clip

if TYPE_CHECKING:
    from bot.app import MentorBot


async def skill_choices(
    interaction: discord.Interaction[MentorBot], current: str
) -> list[app_commands.Choice[str]]:
    """Skills matching what was typed, shown with their category."""
    content = interaction.client.services.content
    return [
        app_commands.Choice(name=clip(f"{s.name} · {s.category.label}", 100), value=s.slug)
        for s in content.index.complete(current)
    ]


async def track_choices(
    interaction: discord.Interaction[MentorBot], current: str
) -> list[app_commands.Choice[str]]:
    """Career tracks whose name or slug contains what was typed."""
    return [
        app_commands.Choice(name=clip(track.name, 100), value=track.slug)
        for track in interaction.client.services.career.matching(current)
    ][:25]

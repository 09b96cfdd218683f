"""Option choices shared by several commands."""

from __future__ import annotations

from discord import app_commands

from bot.content.schema import Level

BOARD_CHOICES = [
    app_commands.Choice(name=name, value=value)
    for value, name in (("points", "Points"), ("streak", "Streak"), ("study", "Study time"))
]
PERIOD_CHOICES = [
    app_commands.Choice(name=name, value=value)
    for value, name in (
        ("week", "This week"),
        ("month", "This month"),
        ("season", "Season"),
        ("all", "All time"),
    )
]
DIFFICULTY_CHOICES = [
    app_commands.Choice(name=level.value.capitalize(), value=level.value) for level in Level
]

"""Options that arrive as what they mean: a time of day, a timezone.

A failing transform raises UserError, which the error handler shows as its sentence,
privately, before the command runs (so nothing is written).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.services.timeparse import parse_time_of_day
from bot.services.zones import ZoneMatch, resolve_zone, suggest_zones

if TYPE_CHECKING:
    from bot.app import MentorBot

TIME_MAX_LENGTH = 20
ZONE_MAX_LENGTH = 100


class TimeOfDayTransformer(app_commands.Transformer["MentorBot"]):
    """``20:00``, ``7pm``, ``7:30 PM``, ``noon``, ``21h30`` → ``datetime.time``."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        """The option is sent as a string."""
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        """The shortest time a member can type."""
        return 1

    @property
    def max_value(self) -> int:
        """The longest time text taken (longer input is cut)."""
        return TIME_MAX_LENGTH

    async def transform(self, interaction: discord.Interaction[MentorBot], value: Any, /) -> time:
        """The time of day typed, or a UserError saying what is accepted."""
        return parse_time_of_day(str(value)[:TIME_MAX_LENGTH])


def _now(interaction: discord.Interaction[MentorBot]) -> datetime:
    return interaction.client.services.clock.now()


class TimezoneTransformer(app_commands.Transformer["MentorBot"]):
    """A city, country, abbreviation, offset or IANA name → a :class:`ZoneMatch`.

    Autocomplete names what would be saved: "New York, US → America/New_York (UTC−05:00)",
    with the IANA zone as the value sent back.
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        """The option is sent as a string."""
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        """The shortest zone text a member can type."""
        return 1

    @property
    def max_value(self) -> int:
        """The longest zone text taken (longer input is cut)."""
        return ZONE_MAX_LENGTH

    async def transform(
        self, interaction: discord.Interaction[MentorBot], value: Any, /
    ) -> ZoneMatch:
        """What the typed timezone was understood as (resolved off the event loop)."""
        return await asyncio.to_thread(resolve_zone, str(value)[:ZONE_MAX_LENGTH])

    async def autocomplete(
        self, interaction: discord.Interaction[MentorBot], value: int | float | str, /
    ) -> list[app_commands.Choice[int | float | str]]:
        """Up to 25 zones matching what is typed so far, labelled with their offset now."""
        options = await asyncio.to_thread(suggest_zones, str(value), 25, _now(interaction))
        return [app_commands.Choice(name=o.label, value=o.zone) for o in options]


TimeOfDay = app_commands.Transform[time, TimeOfDayTransformer]
Timezone = app_commands.Transform[ZoneMatch, TimezoneTransformer]

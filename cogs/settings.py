"""``/settings``: a member's personal settings."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.edge.autocomplete import timezone_choices


class Settings(commands.Cog):
    """Personal settings."""

    settings = app_commands.Group(name="settings", description="Your personal settings.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @settings.command(
        name="timezone", description="Your timezone, so days and reminders follow your clock."
    )
    @app_commands.describe(timezone="Type a city or region, e.g. berlin or new york")
    @app_commands.autocomplete(timezone=timezone_choices)
    async def timezone(
        self, interaction: discord.Interaction[MentorBot], timezone: app_commands.Range[str, 1, 64]
    ) -> None:
        change = await self.bot.services.profile.set_timezone(
            interaction.user.id, timezone, interaction.guild_id
        )
        reminder = await self.bot.services.reminders.follow_timezone(
            interaction.user.id, change.timezone
        )
        text = (
            f"🕰️ Your timezone is now **{change.timezone}** (it is {change.local_time:%H:%M} there). "
            f"Your streak days follow it from now on; you can change it again after "
            f"{discord.utils.format_dt(change.next_change_allowed, 'D')}."
        )
        if reminder is not None:
            text += f" Your reminder stays at {reminder.at:%H:%M} local time."
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Settings(bot))

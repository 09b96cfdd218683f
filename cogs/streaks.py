"""``/streak``: a member's streak card with an activity heatmap, and their day-by-day history."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.ui.buttons import ID, PersistentButton
from bot.ui.embeds import habits as render
from bot.ui.heatmap import render_heatmap


class HistoryButton(PersistentButton, custom_id="streak:history:{user_id}", user_id=ID):
    """Shows the streak owner's last 30 days, privately, to whoever presses it."""

    user_id: int

    def __init__(self, user_id: int) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="Last 30 days", emoji="📅", style=discord.ButtonStyle.secondary
        )
        super().__init__(button, user_id=user_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Show the member's last 30 days privately to whoever clicked."""
        bot = interaction.client
        records = await bot.services.streaks.history(self.user_id, interaction.guild_id)
        name = await _display_name(interaction, self.user_id)
        await interaction.response.send_message(embed=render.history(records, name), ephemeral=True)


async def _display_name(interaction: discord.Interaction[MentorBot], user_id: int) -> str:
    """The member's name in this server (one REST read: the bot has no member cache)."""
    if user_id == interaction.user.id:
        return interaction.user.display_name
    guild = interaction.guild
    if guild is not None:
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.HTTPException:
                member = None
        if member is not None:
            return member.display_name
    try:
        return (await interaction.client.fetch_user(user_id)).display_name
    except discord.HTTPException:
        return "A former member"


class Streaks(commands.Cog):
    """Streak cards."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the persistent history button, so it works after a restart."""
        self.bot.add_dynamic_items(HistoryButton)

    @app_commands.command(
        name="streak", description="Your study streak (or a member's), with a 26-week heatmap."
    )
    @app_commands.describe(member="Whose streak to show (default: yours)")
    async def streak(
        self, interaction: discord.Interaction[MentorBot], member: discord.User | None = None
    ) -> None:
        """Show a member's streak card with the heatmap image (bots have none)."""
        target = member or interaction.user
        if target.bot:
            await interaction.response.send_message(
                "Bots do not keep study streaks. 🤖", ephemeral=True
            )
            return
        own = target.id == interaction.user.id
        view = await self.bot.services.streaks.view(target.id, interaction.guild_id, mark_seen=own)
        if not own:
            view = type(view)(**{**view.__dict__, "news": ()})
        image = render_heatmap(view.minutes_by_day, view.active_days, view.today)
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(HistoryButton(target.id))
        await interaction.response.send_message(
            embed=render.streak_card(view, target.display_name),
            file=discord.File(io.BytesIO(image), filename=render.HEATMAP_FILENAME),
            view=buttons,
        )


async def setup(bot: MentorBot) -> None:
    """Add the streaks cog to the bot (the extension's entry point)."""
    await bot.add_cog(Streaks(bot))

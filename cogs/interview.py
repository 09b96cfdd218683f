"""``/interview start``: a private mock interview round on a career track."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.services.assessments import INTERVIEW
from bot.ui.autocomplete import track_choices
from cogs.quiz import step_message


class Interview(commands.Cog):
    """Mock interviews: six timed questions from a track's interview topics, then a score."""

    interview = app_commands.Group(name="interview", description="Mock interview rounds.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @interview.command(name="start", description="A private mock interview round (6 questions).")
    @app_commands.describe(track="The career track to be interviewed for (default: your goal)")
    @app_commands.autocomplete(track=track_choices)
    async def start(
        self,
        interaction: discord.Interaction[MentorBot],
        track: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """Start a private mock interview round and show its first question."""
        step = await self.bot.services.assessments.start(
            INTERVIEW, user_id=interaction.user.id, guild_id=interaction.guild_id, track=track
        )
        embed, view = step_message(step, self.bot.services.content)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    """Add the interview cog to the bot (the extension's entry point)."""
    await bot.add_cog(Interview(bot))

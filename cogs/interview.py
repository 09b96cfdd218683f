"""``/interview start``: a private mock interview round on a career track."""

from __future__ import annotations

from typing import Any, cast

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
        """Start a private mock interview round and show its first question.

        A round still under way comes back instead, where it was, with a button that
        starts a new one (a second start used to drop the first without a word).
        """
        assessments = self.bot.services.assessments
        user_id, guild_id = interaction.user.id, interaction.guild_id
        if track is None:
            going = await assessments.unfinished(INTERVIEW, user_id=user_id, guild_id=guild_id)
            if going is not None:
                embed, view = step_message(going, self.bot.services.content)
                view.add_item(StartOver())
                await interaction.response.send_message(
                    f"Your round is still going: here is question {going.number} of "
                    f"{going.total}. **Start over** begins a new round instead.",
                    embed=embed,
                    view=view,
                    ephemeral=True,
                )
                return
        step = await assessments.start(INTERVIEW, user_id=user_id, guild_id=guild_id, track=track)
        embed, view = step_message(step, self.bot.services.content)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class StartOver(discord.ui.Button[discord.ui.View]):
    """Leaves the round under way and starts a new one on the goal's track."""

    def __init__(self) -> None:
        super().__init__(label="Start over", emoji="🔁", style=discord.ButtonStyle.secondary)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the new round's first question in place of the old one."""
        services = cast("MentorBot", interaction.client).services
        step = await services.assessments.start(
            INTERVIEW, user_id=interaction.user.id, guild_id=interaction.guild_id, track=None
        )
        embed, view = step_message(step, services.content)
        await interaction.response.edit_message(content=None, embed=embed, view=view)


async def setup(bot: MentorBot) -> None:
    """Add the interview cog to the bot (the extension's entry point)."""
    await bot.add_cog(Interview(bot))

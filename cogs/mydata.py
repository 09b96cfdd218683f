"""``/mydata``: a member's own data, exported as JSON or deleted everywhere."""

from __future__ import annotations

import io
import json

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.ui.style import ERROR_COLOUR, escape
from bot.ui.views import Confirmation

# What /mydata delete removes (the user row and everything that hangs off it), as told before
# and after: the two must not disagree.
EVERYTHING = (
    "your profile and settings (timezone, career goal, reminders), streak, study log and timer, "
    "quiz answers, review cards and mastery, learned skills, challenge completions, "
    "achievements and points, in every server"
)


async def delete_everything(interaction: discord.Interaction[MentorBot]) -> None:
    """Take back the member's reward roles, delete their data, and say what happened."""
    bot = interaction.client
    await interaction.response.defer(ephemeral=True)
    refused = await bot.role_rewards.remove_all(interaction.user.id)
    deleted = await bot.services.mydata.delete(interaction.user.id)
    text = (
        f"🗑️ Done: {EVERYTHING} are deleted, and the roles the bot gave you are taken "
        "back. Leaderboards no longer include you."
        if deleted
        else "There is nothing stored about you (it was already deleted)."
    )
    if refused:
        text += (
            " Discord did not let me take back a reward role in: "
            + ", ".join(escape(name) for name in refused)
            + "; ask a moderator there to remove it."
        )
    await interaction.edit_original_response(content=text, embed=None, view=None)


class MyData(commands.Cog):
    """Export or delete your data."""

    mydata = app_commands.Group(
        name="mydata", description="Your data: take it with you or delete it."
    )

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @mydata.command(
        name="export", description="Everything the bot stores about you, as a JSON file (private)."
    )
    async def export(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Send the member everything stored about them, as a private JSON file."""
        data = await self.bot.services.mydata.export(interaction.user.id)
        payload = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
        await interaction.response.send_message(
            "Here is everything Backend Mentor stores about you.",
            file=discord.File(io.BytesIO(payload), filename="backend-mentor-data.json"),
            ephemeral=True,
        )

    @mydata.command(
        name="delete", description="Delete everything the bot stores about you, in every server."
    )
    async def delete(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Ask the member to confirm the deletion of all their data."""
        embed = discord.Embed(
            title="Delete all your data?",
            description=(
                f"This removes {EVERYTHING}, and takes back the roles the bot gave you. "
                "It cannot be undone. `/mydata export` first if you want a copy."
            ),
            colour=ERROR_COLOUR,
        )
        await interaction.response.send_message(
            embed=embed,
            view=Confirmation(
                interaction.user.id,
                label="Delete all my data",
                on_confirm=delete_everything,
                cancelled="Nothing was deleted.",
            ),
            ephemeral=True,
        )


async def setup(bot: MentorBot) -> None:
    """Add the data cog to the bot (the extension's entry point)."""
    await bot.add_cog(MyData(bot))

"""``/help``: the command list, read from the live command tree."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.render.help import help_embed, walk_commands


class Help(commands.Cog):
    """The /help command."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description="What Backend Mentor can do, command by command."
    )
    async def help(self, interaction: discord.Interaction) -> None:
        guild = (
            discord.Object(self.bot.settings.dev_guild_id)
            if self.bot.settings.dev_guild_id
            else None
        )
        top_level = self.bot.tree.get_commands(guild=guild) or self.bot.tree.get_commands()
        is_moderator = bool(interaction.guild and interaction.permissions.manage_guild)
        entries = walk_commands(top_level, include_moderator=is_moderator)
        await interaction.response.send_message(embed=help_embed(entries), ephemeral=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Help(bot))

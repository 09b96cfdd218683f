"""``/help``: the command list, read from the live command tree."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.ui.embeds.help import help_embed, walk_commands


class Help(commands.Cog):
    """The /help command."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        self._embeds: dict[bool, discord.Embed] = {}

    def embed_for(self, *, moderator: bool) -> discord.Embed:
        """The help embed, built once per audience: the tree does not change while running."""
        if moderator not in self._embeds:
            guild = (
                discord.Object(self.bot.settings.dev_guild_id)
                if self.bot.settings.dev_guild_id
                else None
            )
            top_level = self.bot.tree.get_commands(guild=guild) or self.bot.tree.get_commands()
            self._embeds[moderator] = help_embed(
                walk_commands(top_level, include_moderator=moderator)
            )
        return self._embeds[moderator]

    @app_commands.command(
        name="help", description="What Backend Mentor can do, command by command."
    )
    async def help(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Show the commands this member can use, privately."""
        is_moderator = bool(interaction.guild and interaction.permissions.manage_guild)
        await interaction.response.send_message(
            embed=self.embed_for(moderator=is_moderator), ephemeral=True
        )


async def setup(bot: MentorBot) -> None:
    """Add the help cog to the bot (the extension's entry point)."""
    await bot.add_cog(Help(bot))

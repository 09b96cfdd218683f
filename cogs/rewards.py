"""``/profile``, and the hourly role-reward sweep (podium achievements, grants, lapses)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.ui.embeds import rewards as render
from bot.ui.replies import reply

REWARD_SWEEP_SECONDS = 3600


class Rewards(commands.Cog):
    """Profiles, achievements and role rewards."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Start the periodic role-reward sweep."""
        sweep = self.bot.role_rewards.sweep
        self.bot.scheduler.every("reward-sweep", sweep, seconds=REWARD_SWEEP_SECONDS)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Catch up once the guild cache is filled: grants or removals missed while away."""
        await self.bot.role_rewards.sweep()

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[MentorBot],
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        """After a moderator's command, say once what the bot could not do with reward roles."""
        root = command.root_parent if isinstance(command, app_commands.Command) else None
        if root is None or root.name != "mod" or interaction.guild_id is None:
            return
        notices = await self.bot.services.rewards.take_notices(interaction.guild_id)
        if notices:
            lines = "\n".join(f"<@&{role_id}>: {problem}" for role_id, problem in notices)
            await reply(
                interaction,
                f"⚠️ Some reward roles could not be given or taken back.\n{lines}\n"
                "See `/mod roles list`.",
            )

    @app_commands.command(
        name="profile",
        description="Your profile (or a member's): streak, points, achievements and skills.",
    )
    @app_commands.describe(member="Whose profile to show (default: yours)")
    async def profile(
        self, interaction: discord.Interaction[MentorBot], member: discord.User | None = None
    ) -> None:
        """Show a member's profile card (bots have none)."""
        target = member or interaction.user
        if target.bot:
            await interaction.response.send_message("Bots have no profile here. 🤖", ephemeral=True)
            return
        card = await self.bot.services.cards.card(target.id, interaction.guild_id)
        server = interaction.guild.name if interaction.guild else None
        embed = render.profile_card(card, target.display_name, server)
        embed.set_thumbnail(url=target.display_avatar.url)
        await interaction.response.send_message(embed=embed)


async def setup(bot: MentorBot) -> None:
    """Add the rewards cog to the bot (the extension's entry point)."""
    await bot.add_cog(Rewards(bot))

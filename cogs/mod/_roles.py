"""``/mod roles add|remove|list``: role rewards, mixed into the ``/mod`` group cog.

The commands are methods of :class:`RoleRewardCommands`, which the ``/mod`` cog
(``cogs.mod._cog.Moderation``) inherits, so they share its Manage Server check.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.content.schema import Category
from bot.services.errors import UserError
from bot.services.rewards import describe
from bot.ui import checks
from bot.ui.embeds import rewards as render
from bot.ui.role_rewards import role_problem
from bot.ui.style import SUCCESS_COLOUR, escape

MILESTONE_CHOICES = [
    app_commands.Choice(name="Streak of N days", value="streak"),
    app_commands.Choice(name="N points this season", value="season_points"),
    app_commands.Choice(name="N skills learned in a category", value="category"),
    app_commands.Choice(name="An achievement unlocked", value="achievement"),
]


class RoleRewardCommands(commands.Cog):
    """Role rewards for moderators (a mixin of the ``/mod`` cog)."""

    bot: MentorBot

    roles = app_commands.Group(name="roles", description="Roles the bot gives for milestones.")

    async def target_choices(
        self, interaction: discord.Interaction[MentorBot], current: str
    ) -> list[app_commands.Choice[str]]:
        milestone = getattr(interaction.namespace, "milestone", None)
        needle = current.casefold()
        if milestone == "category":
            return [
                app_commands.Choice(name=c.label, value=c.value)
                for c in Category
                if needle in c.label.casefold()
            ][:25]
        if milestone == "achievement":
            return [
                app_commands.Choice(name=f"{a.emoji} {a.name}"[:100], value=a.id)
                for a in interaction.client.services.content.achievements.values()
                if needle in f"{a.name} {a.id}".casefold()
            ][:25]
        return []

    @roles.command(name="add", description="Give a role to members who reach a milestone.")
    @app_commands.describe(
        role="The role to give",
        milestone="What earns it",
        threshold="How many days, points or skills",
        target="The category or achievement (for those milestones)",
        remove_on_lapse="Take the role back when the milestone no longer holds (e.g. the streak lapses)",
    )
    @app_commands.choices(milestone=MILESTONE_CHOICES)
    @app_commands.autocomplete(target=target_choices)
    async def roles_add(
        self,
        interaction: discord.Interaction[MentorBot],
        role: discord.Role,
        milestone: str,
        threshold: app_commands.Range[int, 1, 1_000_000] | None = None,
        target: app_commands.Range[str, 1, 40] | None = None,
        remove_on_lapse: bool = False,
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        problem = role_problem(guild, role)
        if problem is not None:
            raise UserError(f"I cannot give {role.mention}: {problem}")
        reward = await self.bot.services.rewards.add(
            guild.id,
            role_id=role.id,
            kind=milestone,
            threshold=threshold,
            target=target,
            remove_on_lapse=remove_on_lapse,
            moderator_id=interaction.user.id,
        )
        what = escape(describe(reward, self.bot.services.content))
        lapse = (
            " It is taken back when the milestone no longer holds."
            if remove_on_lapse
            else " Members keep it once given."
        )
        await interaction.response.send_message(
            embed=discord.Embed(
                description=f"✅ Members who reach {what} get {role.mention}.{lapse} "
                "Members who already qualify get it in a moment.",
                colour=SUCCESS_COLOUR,
            ),
            ephemeral=True,
        )
        self.bot.role_rewards.guild_soon(guild.id)

    @roles.command(name="remove", description="Stop giving a role (members keep it).")
    @app_commands.describe(role="The reward role")
    async def roles_remove(
        self, interaction: discord.Interaction[MentorBot], role: discord.Role
    ) -> None:
        guild_id = checks.guild_id(interaction)
        reward = await self.bot.services.rewards.remove(
            guild_id, role.id, moderator_id=interaction.user.id
        )
        if reward is None:
            raise UserError(f"{role.mention} is not a role reward here (see `/mod roles list`).")
        await interaction.response.send_message(
            f"Removed: {role.mention} is no longer given for "
            f"{escape(describe(reward, self.bot.services.content))}. Members who have it keep it.",
            ephemeral=True,
        )

    @roles.command(
        name="list", description="This server's role rewards, and any problem with them."
    )
    async def roles_list(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild = interaction.guild
        assert guild is not None
        rewards = await self.bot.services.rewards.rewards(guild.id)

        def problem_now(role_id: int) -> str | None:
            return role_problem(guild, guild.get_role(role_id))

        await interaction.response.send_message(
            embed=render.rewards_list(rewards, self.bot.services.content, problem_now),
            ephemeral=True,
        )

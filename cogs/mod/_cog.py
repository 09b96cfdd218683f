"""The ``/mod`` cog: moderator commands, each re-checking Manage Server.

The commands live in mixins by topic (``_roles``, ``_schedules``, ``_seasons``); this class
adds the server's timezone, milestone and recap posts and ``/mod settings``, and tells a
moderator once when a scheduled post is paused. The mixins subclass ``commands.Cog``, as the
``self`` of an app command must be (only this class is added to the bot).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.ui import checks
from bot.ui.embeds.mod import recap_settings_text, settings_embed
from bot.ui.replies import reply
from bot.ui.transformers import Timezone
from cogs.mod._roles import RoleRewardCommands
from cogs.mod._schedules import ScheduleCommands
from cogs.mod._seasons import SeasonCommands
from cogs.mod._utils import understood, usable_channel


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Moderation(
    SeasonCommands,
    ScheduleCommands,
    RoleRewardCommands,
    commands.GroupCog,
    group_name="mod",
    group_description="Moderator tools for this server.",
):
    """Schedules, seasons, points and exports for moderators."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[discord.Client], /) -> bool:
        checks.require_manage_server(interaction)
        return True

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[MentorBot],
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        """After a moderator's command, mention a paused daily quiz once."""
        if (
            not isinstance(command, app_commands.Command)
            or command.root_parent is not self.__cog_app_commands_group__
        ):
            return
        if interaction.guild_id is None:
            return
        notice = await self.bot.services.daily.schedules.take_notice(interaction.guild_id)
        if notice:
            await reply(
                interaction,
                f"⚠️ The daily quiz is paused. {notice} Fix it, then run `/mod quiz-schedule` again to resume.",
            )
        notice = await self.bot.services.recaps.schedules.take_notice(interaction.guild_id)
        if notice:
            await reply(
                interaction,
                f"⚠️ Milestone and recap posts are paused. {notice} Fix it, then run `/mod recap-channel` again to resume.",
            )
        notice = await self.bot.services.challenges.schedules.take_notice(interaction.guild_id)
        if notice:
            await reply(
                interaction,
                f"⚠️ Weekly challenges are paused. {notice} Fix it, then run `/mod challenge-schedule` again to resume.",
            )

    @app_commands.command(
        name="timezone",
        description="This server's timezone: weeks and months of leaderboards follow it.",
    )
    @app_commands.describe(
        timezone="City, country, abbreviation or offset, e.g. berlin, Germany, CET, UTC+1"
    )
    async def timezone(
        self, interaction: discord.Interaction[MentorBot], timezone: Timezone
    ) -> None:
        guild_id = checks.guild_id(interaction)
        zone = await self.bot.services.guilds.set_timezone(guild_id, timezone.require())
        await self.bot.services.boards.record(
            guild_id, moderator_id=interaction.user.id, action="timezone", detail=zone
        )
        await interaction.response.send_message(
            f"🕰️ This server's timezone is now **{zone}**: weeks start Monday 00:00 there."
            f"{understood(timezone)}",
            ephemeral=True,
        )

    # -- milestone and recap posts -----------------------------------------------------

    @app_commands.command(
        name="recap-channel",
        description="Post milestones (batched, no pings) and weekly recaps in a channel.",
    )
    @app_commands.describe(
        channel="Where to post",
        milestones="Milestone posts such as a 30-day streak (default: on)",
        weekly="The weekly recap, Monday 09:00 server time, and season recaps (default: on)",
    )
    async def recap_channel(
        self,
        interaction: discord.Interaction[MentorBot],
        channel: discord.TextChannel,
        milestones: bool | None = None,
        weekly: bool | None = None,
    ) -> None:
        guild_id = checks.guild_id(interaction)
        usable_channel(interaction, channel)
        # Turning milestone posts on records the streaks members already have: about a
        # second for a 100k-member server (docs/benchmarks.md), so answer within Discord's 3 s.
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await self.bot.services.recaps.configure(
            guild_id,
            channel.id,
            moderator_id=interaction.user.id,
            milestones=milestones,
            weekly=weekly,
        )
        await self.bot.services.boards.record(
            guild_id,
            moderator_id=interaction.user.id,
            action="recap-channel",
            detail=f"<#{channel.id}>",
        )
        await reply(interaction, recap_settings_text(settings))

    @app_commands.command(name="recap-off", description="Stop milestone and recap posts.")
    async def recap_off(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        removed = await self.bot.services.recaps.schedules.delete(guild_id)
        text = "🔕 Milestone and recap posts are off." if removed else "No recap channel was set."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="settings", description="Every setting of this server in one place.")
    async def settings(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        services = self.bot.services
        quiz = await services.daily.schedules.get(guild_id)
        challenge = await services.challenges.schedules.get(guild_id)
        zone = await services.guilds.timezone(guild_id)
        seasons = await services.boards.seasons(guild_id)
        audit = await services.boards.audit_log(guild_id, limit=5)
        embed = settings_embed(quiz, challenge, zone, seasons[-1] if seasons else None, audit)
        recaps = await services.recaps.schedules.get(guild_id)
        embed.insert_field_at(
            len(embed.fields) - 1,
            name="Milestones and recaps",
            value=recap_settings_text(recaps) if recaps else "Off (`/mod recap-channel`).",
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

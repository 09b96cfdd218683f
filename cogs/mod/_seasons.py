"""``/mod season-new``, ``seasons``, ``points``, ``export`` and ``audit``: the leaderboards' moderation."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.services.errors import UserError
from bot.ui import checks
from bot.ui.choices import BOARD_CHOICES, PERIOD_CHOICES
from bot.ui.embeds import boards as boards_render
from bot.ui.style import escape
from bot.ui.views import Confirmation


class SeasonCommands(commands.Cog):
    """Seasons, point adjustments, the CSV export and the audit log (a mixin of the ``/mod`` cog)."""

    bot: MentorBot

    @app_commands.command(
        name="season-new",
        description="Close the current season (standings stay) and start a new one.",
    )
    @app_commands.describe(name="Name of the new season (default: Season N)")
    async def season_new(
        self,
        interaction: discord.Interaction[MentorBot],
        name: app_commands.Range[str, 1, 80] | None = None,
    ) -> None:
        guild_id = checks.guild_id(interaction)
        current, chosen = await self.bot.services.boards.season_change(guild_id, name)
        closing = current.id if current else None

        async def start_it(pressed: discord.Interaction[MentorBot]) -> None:
            closed, opened = await self.bot.services.boards.new_season(
                guild_id, name=name, moderator_id=pressed.user.id, closing=closing
            )
            text = (
                f"🏁 **{escape(closed.name)}** is closed; its final standings stay on "
                f"`/leaderboard period: season season: {closed.number}`.\n"
                if closed
                else ""
            )
            await pressed.response.edit_message(
                content=f"{text}🚀 **{escape(opened.name)}** has started.", view=None
            )

        view = Confirmation(
            interaction.user.id,
            label="Start the new season",
            on_confirm=start_it,
            cancelled="Nothing changed; the season goes on.",
        )
        if current is None:
            question = f"Start **{escape(chosen)}**?"
        else:
            since = discord.utils.format_dt(current.started_at, "D")
            question = (
                f"Close **{escape(current.name)}** (running since {since}) for everyone and "
                f"start **{escape(chosen)}**? Its final standings stay on "
                f"`/leaderboard period: season season: {current.number}`, and season points "
                "start again from zero. This cannot be undone."
            )
        await interaction.response.send_message(question, view=view, ephemeral=True)

    @app_commands.command(name="seasons", description="Every season of this server.")
    async def seasons(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        rows = await self.bot.services.boards.seasons(guild_id)
        await interaction.response.send_message(embed=boards_render.seasons(rows), ephemeral=True)

    @app_commands.command(
        name="points", description="Give or take points, with a reason kept in the audit log."
    )
    @app_commands.describe(
        member="Who",
        amount="Points to add (negative to remove), up to ±1000",
        reason="Why (kept in the audit log)",
    )
    async def points(
        self,
        interaction: discord.Interaction[MentorBot],
        member: discord.Member,
        amount: app_commands.Range[int, -1000, 1000],
        reason: app_commands.Range[str, 1, 200],
    ) -> None:
        guild_id = checks.guild_id(interaction)
        if member.bot:
            raise UserError("Bots do not collect points.")
        total = await self.bot.services.boards.adjust(
            guild_id,
            moderator_id=interaction.user.id,
            user_id=member.id,
            display_name=member.display_name,
            amount=amount,
            reason=reason,
        )
        self.bot.role_rewards.members_soon([member.id])  # a points reward may now apply
        await interaction.response.send_message(
            f"✅ {amount:+d} points for {member.mention} ({escape(reason)}). All-time total: {total}.",
            ephemeral=True,
        )

    @app_commands.command(name="export", description="The leaderboard as a CSV file.")
    @app_commands.describe(board="What to rank by", period="Which period")
    @app_commands.choices(board=BOARD_CHOICES, period=PERIOD_CHOICES)
    async def export(
        self,
        interaction: discord.Interaction[MentorBot],
        board: str = "points",
        period: str = "all",
    ) -> None:
        guild_id = checks.guild_id(interaction)
        rows = await self.bot.services.boards.export(guild_id, board=board, period=period)
        if not rows:
            raise UserError("That board is empty for this period; there is nothing to export yet.")
        data = boards_render.csv_export(rows, board)
        await interaction.response.send_message(
            f"📄 {len(rows)} members on the {board} board ({period}).",
            file=discord.File(io.BytesIO(data), filename=f"leaderboard-{board}-{period}.csv"),
            ephemeral=True,
        )

    @app_commands.command(name="audit", description="Recent moderator actions in this server.")
    async def audit(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        entries = await self.bot.services.boards.audit_log(guild_id)
        embed = discord.Embed(
            title="Moderator audit log", description=boards_render.audit(entries)[:4096]
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

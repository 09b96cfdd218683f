"""``/study log`` and ``/study undo``: the member's study log."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.edge.autocomplete import skill_choices
from bot.render import habits as render
from bot.services.study import MAX_MINUTES, MIN_MINUTES, NOTE_LIMIT


class Study(commands.Cog):
    """Log study time; it keeps the streak going and earns study points in this server."""

    study = app_commands.Group(name="study", description="Your study log.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    @study.command(
        name="log", description="Log minutes you studied, optionally on a skill, with a note."
    )
    @app_commands.describe(
        minutes=f"How long ({MIN_MINUTES}–{MAX_MINUTES} minutes)",
        skill="What you studied",
        note=f"A short note for yourself (up to {NOTE_LIMIT} characters)",
    )
    @app_commands.autocomplete(skill=skill_choices)
    async def log(
        self,
        interaction: discord.Interaction[MentorBot],
        minutes: app_commands.Range[int, MIN_MINUTES, MAX_MINUTES],
        skill: app_commands.Range[str, 1, 100] | None = None,
        note: app_commands.Range[str, 1, NOTE_LIMIT] | None = None,
    ) -> None:
        entry = await self.bot.services.study.log(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            display_name=interaction.user.display_name,
            minutes=minutes,
            skill=skill,
            note=note,
        )
        await interaction.response.send_message(
            embed=render.study_logged(entry, self.bot.services.content), ephemeral=True
        )

    @study.command(name="undo", description="Remove your last study entry of today.")
    async def undo(self, interaction: discord.Interaction[MentorBot]) -> None:
        entry = await self.bot.services.study.undo_last(
            user_id=interaction.user.id, guild_id=interaction.guild_id
        )
        await interaction.response.send_message(embed=render.study_undone(entry), ephemeral=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Study(bot))

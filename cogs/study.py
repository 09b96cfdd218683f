"""``/study log``, ``/study undo`` and ``/study start`` (the timer, in ``cogs._study_timer``)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.edge.autocomplete import skill_choices
from bot.render import habits as render
from bot.services.study import MAX_MINUTES, MIN_MINUTES, NOTE_LIMIT
from bot.services.study_timer import DEFAULT_BREAK, DEFAULT_FOCUS, MAX_BREAK, MAX_FOCUS, MIN_FOCUS
from cogs import _study_timer as timer

NOTIFY_CHOICES = [
    app_commands.Choice(name="In this channel", value="here"),
    app_commands.Choice(name="By DM", value="dm"),
]


class Study(commands.Cog):
    """Log study time; it keeps the streak going and earns study points in this server."""

    study = app_commands.Group(name="study", description="Your study log.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(timer.TimerButton)
        self.bot.delivery.register(timer.StudyEndFeed(self.bot))

    @study.command(
        name="start", description="Start a focus session (pomodoro) that logs itself at the end."
    )
    @app_commands.describe(
        minutes=f"Focus length ({MIN_FOCUS}–{MAX_FOCUS} minutes, default {DEFAULT_FOCUS})",
        skill="What you will study",
        break_minutes=f"Break after it (0–{MAX_BREAK} minutes, default {DEFAULT_BREAK})",
        notify="Where to tell you it is over",
    )
    @app_commands.rename(break_minutes="break")
    @app_commands.choices(notify=NOTIFY_CHOICES)
    @app_commands.autocomplete(skill=skill_choices)
    async def start(
        self,
        interaction: discord.Interaction[MentorBot],
        minutes: app_commands.Range[int, MIN_FOCUS, MAX_FOCUS] = DEFAULT_FOCUS,
        skill: app_commands.Range[str, 1, 100] | None = None,
        break_minutes: app_commands.Range[int, 0, MAX_BREAK] = DEFAULT_BREAK,
        notify: str = "here",
    ) -> None:
        await timer.start(
            interaction, minutes=minutes, break_minutes=break_minutes, skill=skill, notify=notify
        )

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

"""``/mod quiz-…``, ``/mod question-stats`` and ``/mod challenge-…``: what is posted, where and when."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.content.schema import Category
from bot.delivery.cadence import as_days
from bot.services.challenges import WEEKDAYS
from bot.services.daily_quiz import KIND as DAILY
from bot.services.errors import UserError
from bot.services.timeparse import format_hhmm
from bot.ui import checks
from bot.ui.embeds import quiz as quiz_render
from bot.ui.style import SUCCESS_COLOUR
from bot.ui.transformers import TimeOfDay, Timezone
from bot.ui.views import OwnedView
from cogs.mod._utils import understood, usable_channel

WEEKDAY_CHOICES = [
    app_commands.Choice(name=name, value=index) for index, name in enumerate(WEEKDAYS)
]
DAYS_CHOICES = [
    app_commands.Choice(name="Every day", value="daily"),
    app_commands.Choice(name="Monday to Friday", value="weekdays"),
]


class TopicPicker(OwnedView):
    """A multi-select of categories for the daily quiz."""

    def __init__(
        self, owner_id: int, bot: MentorBot, guild_id: int, current: tuple[Category, ...]
    ) -> None:
        super().__init__(owner_id, timeout=300)
        self.bot = bot
        self.guild_id = guild_id
        self.pick.options = [
            discord.SelectOption(label=c.label, value=c.value, default=c in current)
            for c in Category
        ]
        self.pick.max_values = len(Category)

    @discord.ui.select(
        cls=discord.ui.Select["TopicPicker"],
        placeholder="Categories for the daily question…",
        min_values=1,
    )
    async def pick(
        self, interaction: discord.Interaction[MentorBot], select: discord.ui.Select[TopicPicker]
    ) -> None:
        schedule = await self.bot.services.daily.set_topics(
            self.guild_id, [Category(v) for v in select.values]
        )
        await interaction.response.edit_message(content=_topics_text(schedule.topics), view=None)

    @discord.ui.button(label="All categories", style=discord.ButtonStyle.secondary)
    async def all_topics(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[TopicPicker]
    ) -> None:
        await self.bot.services.daily.set_topics(self.guild_id, [])
        await interaction.response.edit_message(content=_topics_text(()), view=None)


def _topics_text(topics: tuple[Category, ...]) -> str:
    if not topics:
        return "✅ The daily question now draws from every category."
    return "✅ The daily question now draws from: " + ", ".join(t.label for t in topics) + "."


class ScheduleCommands(commands.Cog):
    """The daily quiz's and the weekly challenge's schedules (a mixin of the ``/mod`` cog)."""

    bot: MentorBot

    # -- daily quiz -----------------------------------------------------------------

    @app_commands.command(
        name="quiz-schedule", description="Post a daily question in a channel at a local time."
    )
    @app_commands.describe(
        channel="Where to post",
        time="Local time, e.g. 09:30, 9am or 7:30 pm",
        timezone="City, abbreviation or offset, e.g. berlin, CET, UTC+2 (default: as now, else the server's)",
        days="Every day or weekdays only (default: as now, else every day)",
        close_at="Optional time to close answers and show results (default: when the next question posts)",
    )
    @app_commands.choices(days=DAYS_CHOICES)
    async def quiz_schedule(
        self,
        interaction: discord.Interaction[MentorBot],
        channel: discord.TextChannel,
        time: TimeOfDay,
        timezone: Timezone | None = None,
        days: str | None = None,
        close_at: TimeOfDay | None = None,
    ) -> None:
        guild_id = checks.guild_id(interaction)
        usable_channel(interaction, channel)
        schedule = await self.bot.services.daily.set_schedule(
            guild_id=guild_id,
            channel_id=channel.id,
            time_text=format_hhmm(time),
            timezone_text=timezone.require() if timezone else None,
            days=as_days(days) if days else None,
            close_text=format_hhmm(close_at) if close_at else None,
            moderator_id=interaction.user.id,
        )
        next_run = await self.bot.services.daily.next_post_at(
            schedule, self.bot.services.clock.now()
        )
        when = discord.utils.format_dt(next_run, "F")
        closing = f" Answers close at {schedule.close_time:%H:%M}." if schedule.close_time else ""
        embed = discord.Embed(
            description=(
                f"✅ A daily question will be posted in {channel.mention} at {schedule.post_time:%H:%M} "
                f"({schedule.timezone}), {'Monday to Friday' if schedule.days == 'weekdays' else 'every day'}."
                f"{closing}{understood(timezone)}\nNext: {when}."
            ),
            colour=SUCCESS_COLOUR,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="quiz-stop", description="Stop posting the daily question.")
    async def quiz_stop(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        removed = await self.bot.services.daily.schedules.delete(guild_id)
        text = (
            "🛑 The daily question is stopped."
            if removed
            else "There was no daily question scheduled."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="quiz-now", description="Post today's question now instead of at its time."
    )
    async def quiz_now(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        due = await self.bot.services.daily.due_now(guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await self.bot.delivery.deliver(self.bot.delivery.feed(DAILY), due)
        if posted is not None:
            text = f"✅ Today's question is posted in <#{due.channel_id}>."
        else:
            current = await self.bot.services.daily.schedules.get(guild_id)
            if current and current.paused_reason:
                text = f"⚠️ I could not post: {current.paused_reason}"
            else:
                text = (
                    "Today's question is already posted; the next one comes at the scheduled time."
                )
        await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(
        name="quiz-topics", description="Limit the daily question to some categories."
    )
    async def quiz_topics(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        schedule = await self.bot.services.daily.schedules.get(guild_id)
        if schedule is None:
            raise UserError("Set a schedule first with /mod quiz-schedule.")
        view = TopicPicker(interaction.user.id, self.bot, guild_id, schedule.topics)
        await interaction.response.send_message(
            "Pick the categories the daily question may come from:", view=view, ephemeral=True
        )

    @app_commands.command(
        name="question-stats", description="The hardest questions here, and daily participation."
    )
    async def question_stats(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        daily = self.bot.services.daily
        stats = await daily.question_stats(guild_id)
        participation = await daily.participation(guild_id)
        await interaction.response.send_message(
            embed=quiz_render.question_stats(stats, participation), ephemeral=True
        )

    # -- weekly challenge ---------------------------------------------------------------

    @app_commands.command(
        name="challenge-schedule", description="Post the weekly challenge on a weekday and time."
    )
    @app_commands.describe(
        channel="Where to post",
        weekday="Which day of the week",
        time="Local time, e.g. 18:00 or 6pm",
        timezone="City, country, abbreviation or offset (default: the server's)",
    )
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def challenge_schedule(
        self,
        interaction: discord.Interaction[MentorBot],
        channel: discord.TextChannel,
        weekday: int,
        time: TimeOfDay,
        timezone: Timezone | None = None,
    ) -> None:
        guild_id = checks.guild_id(interaction)
        usable_channel(interaction, channel)
        plan = await self.bot.services.challenges.set_schedule(
            guild_id=guild_id,
            channel_id=channel.id,
            weekday=weekday,
            time_text=format_hhmm(time),
            timezone_text=timezone.require() if timezone else None,
            moderator_id=interaction.user.id,
        )
        next_run = plan.cadence.next_due(self.bot.services.clock.now())
        await interaction.response.send_message(
            f"✅ The weekly challenge will be posted in {channel.mention} every {WEEKDAYS[plan.weekday]} "
            f"at {plan.at:%H:%M} ({plan.timezone}).{understood(timezone)}\n"
            f"Next: {discord.utils.format_dt(next_run, 'F')}.",
            ephemeral=True,
        )

    @app_commands.command(name="challenge-stop", description="Stop posting the weekly challenge.")
    async def challenge_stop(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        removed = await self.bot.services.challenges.schedules.delete(guild_id)
        text = (
            "🛑 Weekly challenges stopped."
            if removed
            else "There was no weekly challenge scheduled."
        )
        await interaction.response.send_message(text, ephemeral=True)

"""``/mod …``: moderator tools. Hidden from members by default (Manage Server) and re-checked here."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.content.schema import Category
from bot.services.challenges import WEEKDAYS
from bot.services.daily_quiz import KIND as DAILY
from bot.services.errors import UserError
from bot.services.timeparse import format_hhmm
from bot.services.zones import ZoneMatch
from bot.ui import checks
from bot.ui.choices import BOARD_CHOICES, PERIOD_CHOICES
from bot.ui.embeds import boards as boards_render
from bot.ui.embeds import quiz as quiz_render
from bot.ui.embeds.mod import recap_settings_text, settings_embed
from bot.ui.replies import reply
from bot.ui.style import SUCCESS_COLOUR, escape
from bot.ui.transformers import TimeOfDay, Timezone
from bot.ui.views import OwnedView
from cogs._roles import RoleRewardCommands

WEEKDAY_CHOICES = [
    app_commands.Choice(name=name, value=index) for index, name in enumerate(WEEKDAYS)
]
DAYS_CHOICES = [
    app_commands.Choice(name="Every day", value="daily"),
    app_commands.Choice(name="Monday to Friday", value="weekdays"),
]


def _usable_channel(
    interaction: discord.Interaction[MentorBot], channel: discord.abc.GuildChannel
) -> None:
    if not isinstance(channel, discord.TextChannel):
        raise UserError(
            "Pick a text channel: questions cannot be posted in voice channels, forums or categories."
        )
    guild = interaction.guild
    missing = checks.missing_channel_permissions(channel, guild.me if guild else None)
    if missing:
        raise UserError(
            f"I cannot post in {channel.mention}: I am missing {', '.join(missing)} there."
        )


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

    @discord.ui.select(placeholder="Categories for the daily question…", min_values=1)
    async def pick(
        self, interaction: discord.Interaction[MentorBot], select: discord.ui.Select
    ) -> None:
        schedule = await self.bot.services.daily.set_topics(
            self.guild_id, [Category(v) for v in select.values]
        )
        await interaction.response.edit_message(content=_topics_text(schedule.topics), view=None)

    @discord.ui.button(label="All categories", style=discord.ButtonStyle.secondary)
    async def all_topics(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button
    ) -> None:
        await self.bot.services.daily.set_topics(self.guild_id, [])
        await interaction.response.edit_message(content=_topics_text(()), view=None)


def _understood(timezone: ZoneMatch | None) -> str:
    """What a typed timezone was understood as, for the reply (empty for an IANA name)."""
    if timezone is None or timezone.zone is None or timezone.summary() == timezone.zone:
        return ""
    note = f" {timezone.note}" if timezone.note else ""
    return f" (Understood: {timezone.summary()}.{note})"


def _topics_text(topics: tuple[Category, ...]) -> str:
    if not topics:
        return "✅ The daily question now draws from every category."
    return "✅ The daily question now draws from: " + ", ".join(t.label for t in topics) + "."


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Moderation(
    RoleRewardCommands,
    commands.GroupCog,
    group_name="mod",
    group_description="Moderator tools for this server.",
):
    """Schedules, seasons, points and exports for moderators."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[MentorBot]) -> bool:
        checks.require_manage_server(interaction)
        return True

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[MentorBot],
        command: app_commands.Command | app_commands.ContextMenu,
    ) -> None:
        """After a moderator's command, mention a paused daily quiz once."""
        if (
            not isinstance(command, app_commands.Command)
            or command.root_parent is not self.__cog_app_commands_group__
        ):
            return
        if interaction.guild_id is None:
            return
        notice = await self.bot.services.daily.pauses.take_notice(interaction.guild_id)
        if notice:
            await reply(
                interaction,
                f"⚠️ The daily quiz is paused. {notice} Fix it, then run `/mod quiz-schedule` again to resume.",
            )
        notice = await self.bot.services.recaps.pauses.take_notice(interaction.guild_id)
        if notice:
            await reply(
                interaction,
                f"⚠️ Milestone and recap posts are paused. {notice} Fix it, then run `/mod recap-channel` again to resume.",
            )
        notice = await self.bot.services.challenges.pauses.take_notice(interaction.guild_id)
        if notice:
            await reply(
                interaction,
                f"⚠️ Weekly challenges are paused. {notice} Fix it, then run `/mod challenge-schedule` again to resume.",
            )

    # -- daily quiz -----------------------------------------------------------------

    @app_commands.command(
        name="quiz-schedule", description="Post a daily question in a channel at a local time."
    )
    @app_commands.describe(
        channel="Where to post",
        time="Local time, e.g. 09:30, 9am or 7:30 pm",
        timezone="City, country, abbreviation or offset, e.g. berlin, CET, UTC+2 (default: the server's)",
        days="Every day or weekdays only",
        close_at="Optional time to close answers and show results (default: when the next question posts)",
    )
    @app_commands.choices(days=DAYS_CHOICES)
    async def quiz_schedule(
        self,
        interaction: discord.Interaction[MentorBot],
        channel: discord.TextChannel,
        time: TimeOfDay,
        timezone: Timezone | None = None,
        days: str = "daily",
        close_at: TimeOfDay | None = None,
    ) -> None:
        guild_id = checks.guild_id(interaction)
        _usable_channel(interaction, channel)
        schedule = await self.bot.services.daily.set_schedule(
            guild_id=guild_id,
            channel_id=channel.id,
            time_text=format_hhmm(time),
            timezone_text=timezone.require() if timezone else None,
            days="weekdays" if days == "weekdays" else "daily",
            close_text=format_hhmm(close_at) if close_at else None,
            moderator_id=interaction.user.id,
        )
        next_run = schedule.cadence.next_due(self.bot.services.clock.now())
        when = discord.utils.format_dt(next_run, "F")
        closing = f" Answers close at {schedule.close_time:%H:%M}." if schedule.close_time else ""
        embed = discord.Embed(
            description=(
                f"✅ A daily question will be posted in {channel.mention} at {schedule.post_time:%H:%M} "
                f"({schedule.timezone}), {'Monday to Friday' if schedule.days == 'weekdays' else 'every day'}."
                f"{closing}{_understood(timezone)}\nNext: {when}."
            ),
            colour=SUCCESS_COLOUR,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="quiz-stop", description="Stop posting the daily question.")
    async def quiz_stop(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        removed = await self.bot.services.daily.stop(guild_id)
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
            current = await self.bot.services.daily.schedule(guild_id)
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
        schedule = await self.bot.services.daily.schedule(guild_id)
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
        _usable_channel(interaction, channel)
        plan = await self.bot.services.challenges.set_schedule(
            guild_id=guild_id,
            channel_id=channel.id,
            weekday=weekday,
            time_text=format_hhmm(time),
            timezone_text=timezone.require() if timezone else None,
            moderator_id=interaction.user.id,
        )
        await interaction.response.send_message(
            f"✅ The weekly challenge will be posted in {channel.mention} every {WEEKDAYS[plan.weekday]} "
            f"at {plan.at:%H:%M} ({plan.timezone}).{_understood(timezone)}",
            ephemeral=True,
        )

    @app_commands.command(name="challenge-stop", description="Stop posting the weekly challenge.")
    async def challenge_stop(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        removed = await self.bot.services.challenges.stop(guild_id)
        text = (
            "🛑 Weekly challenges stopped."
            if removed
            else "There was no weekly challenge scheduled."
        )
        await interaction.response.send_message(text, ephemeral=True)

    # -- seasons, points, exports -----------------------------------------------------------

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
        closed, opened = await self.bot.services.boards.new_season(
            guild_id, name=name, moderator_id=interaction.user.id
        )
        text = (
            f"🏁 **{escape(closed.name)}** is closed; its final standings stay on `/leaderboard period: season season: {closed.number}`."
            if closed
            else ""
        )
        await interaction.response.send_message(
            f"{text}\n🚀 **{escape(opened.name)}** has started.", ephemeral=True
        )

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
            f"{_understood(timezone)}",
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
        _usable_channel(interaction, channel)
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
        removed = await self.bot.services.recaps.off(guild_id)
        text = "🔕 Milestone and recap posts are off." if removed else "No recap channel was set."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="settings", description="Every setting of this server in one place.")
    async def settings(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        services = self.bot.services
        quiz = await services.daily.schedule(guild_id)
        challenge = await services.challenges.schedule(guild_id)
        zone = await services.guilds.timezone(guild_id)
        seasons = await services.boards.seasons(guild_id)
        audit = await services.boards.audit_log(guild_id, limit=5)
        embed = settings_embed(quiz, challenge, zone, seasons[-1] if seasons else None, audit)
        recaps = await services.recaps.settings(guild_id)
        embed.insert_field_at(
            len(embed.fields) - 1,
            name="Milestones and recaps",
            value=recap_settings_text(recaps) if recaps else "Off (`/mod recap-channel`).",
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Moderation(bot))

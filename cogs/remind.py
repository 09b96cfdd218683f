"""``/remind``: a daily study reminder at the member's local time, by DM or in a channel."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.edge.replies import reply
from bot.render import habits as render
from bot.services.reminders import ReminderInfo

log = logging.getLogger(__name__)

WHERE_CHOICES = [
    app_commands.Choice(name="By DM", value="dm"),
    app_commands.Choice(name="In this channel", value="here"),
]


class Remind(commands.Cog):
    """Reminders: persisted, rebuilt at start, sent late after downtime, never twice."""

    remind = app_commands.Group(name="remind", description="A daily reminder to study.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        for info in await self.bot.services.reminders.enabled():
            self.schedule(info)
        self.bot.on_startup(self.catch_up)

    def schedule(self, info: ReminderInfo) -> None:
        self.bot.scheduler.daily(
            f"remind:{info.user_id}",
            self.fire,
            at=info.at,
            tz=info.timezone,
            days="daily",
            args=(info.user_id,),
        )

    async def catch_up(self) -> None:
        """After downtime: send today's reminders whose time passed, once, marked as late."""
        for info in await self.bot.services.reminders.enabled():
            try:
                await self.fire(info.user_id)
            except Exception:
                log.exception("Catch-up reminder failed for user %s", info.user_id)

    async def fire(self, user_id: int) -> None:
        """Send the reminder if due; DM first, then the channel it was set in; else switch off."""
        due = await self.bot.services.reminders.claim_due(user_id)
        if due is None:
            return
        text = render.reminder_message(due)
        if due.info.target == "dm" and await self._dm(user_id, text):
            return
        if due.info.channel_id is not None and await self._in_channel(
            due.info.channel_id, user_id, text
        ):
            return
        await self.bot.services.reminders.switch_off(
            user_id,
            "Your study reminder is switched off: I could not DM you (DMs closed) and had no channel to use. "
            "Open your DMs or use `/remind set where: here`.",
        )
        self.bot.scheduler.remove(f"remind:{user_id}")

    async def _dm(self, user_id: int, text: str) -> bool:
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text)
        except discord.HTTPException as exc:
            log.info("Reminder DM to %s failed (%s); falling back", user_id, exc.status)
            return False
        return True

    async def _in_channel(self, channel_id: int, user_id: int, text: str) -> bool:
        channel = self.bot.get_partial_messageable(channel_id)
        try:
            await channel.send(
                f"<@{user_id}> {text}",
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(user_id)]),
            )
        except discord.HTTPException as exc:
            log.info("Reminder in channel %s failed (%s)", channel_id, exc.status)
            return False
        return True

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: object
    ) -> None:
        """Tell a member, on their next command, that their reminder had to be switched off."""
        notice = await self.bot.services.reminders.take_notice(interaction.user.id)
        if notice:
            await reply(interaction, f"⚠️ {notice}")

    @remind.command(
        name="set", description="Remind me daily at a local time if I have not studied yet."
    )
    @app_commands.describe(
        time="Local time, 24-hour HH:MM (e.g. 20:00)", where="By DM or in this channel"
    )
    @app_commands.choices(where=WHERE_CHOICES)
    async def set(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 1, 10],
        where: str = "dm",
    ) -> None:
        info = await self.bot.services.reminders.set(
            user_id=interaction.user.id,
            time_text=time,
            target=where,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id if interaction.guild_id else None,
        )
        self.schedule(info)
        note = ""
        if info.last_sent_on is not None:
            note = " Today's time has passed, so the first reminder comes tomorrow."
        await interaction.response.send_message(
            render.reminder_settings(info) + note, ephemeral=True
        )

    @remind.command(name="off", description="Stop the daily reminder.")
    async def off(self, interaction: discord.Interaction) -> None:
        removed = await self.bot.services.reminders.off(interaction.user.id)
        self.bot.scheduler.remove(f"remind:{interaction.user.id}")
        text = "🔕 Reminder switched off." if removed else "You had no reminder set."
        await interaction.response.send_message(text, ephemeral=True)

    @remind.command(name="show", description="Show your reminder settings.")
    async def show(self, interaction: discord.Interaction) -> None:
        info = await self.bot.services.reminders.get(interaction.user.id)
        text = (
            render.reminder_settings(info)
            if info
            else "You have no reminder. Set one with `/remind set`."
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Remind(bot))

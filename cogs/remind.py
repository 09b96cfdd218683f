"""``/remind``: a daily study reminder at the member's local time, by DM or in a channel."""

from __future__ import annotations

import logging
from datetime import date, datetime

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import MentorBot
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Feed, Target, Undeliverable
from bot.services.reminders import KIND
from bot.services.timeparse import format_hhmm
from bot.ui.embeds import habits as render
from bot.ui.replies import reply
from bot.ui.transformers import TimeOfDay

log = logging.getLogger(__name__)

WHERE_CHOICES = [
    app_commands.Choice(name="By DM", value="dm"),
    app_commands.Choice(name="In this channel", value="here"),
]


SWITCHED_OFF = (
    "Your study reminder is switched off: I could not DM you (DMs closed) and had no channel "
    "I could use. Open your DMs or use `/remind set where: here`, then set it again."
)


class ReminderFeed(Feed):
    """Daily reminders as a delivery feed: DM first, then the channel (or the other way)."""

    kind = KIND

    async def due(self, now_utc: datetime) -> list[Due]:
        """Members whose reminder time has come today."""
        return await self.bot.services.reminders.due(now_utc)

    async def draft(self, claim: Claim) -> Draft | None:
        """The reminder, by DM then channel (or the other way); None if off or studied today."""
        due = await self.bot.services.reminders.prepare(
            claim.subject_id, date.fromisoformat(claim.period)
        )
        if due is None:
            return None
        dm = Target(user_id=claim.subject_id)
        channel = (
            [Target(channel_id=due.info.channel_id, mention_user_id=claim.subject_id)]
            if due.info.channel_id is not None
            else []
        )
        targets = [dm, *channel] if due.info.target == "dm" else [*channel, dm]
        return Draft(targets=targets, content=render.reminder_message(due))

    async def confirm(self, session: AsyncSession, claim: Claim, message_id: int) -> None:
        """Record today's reminder as sent (same transaction)."""
        await self.bot.services.reminders.delivered(
            session, claim.subject_id, date.fromisoformat(claim.period)
        )

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        """No DM and no channel: fail it and switch the reminder off, with a notice."""
        await self.bot.delivery.outbox.fail(claim, "DMs closed and no channel I could post in")
        await self.bot.services.reminders.switch_off(claim.subject_id, SWITCHED_OFF)


class Remind(commands.Cog):
    """Reminders: persisted, rebuilt at start, sent late after downtime, never twice."""

    remind = app_commands.Group(name="remind", description="A daily reminder to study.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the reminder feed."""
        self.bot.delivery.register(ReminderFeed(self.bot))

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction[MentorBot], command: object
    ) -> None:
        """Tell a member, on their next command, that their reminder had to be switched off."""
        notice = await self.bot.services.reminders.take_notice(interaction.user.id)
        if notice:
            await reply(interaction, f"⚠️ {notice}")

    @remind.command(
        name="set", description="Remind me daily at a local time if I have not studied yet."
    )
    @app_commands.describe(
        time="Local time, e.g. 20:00, 7pm, 7:30 pm or noon", where="By DM or in this channel"
    )
    @app_commands.choices(where=WHERE_CHOICES)
    async def set(
        self,
        interaction: discord.Interaction[MentorBot],
        time: TimeOfDay,
        where: str = "dm",
    ) -> None:
        """Save the member's reminder time and where it goes."""
        info = await self.bot.services.reminders.set(
            user_id=interaction.user.id,
            time_text=format_hhmm(time),
            target=where,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id if interaction.guild_id else None,
        )
        note = ""
        if info.last_sent_on is not None:
            note = " Today's time has passed, so the first reminder comes tomorrow."
        await interaction.response.send_message(
            render.reminder_settings(info) + note, ephemeral=True
        )

    @remind.command(name="off", description="Stop the daily reminder.")
    async def off(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Remove the member's reminder."""
        removed = await self.bot.services.reminders.off(interaction.user.id)
        text = "🔕 Reminder switched off." if removed else "You had no reminder set."
        await interaction.response.send_message(text, ephemeral=True)

    @remind.command(name="show", description="Show your reminder settings.")
    async def show(self, interaction: discord.Interaction[MentorBot]) -> None:
        """The member's reminder settings and how the last one went."""
        info = await self.bot.services.reminders.get(interaction.user.id)
        last = await self.bot.delivery.outbox.last(KIND, interaction.user.id)
        text = (
            render.reminder_settings(info, last)
            if info
            else "You have no reminder. Set one with `/remind set`."
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    """Add the reminders cog to the bot (the extension's entry point)."""
    await bot.add_cog(Remind(bot))

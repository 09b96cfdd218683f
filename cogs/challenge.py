"""Weekly challenges: ``/challenge``, the weekly post, and the "I did it" button."""

from __future__ import annotations

import logging
from datetime import date, datetime

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import MentorBot
from bot.delivery.guild_posts import GuildPostFeed
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Target
from bot.services.challenges import KIND
from bot.ui.buttons import PersistentButton, matching
from bot.ui.embeds import habits as render
from bot.ui.replies import in_time, reply

log = logging.getLogger(__name__)


def done_view(challenge_id: str) -> discord.ui.View:
    """The buttons under a challenge: "I did it"."""
    view = discord.ui.View(timeout=None)
    view.add_item(DoneButton(challenge_id))
    return view


class DoneButton(
    PersistentButton,
    custom_id="chal:done:{challenge_id}",
    challenge_id=matching(r"[a-z0-9-]{1,40}"),
):
    """Marks a challenge done for the member who presses it, once."""

    challenge_id: str

    def __init__(self, challenge_id: str) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="I did it", emoji="🏁", style=discord.ButtonStyle.success
        )
        super().__init__(button, challenge_id=challenge_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Mark the challenge done for the presser (points once) and say so privately."""
        bot = interaction.client
        completing = bot.services.challenges.complete(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            display_name=interaction.user.display_name,
            challenge_id=self.challenge_id,
        )
        done = await in_time(interaction, completing, thinking=True)
        text = (
            f"🏁 Well done! “{done.challenge.title}” is marked complete. +{done.points} points."
            if done.added
            else f"You already marked “{done.challenge.title}” as done."
        )
        await reply(interaction, text)


class ChallengeFeed(GuildPostFeed):
    """The weekly challenge as a delivery feed."""

    kind = KIND
    what = "the weekly challenge"
    resume_command = "/mod challenge-schedule"

    async def due(self, now_utc: datetime) -> list[Due]:
        """Guilds whose weekly challenge post is due."""
        return await self.bot.services.challenges.due(now_utc)

    async def draft(self, claim: Claim) -> Draft:
        """The week's challenge card with its "I did it" button."""
        plan = await self.bot.services.challenges.prepare_post(
            claim.subject_id, date.fromisoformat(claim.period)
        )
        return Draft(
            targets=[Target(channel_id=plan.channel_id)],
            embed=render.challenge_card(plan.challenge, self.bot.services.content, week=plan.week),
            view=done_view(plan.challenge.id),
            marker=f"chal:done:{plan.challenge.id}",
        )

    async def confirm(self, session: AsyncSession, claim: Claim, message_id: int) -> None:
        """Record the posted message as the guild's challenge post of the week."""
        await self.bot.services.challenges.confirm_post(
            session, claim.subject_id, date.fromisoformat(claim.period), message_id
        )


class Challenges(commands.Cog):
    """The week's hands-on challenge."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the "I did it" button and the weekly challenge feed."""
        self.bot.add_dynamic_items(DoneButton)
        self.bot.delivery.register(ChallengeFeed(self.bot, self.bot.services.challenges))

    @app_commands.command(name="challenge", description="This week's hands-on challenge.")
    async def challenge(self, interaction: discord.Interaction[MentorBot]) -> None:
        """This week's challenge card, privately, with its "I did it" button."""
        current = await self.bot.services.challenges.current(interaction.guild_id)
        await interaction.response.send_message(
            embed=render.challenge_card(current, self.bot.services.content),
            view=done_view(current.id),
            ephemeral=True,
        )


async def setup(bot: MentorBot) -> None:
    """Add the challenges cog to the bot (the extension's entry point)."""
    await bot.add_cog(Challenges(bot))

"""Weekly challenges: ``/challenge``, the weekly post, and the "I did it" button."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.edge.errors import reports_errors
from bot.render import habits as render
from bot.services.challenges import ChallengeSchedulePlan

log = logging.getLogger(__name__)
RETRY_SECONDS = 60


def done_view(challenge_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(DoneButton(challenge_id))
    return view


class DoneButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"chal:done:(?P<id>[a-z0-9-]{1,40})"
):
    """Marks a challenge done for the member who presses it, once."""

    def __init__(self, challenge_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="I did it",
                emoji="🏁",
                style=discord.ButtonStyle.success,
                custom_id=f"chal:done:{challenge_id}",
            )
        )
        self.challenge_id = challenge_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
    ) -> DoneButton:
        return cls(match["id"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        bot: MentorBot = interaction.client  # type: ignore[assignment]
        done = await bot.services.challenges.complete(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            display_name=interaction.user.display_name,
            challenge_id=self.challenge_id,
        )
        text = (
            f"🏁 Well done! “{done.challenge.title}” is marked complete. +{done.points} points."
            if done.added
            else f"You already marked “{done.challenge.title}” as done."
        )
        await interaction.response.send_message(text, ephemeral=True)


class Challenges(commands.Cog):
    """The week's hands-on challenge."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DoneButton)
        for plan in await self.bot.services.challenges.schedules():
            self.schedule(plan)
        self.bot.on_startup(self.catch_up)

    def schedule(self, plan: ChallengeSchedulePlan) -> None:
        self.bot.scheduler.weekly(
            f"challenge:{plan.guild_id}",
            self.post_due,
            weekday=plan.weekday,
            at=plan.at,
            tz=plan.timezone,
            args=(plan.guild_id,),
        )

    def unschedule(self, guild_id: int) -> None:
        self.bot.scheduler.remove(f"challenge:{guild_id}")

    async def catch_up(self) -> None:
        for plan in await self.bot.services.challenges.schedules():
            try:
                await self.post_due(plan.guild_id)
            except Exception:
                log.exception("Catch-up challenge post failed for guild %s", plan.guild_id)

    async def post_due(self, guild_id: int) -> bool:
        """Post this week's challenge if due and not yet posted."""
        service = self.bot.services.challenges
        async with self._locks[guild_id]:
            plan = await service.claim_post(guild_id)
            if plan is None:
                return False
            channel = self.bot.get_partial_messageable(plan.channel_id, guild_id=guild_id)
            try:
                message = await channel.send(
                    embed=render.challenge_card(
                        plan.challenge, self.bot.services.content, week=plan.week
                    ),
                    view=done_view(plan.challenge.id),
                )
            except (discord.Forbidden, discord.NotFound) as exc:
                log.warning("Pausing weekly challenges of guild %s (%s)", guild_id, exc.status)
                await service.release_post(plan.post_id)
                await service.pause(guild_id, f"I could not post in <#{plan.channel_id}>.")
                self.unschedule(guild_id)
                return False
            except discord.HTTPException as exc:
                log.warning(
                    "Challenge post for guild %s failed (%s); retrying", guild_id, exc.status
                )
                await service.release_post(plan.post_id)
                self.bot.scheduler.later(
                    f"challenge-retry:{guild_id}",
                    self.post_due,
                    seconds=RETRY_SECONDS,
                    args=(guild_id,),
                )
                return False
            await service.confirm_post(plan.post_id, message.id)
            return True

    @app_commands.command(name="challenge", description="This week's hands-on challenge.")
    async def challenge(self, interaction: discord.Interaction) -> None:
        current = await self.bot.services.challenges.current(interaction.guild_id)
        await interaction.response.send_message(
            embed=render.challenge_card(current, self.bot.services.content),
            view=done_view(current.id),
            ephemeral=True,
        )


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Challenges(bot))

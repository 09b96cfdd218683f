"""Milestone and recap posts as delivery feeds (settings: ``/mod recap-channel``)."""

from __future__ import annotations

from datetime import date, datetime

import discord
from discord.ext import commands

from bot.app import MentorBot
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Feed, Target, Undeliverable
from bot.services.recaps import MILESTONES, SEASONAL, WEEKLY
from bot.ui.embeds import recaps as render


class RecapFeed(Feed):
    """A post in the guild's recap channel; on 403/404 the recap posts pause."""

    what = "a recap"

    async def release(self, claim: Claim) -> None:
        """Undo what drafting the post reserved (nothing, except for milestone batches)."""

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        """Channel gone or closed: pause recap posts and tell the moderators."""
        recaps = self.bot.services.recaps
        why = (
            "the channel no longer exists."
            if isinstance(error.error, discord.NotFound)
            else "I lack permission there."
        )
        reason = f"I could not post {self.what} in <#{claim.channel_id}>: {why}"
        await self.release(claim)
        await self.bot.delivery.outbox.release(claim)
        await recaps.schedules.pause(claim.subject_id, reason, self.bot.services.clock.now())
        settings = await recaps.schedules.get(claim.subject_id)
        text = f"⏸️ **{reason}** Milestone and recap posts are paused; run `/mod recap-channel` to resume."
        if await self.bot.delivery.tell_moderators(
            claim.subject_id, settings.updated_by if settings else None, text
        ):
            await recaps.schedules.told(claim.subject_id)

    async def gave_up(self, claim: Claim, reason: str) -> None:
        """The window passed: undo what drafting reserved."""
        await self.release(claim)


class MilestoneFeed(RecapFeed):
    """Milestones, batched: one post per guild per window, naming several members."""

    kind = MILESTONES
    what = "the milestone post"

    async def sweep(self, now_utc: datetime) -> None:
        """Notice streak milestones reached since the last sweep, in guilds this process owns."""
        await self.bot.services.recaps.sweep_milestones(now_utc, self.bot.delivery.owns)

    async def due(self, now_utc: datetime) -> list[Due]:
        """One post per guild whose milestone batch window has ended."""
        return await self.bot.services.recaps.milestones_due(now_utc)

    async def draft(self, claim: Claim) -> Draft | None:
        """The batch as one post; members who asked for pings are mentioned."""
        batch = await self.bot.services.recaps.take_batch(claim.subject_id, claim.period)
        if not batch.lines:
            return None
        pinged = render.pinged(batch)
        mentions = (
            discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(u) for u in pinged]
            )
            if pinged
            else discord.AllowedMentions.none()
        )
        return Draft(
            targets=[Target(channel_id=claim.channel_id)],
            content=render.milestone_post(batch),
            allowed_mentions=mentions,
        )

    async def release(self, claim: Claim) -> None:
        """Put the batch's milestones back, to go in a later post."""
        await self.bot.services.recaps.release_batch(claim.subject_id, claim.period)


class WeeklyRecapFeed(RecapFeed):
    """Last week's recap, Monday 09:00 in the guild's timezone."""

    kind = WEEKLY
    what = "the weekly recap"

    async def due(self, now_utc: datetime) -> list[Due]:
        """Guilds whose weekly recap is due."""
        return await self.bot.services.recaps.weekly_due(now_utc)

    async def draft(self, claim: Claim) -> Draft:
        """Last week's recap embed."""
        recap = await self.bot.services.recaps.weekly(
            claim.subject_id, date.fromisoformat(claim.period)
        )
        return Draft(targets=[Target(channel_id=claim.channel_id)], embed=render.recap_embed(recap))


class SeasonRecapFeed(RecapFeed):
    """A closed season's final standings, the morning after it closed."""

    kind = SEASONAL
    what = "the season recap"

    async def due(self, now_utc: datetime) -> list[Due]:
        """Closed seasons whose recap is due (09:00 local, the morning after)."""
        return await self.bot.services.recaps.season_due(now_utc)

    async def draft(self, claim: Claim) -> Draft | None:
        """The season's final standings; None if the season is gone."""
        recap = await self.bot.services.recaps.season(claim.subject_id, int(claim.period[1:]))
        if recap is None:
            return None
        return Draft(targets=[Target(channel_id=claim.channel_id)], embed=render.recap_embed(recap))


class Recaps(commands.Cog):
    """Registers the milestone and recap feeds; the settings live under ``/mod``."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the milestone, weekly and season recap feeds."""
        for feed in (MilestoneFeed, WeeklyRecapFeed, SeasonRecapFeed):
            self.bot.delivery.register(feed(self.bot))


async def setup(bot: MentorBot) -> None:
    """Add the recaps cog to the bot (the extension's entry point)."""
    await bot.add_cog(Recaps(bot))

"""What every per-guild channel post does when Discord refuses it or keeps failing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.delivery.outbox import Claim
from bot.delivery.pipeline import Feed, Undeliverable
from bot.services.schedule_table import ScheduleTable

if TYPE_CHECKING:
    from bot.app import MentorBot


class _Schedule(Protocol):
    # Read-only, so that a frozen dataclass matches.
    @property
    def updated_by(self) -> int | None: ...


class GuildPostService(Protocol):
    """The service behind a per-guild scheduled post (the daily quiz, the weekly challenge)."""

    @property
    def schedules(self) -> ScheduleTable[Any, _Schedule]:
        """The guild schedules of this post."""

    async def release_post(self, guild_id: int, period: date) -> None:
        """Forget the post of ``period`` so that it can be made again."""


class GuildPostFeed(Feed):
    """A feed posting in a guild channel: on 403/404 it pauses and tells the moderators."""

    what = ""  # "the daily question"
    resume_command = ""  # "/mod quiz-schedule"

    def __init__(self, bot: MentorBot, service: GuildPostService) -> None:
        super().__init__(bot)
        self._service = service

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        """Pause the schedule whose channel is gone or closed to the bot; tell the moderators."""
        service = self._service
        why = (
            "the channel no longer exists."
            if isinstance(error.error, discord.NotFound)
            else "I lack permission there."
        )
        reason = f"I could not post {self.what} in <#{claim.channel_id}>: {why}"
        await service.release_post(claim.subject_id, date.fromisoformat(claim.period))
        await self.bot.delivery.outbox.release(claim)
        await service.schedules.pause(claim.subject_id, reason, self.bot.services.clock.now())
        schedule = await service.schedules.get(claim.subject_id)
        text = f"⏸️ **{reason}** It is paused; run `{self.resume_command}` to resume."
        if await self.bot.delivery.tell_moderators(
            claim.subject_id, schedule.updated_by if schedule else None, text
        ):
            await service.schedules.told(claim.subject_id)

    async def gave_up(self, claim: Claim, reason: str) -> None:
        """Tell the moderators that a post missed its window because sending kept failing."""
        schedule = await self._service.schedules.get(claim.subject_id)
        await self.bot.delivery.tell_moderators(
            claim.subject_id,
            schedule.updated_by if schedule else None,
            f"⚠️ {self.what.capitalize()} for {claim.period} could not be posted in "
            f"<#{claim.channel_id}>: Discord or the database kept failing until its time was up "
            f"({reason}).",
        )

"""Telling a submission's author the outcome, through a delivery feed.

A DM, else a mention in the channel they submitted from.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import MentorBot
from bot.delivery.cadence import Occurrence
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Feed, Target, Undeliverable
from bot.services.errors import UserError
from bot.services.packs import Submission
from bot.ui.embeds import packs as render

KIND = "submission"
NOTICE_WINDOW = timedelta(days=7)


def _due(submission: Submission) -> Due:
    assert submission.decided_at is not None
    at = submission.decided_at
    return Due(
        KIND,
        submission.id,
        submission.guild_id,
        submission.channel_id,
        Occurrence(at.date(), at, at + NOTICE_WINDOW),
    )


class SubmissionOutcomeFeed(Feed):
    """One notice per decided submission, to its author: DM first, else the channel."""

    kind = KIND

    async def due(self, now_utc: datetime) -> list[Due]:
        decided = await self.bot.services.packs.decided_since(now_utc - NOTICE_WINDOW)
        return [_due(s) for s in decided]

    async def draft(self, claim: Claim) -> Draft | None:
        assert claim.guild_id is not None
        try:
            submission = await self.bot.services.packs.submission(claim.guild_id, claim.subject_id)
        except UserError:
            return None  # the author deleted their data meanwhile
        guild = self.bot.get_guild(submission.guild_id)
        targets = [Target(user_id=submission.user_id)]
        if submission.channel_id is not None:
            targets.append(
                Target(channel_id=submission.channel_id, mention_user_id=submission.user_id)
            )
        return Draft(
            targets=targets,
            embed=render.outcome_notice(submission, guild.name if guild else None),
        )

    async def confirm(self, session: AsyncSession, claim: Claim, message_id: int) -> None:
        """The outbox row is the record; nothing else to store."""

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        """DMs closed and the channel refused too: settle it, never retry into a 403."""
        await self.bot.delivery.outbox.fail(claim, "DMs closed and the channel refused")


async def notify_author(bot: MentorBot, submission: Submission) -> None:
    """Tell the author now (the next delivery tick would otherwise do it)."""
    await bot.delivery.deliver(bot.delivery.feed(KIND), _due(submission))

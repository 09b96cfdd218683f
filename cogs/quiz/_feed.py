"""The daily question as a delivery feed: what is due, the post, its record, and its close.

Closing a question edits its message to show the right answer and the numbers
(``show_result``), after the next post or at the schedule's closing time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import MentorBot
from bot.delivery.guild_posts import GuildPostFeed
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Target
from bot.services.daily_quiz import KIND, DailyResult
from bot.ui.embeds import quiz as render
from cogs.quiz._views import closed_view, daily_view

log = logging.getLogger(__name__)


async def show_result(bot: MentorBot, result: DailyResult) -> None:
    """Edit a closed question's message to show the answer and the numbers."""
    if result.message_id is None:
        return
    message = bot.get_partial_messageable(result.channel_id).get_partial_message(result.message_id)
    try:
        await message.edit(
            embed=render.closed_daily(result, bot.services.content, result.local_date),
            view=closed_view(result.post_id, result.shown),
        )
    except discord.HTTPException as exc:
        log.info("Could not edit closed question %s: %s", result.post_id, exc.status)


class DailyQuizFeed(GuildPostFeed):
    """The daily question as a delivery feed: what is due, what to post, what to record."""

    kind = KIND
    what = "the daily question"
    resume_command = "/mod quiz-schedule"

    async def due(self, now_utc: datetime) -> list[Due]:
        return await self.bot.services.daily.due(now_utc)

    async def draft(self, claim: Claim) -> Draft | None:
        daily = self.bot.services.daily
        local_date = date.fromisoformat(claim.period)
        if await daily.superseded(claim.subject_id, local_date):
            return None  # skipped: a later day's question is already out
        plan = await daily.prepare_post(claim.subject_id, local_date)
        previous = await daily.previous_result(claim.subject_id, local_date)
        embed = render.daily_question(plan.shown, self.bot.services.content, local_date, previous)
        return Draft(
            targets=[Target(channel_id=plan.channel_id)],
            embed=embed,
            view=daily_view(plan.post_id, plan.shown),
            marker=f"quiz:d:{plan.post_id}:",
        )

    async def confirm(self, session: AsyncSession, claim: Claim, message_id: int) -> None:
        await self.bot.services.daily.confirm_post(
            session, claim.subject_id, date.fromisoformat(claim.period), message_id
        )

    async def after_sent(self, claim: Claim) -> None:
        daily = self.bot.services.daily
        current = await daily.current_post(claim.subject_id)
        keep = current.post_id if current else None
        for result in await daily.close_open_posts(claim.subject_id, keep=keep):
            await show_result(self.bot, result)

    async def sweep(self, now_utc: datetime) -> None:
        for result in await self.bot.services.daily.close_due(now_utc, self.bot.delivery.owns):
            await show_result(self.bot, result)

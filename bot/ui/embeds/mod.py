"""``/mod settings``: every setting of a server in one embed."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.db.models import ModAudit
from bot.services.challenges import WEEKDAYS, ChallengeSchedulePlan
from bot.services.daily_quiz import Schedule
from bot.services.leaderboards import SeasonInfo
from bot.services.recaps import RecapChannel
from bot.ui.embeds import boards
from bot.ui.style import BRAND_COLOUR, escape


def settings_embed(
    quiz: Schedule | None,
    challenge: ChallengeSchedulePlan | None,
    timezone: str,
    season: SeasonInfo | None,
    audit: Sequence[ModAudit],
) -> discord.Embed:
    """``/mod settings``: the timezone, quiz and challenge schedules, season and audit log."""
    embed = discord.Embed(title="Server settings", colour=BRAND_COLOUR)
    embed.add_field(name="Timezone", value=f"{timezone} (`/mod timezone`)", inline=False)
    if quiz is None:
        quiz_text = "Not scheduled (`/mod quiz-schedule`)."
    else:
        days = "Monday to Friday" if quiz.days == "weekdays" else "every day"
        quiz_text = f"<#{quiz.channel_id}> at {quiz.post_time:%H:%M} ({quiz.timezone}), {days}"
        if quiz.close_time:
            quiz_text += f"; answers close at {quiz.close_time:%H:%M}"
        topics = ", ".join(t.label for t in quiz.topics) if quiz.topics else "all categories"
        quiz_text += f"\nTopics: {topics}"
        if quiz.paused_reason:
            quiz_text += f"\n⚠️ Paused: {quiz.paused_reason}"
    embed.add_field(name="Daily quiz", value=quiz_text, inline=False)
    if challenge is None:
        challenge_text = "Not scheduled (`/mod challenge-schedule`)."
    else:
        challenge_text = f"<#{challenge.channel_id}> every {WEEKDAYS[challenge.weekday]} at {challenge.at:%H:%M} ({challenge.timezone})"
        if challenge.paused_reason:
            challenge_text += f"\n⚠️ Paused: {challenge.paused_reason}"
    embed.add_field(name="Weekly challenge", value=challenge_text, inline=False)
    season_text = (
        f"{escape(season.name)} since {season.started_at:%d %b %Y}"
        if season
        else "Starts with the first points."
    )
    embed.add_field(name="Season", value=season_text, inline=False)
    embed.add_field(name="Recent moderator actions", value=boards.audit(audit)[:1024], inline=False)
    return embed


def recap_settings_text(settings: RecapChannel) -> str:
    """Where milestone and recap posts go, and which are on."""
    on = {True: "on", False: "off"}
    text = (
        f"<#{settings.channel_id}>: milestone posts {on[settings.milestones]} (batched, no pings "
        f"unless a member opted in), weekly recap {on[settings.weekly]} (Monday 09:00 server time)."
    )
    if settings.paused_reason:
        text += f"\n⚠️ Paused: {settings.paused_reason}"
    return text

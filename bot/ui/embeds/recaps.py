"""Milestone posts and recap embeds: plain names, no mentions unless a member opted in."""

from __future__ import annotations

import discord

from bot.services.recaps import MilestoneBatch, MilestoneLine, Recap
from bot.ui.style import BRAND_COLOUR, counted, escape

MEDALS = ("🥇", "🥈", "🥉")
BOARD_TITLES = {"points": "Points", "study": "Study time", "streak": "Streaks"}


def _who(line: MilestoneLine) -> str:
    return f"<@{line.user_id}>" if line.ping else f"**{escape(line.name)}**"


def _milestone(line: MilestoneLine) -> str:
    if line.kind == "streak":
        return f"🔥 {_who(line)} reached a {line.value}-day streak"
    return f"🏅 {_who(line)} reached {escape(line.kind)} {line.value}"


def milestone_post(batch: MilestoneBatch) -> str:
    """One post for a batch: a line per milestone, then how many more."""
    lines = ["🎉 **Milestones**", *(_milestone(line) for line in batch.lines)]
    if batch.more:
        lines.append(f"…and {batch.more} more. Well done, everyone!")
    return "\n".join(lines)


def pinged(batch: MilestoneBatch) -> list[int]:
    """The members this post may mention: only those who opted in."""
    return [line.user_id for line in batch.lines if line.ping]


def _value(board: str, value: int) -> str:
    if board == "study":
        hours, minutes = divmod(value, 60)
        return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"
    if board == "streak":
        return counted(value, "day")
    return f"{value} pts"


def recap_embed(recap: Recap) -> discord.Embed:
    """The weekly or season recap."""
    embed = discord.Embed(title=f"📊 {recap.title}", colour=BRAND_COLOUR)
    for board, _label, rows in recap.boards:
        text = "\n".join(
            f"{MEDALS[i] if i < len(MEDALS) else f'{row.rank}.'} {escape(row.name)} — "
            f"{_value(board, row.value)}"
            for i, row in enumerate(rows)
        )
        embed.add_field(name=BOARD_TITLES[board], value=text or "Nobody yet.", inline=True)
    embed.add_field(
        name="Participation",
        value=f"{counted(recap.participants, 'member')} earned points or studied; "
        f"{counted(recap.daily_answers, 'daily answer')}",
        inline=False,
    )
    if recap.hardest is not None:
        share = recap.hardest.right / recap.hardest.answered
        embed.add_field(
            name="Hardest question",
            value=f"{escape(recap.hardest.prompt)[:300]}\n{share:.0%} of "
            f"{recap.hardest.answered} answers were right.",
            inline=False,
        )
    if recap.new_streak_count:
        names = ", ".join(escape(n) for n in recap.new_streaks)
        more = recap.new_streak_count - len(recap.new_streaks)
        embed.add_field(
            name="New on the streak board",
            value=names + (f" and {more} more" if more > 0 else ""),
            inline=False,
        )
    return embed

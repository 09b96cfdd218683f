"""Embeds for ``/profile`` and ``/mod roles list``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from bot.content.catalogue import Content
from bot.services.member_card import ProfileCard
from bot.services.rewards import Reward, describe
from bot.ui.style import BRAND_COLOUR, WARNING_COLOUR, clip, escape


def profile_card(card: ProfileCard, name: str, server: str | None) -> discord.Embed:
    """One member's streak, points here, achievements and skills as one card."""
    embed = discord.Embed(title=f"{escape(name)}'s profile", colour=BRAND_COLOUR)
    flame = "🔥" if card.streak else "💤"
    embed.add_field(
        name="Streak",
        value=f"{flame} **{card.streak}** {'day' if card.streak == 1 else 'days'}\n"
        f"Best {card.best_streak} · 🧊 {card.freezes} freeze{'s' if card.freezes != 1 else ''}",
    )
    if server is not None:
        embed.add_field(
            name=f"Points in {clip(escape(server), 60)}",
            value=f"⭐ **{card.points_season}** this season\n{card.points_all} all time",
        )
    embed.add_field(
        name="Skills learned", value=f"🎓 **{card.skills_learned}** of {card.skills_total}"
    )
    if card.recent:
        lines = [f"{a.emoji} **{a.name}** · <t:{int(at.timestamp())}:d>" for a, at in card.recent]
        more = card.achievements - len(card.recent)
        if more > 0:
            lines.append(f"…and {more} more")
        recent = "\n".join(lines)
    else:
        recent = "None yet: answer a question or log some study time to earn the first."
    embed.add_field(
        name=f"Achievements ({card.achievements} of {card.achievements_total})",
        value=recent,
        inline=False,
    )
    if not card.known:
        embed.set_footer(text="Nothing recorded yet.")
    return embed


def rewards_list(
    rewards: Sequence[tuple[Reward, int]],
    content: Content,
    problem_now: Callable[[int], str | None],
) -> discord.Embed:
    """The server's role rewards, with what the bot cannot do right now."""
    if not rewards:
        return discord.Embed(
            title="Role rewards",
            description="None yet. Add one with `/mod roles add`, e.g. a role for a 7-day streak.",
            colour=BRAND_COLOUR,
        )
    lines = []
    trouble = False
    for reward, holders in rewards:
        line = f"<@&{reward.role_id}> for {escape(describe(reward, content))}"
        if reward.remove_on_lapse:
            line += " · taken back when it no longer holds"
        line += f" · {holders} member{'s' if holders != 1 else ''}"
        problem = problem_now(reward.role_id) or reward.problem
        if problem:
            trouble = True
            line += f"\n⚠️ {problem}"
        lines.append(line)
    return discord.Embed(
        title="Role rewards",
        description=clip("\n".join(lines), 4000),
        colour=WARNING_COLOUR if trouble else BRAND_COLOUR,
    )

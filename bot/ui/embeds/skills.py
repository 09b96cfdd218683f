"""Embeds for the skill catalogue: cards, catalogue pages, learning paths and progress."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.content.catalogue import SOURCE_COUNT, Content
from bot.content.schema import Category, Skill
from bot.services.learning import CategoryProgress, PathStep
from bot.ui.style import BRAND_COLOUR, SUCCESS_COLOUR, WARNING_COLOUR, clip, escape

LEVEL_BADGE = {
    "beginner": "🟢 Beginner",
    "intermediate": "🟡 Intermediate",
    "advanced": "🔴 Advanced",
}
SKILLS_PER_PAGE = 12


def demand_text(skill: Skill) -> str:
    """How many of the source guides name the skill."""
    n = len(skill.sources)
    if n == 0:
        return "A fundamental the guides take for granted"
    return f"Named in {n} of {SOURCE_COUNT} skills guides"


def _names(content: Content, slugs: Sequence[str]) -> str:
    return ", ".join(content.skills[s].name for s in slugs if s in content.skills) or "—"


def skill_card(skill: Skill, content: Content) -> discord.Embed:
    """The full card of one skill."""
    embed = discord.Embed(
        title=skill.name,
        url=str(skill.resources[0].url),
        description=skill.summary,
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Why it matters", value=skill.why, inline=False)
    embed.add_field(
        name="Key concepts", value="\n".join(f"• {c}" for c in skill.concepts), inline=False
    )
    embed.add_field(name="Level", value=LEVEL_BADGE[skill.level], inline=True)
    embed.add_field(name="Category", value=skill.category.label, inline=True)
    embed.add_field(name="Demand", value=demand_text(skill), inline=True)
    embed.add_field(name="Learn first", value=_names(content, skill.prerequisites), inline=True)
    embed.add_field(name="Related", value=_names(content, skill.related), inline=True)
    embed.add_field(
        name="Resources",
        value="\n".join(
            f"[{r.title}]({r.url})" + (" · official" if r.official else "") for r in skill.resources
        ),
        inline=False,
    )
    footer = f"Also known as: {', '.join(skill.aliases)}" if skill.aliases else "Backend Mentor"
    embed.set_footer(text=clip(footer, 2048))
    return embed


def no_match(query: str, suggestions: Sequence[Skill]) -> discord.Embed:
    """The reply when free text names no skill confidently."""
    shown = escape(clip(query, 60))
    if suggestions:
        names = [f"**{s.name}**" for s in suggestions]
        options = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
        text = f"No skill called “{shown}” — did you mean {options}?"
    else:
        text = f"No skill called “{shown}”. Try `/skills` to browse the catalogue."
    return discord.Embed(description=text, colour=WARNING_COLOUR)


def catalogue_page(
    category: Category, skills: Sequence[Skill], learned: set[str], page: int, pages: int
) -> discord.Embed:
    """One page of ``/skills``: a category's skills with the member's learned ones ticked."""
    start = page * SKILLS_PER_PAGE
    lines = []
    for skill in skills[start : start + SKILLS_PER_PAGE]:
        mark = "✅" if skill.slug in learned else "▫️"
        lines.append(f"{mark} **{skill.name}** · {skill.level} — {clip(skill.summary, 90)}")
    done = sum(1 for s in skills if s.slug in learned)
    embed = discord.Embed(
        title=f"{category.label} — {done}/{len(skills)} learned",
        description="\n".join(lines) or "No skills in this category yet.",
        colour=BRAND_COLOUR,
    )
    embed.set_footer(text=f"Page {page + 1}/{pages} · /skill name:<skill> opens a card")
    return embed


def learning_path(goal: Skill, steps: Sequence[PathStep]) -> discord.Embed:
    """``/path``: the ordered steps towards a goal skill."""
    lines = []
    for number, step in enumerate(steps, start=1):
        if step.learned:
            marker = "✅"
        elif step.is_next:
            marker = "👉"
        else:
            marker = "▫️"
        name = f"**{step.skill.name}**" if step.is_next else step.skill.name
        suffix = " — learn this next" if step.is_next else ""
        lines.append(f"`{number:>2}.` {marker} {name}{suffix}")
    remaining = sum(1 for s in steps if not s.learned)
    embed = discord.Embed(
        title=f"Path to {goal.name}",
        description=clip("\n".join(lines), 4096),
        colour=SUCCESS_COLOUR if remaining == 0 else BRAND_COLOUR,
    )
    footer = (
        "You have learned every step. Time for a /challenge!"
        if remaining == 0
        else f"{remaining} of {len(steps)} steps to go · each step's prerequisites come before it"
    )
    embed.set_footer(text=footer)
    return embed


def _bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    return "▰" * filled + "▱" * (width - filled)


def progress(rows: Sequence[CategoryProgress], member_name: str) -> discord.Embed:
    """``/progress``: learned skills per category as bars."""
    learned = sum(r.learned for r in rows)
    total = sum(r.total for r in rows)
    lines = [
        f"`{_bar(r.learned, r.total)}` {r.category.label} — {r.learned}/{r.total}" for r in rows
    ]
    embed = discord.Embed(
        title=f"{escape(member_name)}'s progress — {learned}/{total} skills",
        description="\n".join(lines),
        colour=BRAND_COLOUR,
    )
    embed.set_footer(text="Mark skills learned from their /skill card.")
    return embed

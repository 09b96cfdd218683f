"""Career tracks, the weekly plan and the readiness chart (embeds and a PNG)."""

from __future__ import annotations

import io

import discord
from PIL import Image, ImageDraw, ImageFont

from bot.content.schema import Track
from bot.services.career import Readiness, WeeklyPlan
from bot.ui.style import BRAND_COLOUR, SUCCESS_COLOUR, clip, counted

CHART_WIDTH = 720
ROW_HEIGHT = 34
CHART_TOP = 44
LABEL_WIDTH = 190
BAR_WIDTH = CHART_WIDTH - LABEL_WIDTH - 70
BACKGROUND = (43, 45, 49)
TEXT = (230, 230, 235)
BAR = (88, 101, 242)
JUNIOR = (250, 166, 26)
MID = (59, 165, 92)
TRACK_BG = (64, 68, 75)


def tracks_embed(tracks: list[Track], goal: str | None) -> discord.Embed:
    """Every career track in one embed; the member's goal is marked."""
    embed = discord.Embed(title="Career tracks", colour=BRAND_COLOUR)
    for track in tracks[:25]:
        mark = " ⭐ your goal" if track.slug == goal else ""
        core = ", ".join(t.skill for t in track.core[:6])
        embed.add_field(
            name=f"{track.name}{mark}",
            value=clip(
                f"{track.summary}\n*Core:* {core}… · `/career goal track: {track.slug}`", 1024
            ),
            inline=False,
        )
    embed.set_footer(text="Pick one with /career goal; /career plan then plans your week.")
    return embed


def plan_embed(plan: WeeklyPlan) -> discord.Embed:
    """This week's plan: skills with their reasons, reviews, a challenge and study time."""
    step = "junior" if plan.level == "junior" else "mid-level"
    embed = discord.Embed(
        title=f"Your week: {plan.track.name}",
        description=f"Aiming at **{step}** expectations for the role.",
        colour=BRAND_COLOUR,
    )
    if plan.steps:
        lines = [
            f"**{i}. {s.skill.name}** — {s.reason}. Practise: `/quiz practice topic: {s.skill.slug}`"
            for i, s in enumerate(plan.steps, 1)
        ]
        embed.add_field(name="Skills to work on", value=clip("\n".join(lines), 1024), inline=False)
    else:
        embed.add_field(
            name="Skills to work on",
            value="Every skill of the track is at its target. Try `/interview start` for a mock round.",
            inline=False,
        )
    if plan.reviews:
        when = f"next due {plan.next_review:%a %d %b}" if plan.next_review else "due now"
        reviews = f"{counted(plan.reviews, 'question')} in review, {when}: `/quiz review`."
    else:
        reviews = "No reviews yet: questions you miss come back here."
    embed.add_field(name="Reviews", value=reviews, inline=False)
    if plan.challenge is not None:
        embed.add_field(
            name="Hands-on",
            value=f"{plan.challenge.title} ({plan.challenge.difficulty.value}): {clip(plan.challenge.goal, 300)}",
            inline=False,
        )
    share = plan.minutes_done / plan.minutes_target if plan.minutes_target else 0
    embed.add_field(
        name="Study time this week",
        value=f"{plan.minutes_done} of {plan.minutes_target} minutes ({min(share, 9.99):.0%}). Log it with `/study log`.",
        inline=False,
    )
    return embed


def readiness_embed(readiness: Readiness) -> discord.Embed:
    """The numbers behind the chart, and the three biggest gaps."""
    step = "junior" if readiness.level == "junior" else "mid-level"
    embed = discord.Embed(
        title=f"Readiness: {readiness.track.name}",
        description=f"Overall **{readiness.overall:.0%}** of what the track weighs most.",
        colour=SUCCESS_COLOUR if readiness.level == "mid" else BRAND_COLOUR,
    )
    rows = [
        f"{c.category.label}: **{c.mastery:.0%}** (junior {c.junior:.0%}, mid {c.mid:.0%})"
        for c in readiness.categories
    ]
    embed.add_field(name="By category", value=clip("\n".join(rows), 1024), inline=False)
    gaps = [f"{g.skill.name}: {g.mastery:.0%} of {g.target:.0%}" for g in readiness.gaps] or [
        f"None: you meet every {step} target."
    ]
    embed.add_field(name=f"Biggest gaps to {step}", value="\n".join(gaps), inline=False)
    embed.set_image(url="attachment://readiness.png")
    return embed


def readiness_chart(readiness: Readiness) -> discord.File:
    """A horizontal bar per category: mastery, with the junior (orange) and mid (green) marks."""
    height = CHART_TOP + ROW_HEIGHT * len(readiness.categories) + 16
    image = Image.new("RGB", (CHART_WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    draw.text((16, 12), f"{readiness.track.name}: mastery by category", fill=TEXT, font=font)
    draw.text((CHART_WIDTH - 200, 12), "▮ junior", fill=JUNIOR, font=font)
    draw.text((CHART_WIDTH - 110, 12), "▮ mid", fill=MID, font=font)
    for row, category in enumerate(readiness.categories):
        top = CHART_TOP + row * ROW_HEIGHT
        draw.text((16, top + 6), clip(category.category.label, 24), fill=TEXT, font=font)
        left = LABEL_WIDTH
        draw.rectangle((left, top + 4, left + BAR_WIDTH, top + 24), fill=TRACK_BG)
        draw.rectangle(
            (left, top + 4, left + round(BAR_WIDTH * category.mastery), top + 24), fill=BAR
        )
        for value, colour in ((category.junior, JUNIOR), (category.mid, MID)):
            x = left + round(BAR_WIDTH * value)
            draw.rectangle((x - 1, top, x + 1, top + 28), fill=colour)
        draw.text((left + BAR_WIDTH + 10, top + 6), f"{category.mastery:.0%}", fill=TEXT, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return discord.File(buffer, filename="readiness.png")

"""Placement tests and mock interviews: the question header and the final score."""

from __future__ import annotations

import discord

from bot.content.catalogue import Content
from bot.services.assessments import INTERVIEW, PLACEMENT, RunResult, Step, timed_out_note
from bot.ui.embeds.quiz import prompt_question
from bot.ui.style import BRAND_COLOUR, SUCCESS_COLOUR


def step_question(step: Step, content: Content) -> discord.Embed:
    """The run's next question, titled with where the run stands."""
    assert step.prompt is not None
    embed = prompt_question(step.prompt, content)
    skill = content.skills[step.prompt.shown.question.skill].name
    if step.prompt.mode == PLACEMENT:
        embed.title = f"Placement {step.number}/{step.total} — {skill}"
    else:
        embed.title = f"Interview {step.number}/{step.total} — {skill}"
        embed.add_field(name="Clock", value=timed_out_note(), inline=False)
    return embed


def run_result(result: RunResult, content: Content) -> discord.Embed:
    """The score, the weak spots and what to study next."""
    total = len(result.answers)
    what = "Placement test" if result.kind == PLACEMENT else "Mock interview"
    embed = discord.Embed(
        title=f"{what} done: {result.right}/{total}",
        description=f"Track: **{result.track.name}**.",
        colour=SUCCESS_COLOUR if result.right * 2 >= total else BRAND_COLOUR,
    )
    if result.weak:
        embed.add_field(
            name="Weak spots",
            value="\n".join(f"• {s.name}: `/quiz practice topic: {s.slug}`" for s in result.weak),
            inline=False,
        )
    else:
        embed.add_field(name="Weak spots", value="None this time. 🎉", inline=False)
    follow_up = (
        "Your skills now start from these answers: see `/career readiness` and `/career plan`."
        if result.kind == PLACEMENT
        else "Another round draws questions you have not had lately: `/interview start`."
    )
    embed.add_field(name="Next", value=follow_up, inline=False)
    if result.kind == INTERVIEW:
        embed.set_footer(text="Rounds are private; they count as study activity for your streak.")
    return embed

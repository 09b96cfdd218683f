"""Embeds for quiz questions, answers and results."""

from __future__ import annotations

from datetime import date

import discord

from bot.content.catalogue import Content
from bot.services.daily_quiz import AnswerOutcome, DailyResult, QuestionStat
from bot.services.points import Award
from bot.services.practice import Prompt, PromptOutcome
from bot.services.quiz_bank import ShownQuestion
from bot.ui.style import BRAND_COLOUR, ERROR_COLOUR, SUCCESS_COLOUR, escape

LETTERS = "ABCD"
DIFFICULTY_BADGE = {
    "beginner": "🟢 beginner",
    "intermediate": "🟡 intermediate",
    "advanced": "🔴 advanced",
}


def _choices_text(shown: ShownQuestion, *, reveal: bool = False) -> str:
    lines = []
    for position, text in enumerate(shown.choices):
        mark = " ✅" if reveal and position == shown.right_position else ""
        lines.append(f"**{LETTERS[position]}.** {text}{mark}")
    return "\n".join(lines)


def _topic_line(shown: ShownQuestion, content: Content) -> str:
    skill = content.skills[shown.question.skill]
    return f"{skill.name} · {skill.category.label} · {DIFFICULTY_BADGE[shown.question.difficulty]}"


def right_answer(shown: ShownQuestion) -> str:
    """``B. The right choice``."""
    return f"{LETTERS[shown.right_position]}. {shown.choices[shown.right_position]}"


def daily_question(
    shown: ShownQuestion, content: Content, day: date, previous: DailyResult | None = None
) -> discord.Embed:
    """The public daily question, with yesterday's answer if there was one."""
    embed = discord.Embed(
        title=f"Daily question — {day:%A %d %B}",
        description=f"{shown.question.prompt}\n\n{_choices_text(shown)}",
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Topic", value=_topic_line(shown, content), inline=False)
    if previous is not None:
        embed.add_field(
            name="Previous question",
            value=f"Answer: {right_answer(previous.shown)}\n{_result_line(previous)}",
            inline=False,
        )
    embed.set_footer(text="Pick a letter below — you'll see privately whether you were right.")
    return embed


def _result_line(result: DailyResult) -> str:
    if result.answered == 0:
        return "Nobody answered."
    line = f"{result.answered} answered · {result.share_right:.0%} right"
    if result.first_correct:
        line += " · first right: " + ", ".join(escape(n) for n in result.first_correct)
    return line


def closed_daily(result: DailyResult, content: Content, day: date) -> discord.Embed:
    """The daily question after answers closed: the answer, the numbers, the explanation."""
    shown = result.shown
    embed = discord.Embed(
        title=f"Daily question — {day:%A %d %B} (closed)",
        description=f"{shown.question.prompt}\n\n{_choices_text(shown, reveal=True)}",
        colour=SUCCESS_COLOUR,
    )
    embed.add_field(name="Answer", value=right_answer(shown), inline=False)
    embed.add_field(name="Results", value=_result_line(result), inline=False)
    embed.add_field(
        name="Why",
        value=f"{shown.question.explanation}\n[Docs]({shown.question.source})",
        inline=False,
    )
    embed.set_footer(text=_topic_line(shown, content))
    return embed


def answer_feedback(
    shown: ShownQuestion,
    chosen: int,
    correct: bool,
    already: bool,
    points: int,
    *,
    late: bool = False,
    capped: bool = False,
) -> discord.Embed:
    """The private reply to an answer click.

    ``late``: after an interview's time limit; ``capped``: right, with today's practice
    points already earned.
    """
    if late and not already:
        title = "⏱️ Too late: counted as wrong"
        verdict = (
            f"{LETTERS[chosen]} was right, but it came after the time limit, so it counts as wrong."
            if chosen == shown.right_position
            else f"You picked {LETTERS[chosen]}, after the time limit; the answer is "
            f"{right_answer(shown)}."
        )
    elif already:
        title = "You already answered this one"
        verdict = f"Your answer: {LETTERS[chosen]} — {'right ✅' if correct else 'not right ❌'}."
    elif correct:
        title = "✅ Right!"
        if points:
            verdict = f"+{points} points."
        elif capped:
            verdict = (
                f"Well done. You already have today's {Award.PRACTICE_DAILY_CAP} practice "
                "points; more can be earned tomorrow."
            )
        else:
            verdict = "Well done."
    else:
        title = "❌ Not quite"
        verdict = f"You picked {LETTERS[chosen]}; the answer is {right_answer(shown)}."
        if points:
            verdict += f" +{points} points for taking part."
    embed = discord.Embed(
        title=title,
        description=f"{verdict}\n\n{shown.question.explanation}",
        colour=SUCCESS_COLOUR if correct else ERROR_COLOUR,
    )
    embed.add_field(name="Read more", value=str(shown.question.source), inline=False)
    return embed


def daily_feedback(outcome: AnswerOutcome) -> discord.Embed:
    """The private reply to a click on the daily question."""
    return answer_feedback(
        outcome.shown,
        outcome.chosen_position,
        outcome.correct,
        outcome.already_answered,
        outcome.points,
    )


def prompt_question(prompt: Prompt, content: Content) -> discord.Embed:
    """A private practice or review question."""
    shown = prompt.shown
    kind = "Review" if prompt.mode == "review" else "Practice"
    embed = discord.Embed(
        title=f"{kind} — {content.skills[shown.question.skill].name}",
        description=f"{shown.question.prompt}\n\n{_choices_text(shown)}",
        colour=BRAND_COLOUR,
    )
    footer = _topic_line(shown, content)
    if prompt.mode == "review" and prompt.due_count:
        footer += f" · {prompt.due_count} due for review"
    embed.set_footer(text=footer)
    return embed


def prompt_answered(outcome: PromptOutcome, content: Content) -> discord.Embed:
    """The private question after its answer: verdict, explanation, where it sits for review."""
    shown = outcome.prompt.shown
    embed = answer_feedback(
        shown,
        outcome.chosen_position,
        outcome.correct,
        outcome.already_answered,
        outcome.points,
        late=outcome.timed_out,
        capped=outcome.capped,
    )
    embed.description = (
        f"{shown.question.prompt}\n\n{_choices_text(shown, reveal=True)}\n\n{embed.description}"
    )
    if outcome.next_due is not None:
        mastery = (
            f" Your {content.skills[shown.question.skill].name} mastery: {outcome.mastery:.0%}."
            if outcome.mastery is not None
            else ""
        )
        embed.add_field(
            name="Review",
            value=f"It comes back for review on {outcome.next_due:%a %d %b}.{mastery}",
            inline=False,
        )
    embed.set_footer(text=_topic_line(shown, content))
    return embed


def question_stats(
    stats: list[QuestionStat], participation: list[tuple[date, int, int]]
) -> discord.Embed:
    """``/mod question-stats``: hardest questions and daily participation."""
    embed = discord.Embed(title="Question statistics", colour=BRAND_COLOUR)
    if stats:
        lines = [
            f"`{s.right / s.answered:>4.0%}` right of {s.answered} — `{s.question.id}`: {s.question.prompt[:70]}…"
            for s in stats
        ]
        embed.add_field(
            name="Lowest share of right answers", value="\n".join(lines)[:1024], inline=False
        )
    else:
        embed.add_field(
            name="Lowest share of right answers", value="Not enough answers yet.", inline=False
        )
    if participation:
        lines = [
            f"{day:%a %d %b}: {count} answered, {right} right"
            for day, count, right in participation
        ]
        embed.add_field(name="Daily participation", value="\n".join(lines)[:1024], inline=False)
    else:
        embed.add_field(
            name="Daily participation", value="No daily questions posted yet.", inline=False
        )
    return embed

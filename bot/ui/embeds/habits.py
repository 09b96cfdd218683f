"""Embeds for streaks, the study log, reminders and challenges."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import discord

from bot.content.catalogue import Content
from bot.content.schema import Challenge
from bot.delivery.outbox import Outcome, State
from bot.services.reminders import DueReminder, ReminderInfo
from bot.services.streaks import DayRecord, StreakView
from bot.services.study import EDITABLE_DAYS, StudyEntry, StudyRecord
from bot.ui.style import BRAND_COLOUR, SUCCESS_COLOUR, WARNING_COLOUR, counted, escape

HEATMAP_FILENAME = "streak.png"
NEWS_TEXT = {
    "freeze_used": "🧊 A streak freeze covered {day}.",
    "freeze_earned": "🧊 You earned a streak freeze on {day} (7 active days).",
    "ended": "💔 Your streak ended on {day}: no activity and no freeze left.",
}
KIND_LABEL = {
    "quiz": "daily question",
    "practice": "practice",
    "review": "review",
    "study": "study",
    "challenge": "challenge",
}


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


def news_lines(news: Sequence[tuple[date, str]]) -> list[str]:
    """Freezes used or earned and ended streaks, as sentences."""
    return [
        NEWS_TEXT[kind].format(day=f"{day:%a %d %b}") for day, kind in news if kind in NEWS_TEXT
    ]


def streak_card(view: StreakView, name: str) -> discord.Embed:
    """``/streak``: the numbers, with the heatmap attached as an image."""
    flame = "🔥" if view.current else "🌱"
    embed = discord.Embed(
        title=f"{flame} {escape(name)} — {view.current}-day streak", colour=BRAND_COLOUR
    )
    embed.add_field(name="Current", value=counted(view.current, "day"), inline=True)
    embed.add_field(name="Best", value=counted(view.best, "day"), inline=True)
    embed.add_field(
        name="Freezes", value=f"{'🧊' * view.freezes or '—'} ({view.freezes}/2)", inline=True
    )
    embed.add_field(name="This week", value=counted(view.days_this_week, "day"), inline=True)
    embed.add_field(name="This month", value=counted(view.days_this_month, "day"), inline=True)
    embed.add_field(name="Study time", value=_duration(view.total_minutes), inline=True)
    lines = news_lines(view.news)
    if view.current and not view.freezes and any(kind == "freeze_used" for _, kind in view.news):
        lines.append("⚠️ No freezes left: a missed day now ends the streak.")
    if view.at_risk:
        lines.append(
            f"⏳ Study today to keep it: {view.hours_left:.0f} h left before midnight ({view.timezone})."
        )
    if lines:
        embed.add_field(name="News", value="\n".join(lines)[:1024], inline=False)
    embed.set_image(url=f"attachment://{HEATMAP_FILENAME}")
    embed.set_footer(
        text=f"Last 26 weeks · days counted in {view.timezone} · “Last 30 days” shows day by day · /study history lists your entries"
    )
    return embed


def history(records: Sequence[DayRecord], name: str) -> discord.Embed:
    """The streak's "Last 30 days": what counted each day and what happened."""
    lines = []
    for record in records:
        if record.actions:
            kinds = ", ".join(KIND_LABEL.get(k, k) for k in record.kinds)
            detail = f"✅ {kinds}" + (f" · {_duration(record.minutes)}" if record.minutes else "")
        elif record.event == "freeze_used":
            detail = "🧊 covered by a freeze"
        elif record.event == "ended":
            detail = "💔 missed — streak ended"
        elif record.event == "bridge":
            detail = "↔️ skipped by a timezone change"
        else:
            detail = "▫️ nothing logged"
        lines.append(f"`{record.day:%a %d %b}` {detail}")
    return discord.Embed(
        title=f"{escape(name)} — last 30 days", description="\n".join(lines), colour=BRAND_COLOUR
    )


def study_label(record: StudyRecord, content: Content) -> str:
    """One entry in a line: day, time, duration and skill."""
    skill = content.skills[record.skill].name if record.skill in content.skills else None
    return f"{record.day:%a %d %b} · {_duration(record.minutes)}" + (f" · {skill}" if skill else "")


def study_history(records: Sequence[StudyRecord], content: Content) -> discord.Embed:
    """``/study history``: the member's recent entries with their notes."""
    if not records:
        return discord.Embed(
            description="📚 Nothing logged in the last 30 days. `/study log` adds an entry.",
            colour=BRAND_COLOUR,
        )
    lines = []
    for record in records:
        line = f"**{escape(study_label(record, content))}**"
        if record.note:
            line += f"\n> {escape(record.note)}"
        lines.append(line)
    embed = discord.Embed(
        title="📚 Your study log — last 30 days",
        description="\n".join(lines)[:4000],
        colour=BRAND_COLOUR,
    )
    embed.set_footer(
        text=f"Entries of the last {EDITABLE_DAYS} days can be edited or deleted: pick one below."
    )
    return embed


def study_entry(record: StudyRecord, content: Content) -> str:
    """One entry, shown before it is edited or deleted."""
    text = f"**{escape(study_label(record, content))}**"
    return text + (f"\n> {escape(record.note)}" if record.note else "\n(no note)")


def study_logged(entry: StudyEntry, content: Content) -> discord.Embed:
    """The reply to ``/study log``: what was logged, today's total and the points."""
    skill = f" of **{content.skills[entry.skill].name}**" if entry.skill else ""
    text = f"📚 Logged {_duration(entry.minutes)}{skill}. Today: {_duration(entry.minutes_today)}."
    if entry.note:
        text += f"\n> {escape(entry.note)}"
    if entry.points:
        text += f"\n+{entry.points} points."
    text += f"\n🔥 Streak: {counted(entry.streak, 'day')}."
    return discord.Embed(description=text, colour=SUCCESS_COLOUR)


def study_undone(entry: StudyEntry) -> discord.Embed:
    """The reply to undoing a study entry: what was removed and what is left today."""
    return discord.Embed(
        description=(
            f"↩️ Removed {_duration(entry.minutes)} from today. Today: {_duration(entry.minutes_today)}; "
            f"streak: {counted(entry.streak, 'day')}."
        ),
        colour=WARNING_COLOUR,
    )


def reminder_settings(info: ReminderInfo, last: Outcome | None = None) -> str:
    """The reminder's settings, and how its last delivery went when that matters."""
    where = "by DM" if info.target == "dm" else f"in <#{info.channel_id}>"
    state = "" if info.enabled else " (switched off)"
    text = f"⏰ Daily reminder at {info.at:%H:%M} ({info.timezone}) {where}{state}, on days you have not studied yet."
    if last is not None and last.state is State.FAILED:
        text += f"\n⚠️ The reminder of {last.period} could not be delivered: {last.last_error}."
    elif last is not None and last.state is State.SENT:
        text += f"\nLast sent on {last.period}."
    return text


def reminder_message(due: DueReminder) -> str:
    """The reminder itself: streak, time left, and a note when it comes late."""
    if due.streak:
        lead = f"🔥 Your {due.streak}-day streak needs today's study: {due.hours_left:.0f} h left before it breaks."
        if due.freezes:
            lead += f" (You hold {due.freezes} freeze{'s' if due.freezes > 1 else ''}.)"
    else:
        lead = f"📚 Time to study! {due.hours_left:.0f} h left today to start a new streak."
    text = f"{lead}\nLog it with `/study log`, or try `/quiz practice`."
    if due.late_by is not None:
        text += f"\n_(This reminder should have reached you at {due.info.at:%H:%M}; the bot was offline.)_"
    return text


def challenge_card(
    challenge: Challenge, content: Content, *, week: date | None = None
) -> discord.Embed:
    """A weekly challenge: goal, checklist, skills, stretch goals."""
    title = f"🛠️ Weekly challenge: {challenge.title}"
    embed = discord.Embed(title=title, description=challenge.goal, colour=BRAND_COLOUR)
    embed.add_field(
        name="Done when",
        value="\n".join(f"☐ {item}" for item in challenge.checklist)[:1024],
        inline=False,
    )
    embed.add_field(
        name="Stretch goals",
        value="\n".join(f"⭐ {item}" for item in challenge.stretch)[:1024],
        inline=False,
    )
    skills = ", ".join(content.skills[s].name for s in challenge.skills if s in content.skills)
    embed.add_field(name="Skills", value=skills or "—", inline=True)
    embed.add_field(name="Difficulty", value=challenge.difficulty.capitalize(), inline=True)
    footer = "Press “I did it” when you finish — once per challenge."
    if week:
        footer = f"Week of {week:%d %b} · " + footer
    embed.set_footer(text=footer)
    return embed

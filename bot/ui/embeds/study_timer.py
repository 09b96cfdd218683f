"""Embeds for the study timer: the running session card and the end notice."""

from __future__ import annotations

import discord

from bot.content.catalogue import Content
from bot.services.study_timer import ENDED, PAUSED, TimerView
from bot.ui.style import BRAND_COLOUR, SUCCESS_COLOUR, WARNING_COLOUR


def _what(view: TimerView, content: Content) -> str:
    return f" on **{content.skills[view.skill].name}**" if view.skill else ""


def timer_card(view: TimerView, content: Content) -> discord.Embed:
    """The session as it stands: running (with its end), paused, or over."""
    minutes = f"{view.focus_minutes}-minute focus session{_what(view, content)}"
    done = view.focused_seconds // 60
    if view.state == PAUSED:
        text = (
            f"⏸️ Paused {minutes}: {done} min done. Resume before "
            f"<t:{int(view.ends_at.timestamp())}:t> or it ends by itself."
        )
        colour = WARNING_COLOUR
    elif view.state == ENDED:
        return end_notice(view, content)
    else:
        text = f"⏱️ {minutes}: ends <t:{int(view.ends_at.timestamp())}:R>."
        if view.break_minutes:
            text += f" Then a {view.break_minutes}-minute break."
        colour = BRAND_COLOUR
    where = "by DM" if view.notify == "dm" else "here"
    return discord.Embed(
        description=f"{text}\nI will tell you {where} when it ends.", colour=colour
    )


def end_notice(view: TimerView, content: Content) -> discord.Embed:
    """What the member is told when a session ends: what was logged, and the break."""
    logged = view.logged_minutes or 0
    what = _what(view, content)
    if view.outcome == "done":
        text = f"⏰ Focus session over: {logged} min{what} logged."
    elif view.outcome == "stopped":
        text = f"⏹️ Session stopped: {logged} min{what} logged."
    elif view.outcome == "abandoned":
        text = f"⌛ Your paused session ended by itself: {logged} min{what} logged."
    else:
        text = f"⚠️ Session over, but {view.outcome}."
    if view.break_minutes and view.outcome in ("done", None):
        text += f"\n☕ Take your {view.break_minutes}-minute break."
    colour = (
        SUCCESS_COLOUR
        if logged and not (view.outcome or "").startswith("capped")
        else WARNING_COLOUR
    )
    return discord.Embed(description=text, colour=colour)

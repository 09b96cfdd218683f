"""Leaderboard embeds and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import discord

from bot.db.models import ModAudit
from bot.services.leaderboards import BoardPage, SeasonInfo, Standing
from bot.ui.style import BRAND_COLOUR, counted, escape

BOARD_TITLES = {"points": "Points", "study": "Study time", "streak": "Streaks"}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def format_value(board: str, value: int) -> str:
    """A board value as people read it: ``1h 05m``, ``3 days`` or ``40 pts``."""
    if board == "study":
        hours, minutes = divmod(value, 60)
        return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"
    if board == "streak":
        return counted(value, "day")
    return f"{value} pts"


def _line(row: Standing, board: str) -> str:
    badge = MEDALS.get(row.rank, f"`#{row.rank}`")
    return f"{badge} {escape(row.name)} — **{format_value(board, row.value)}**"


def leaderboard(page: BoardPage, guild_name: str) -> discord.Embed:
    """A page of the board with the caller's own standing underneath (or why there is none)."""
    embed = discord.Embed(
        title=f"{BOARD_TITLES[page.board]} — {page.period_label}",
        description="\n".join(_line(r, page.board) for r in page.rows)
        or "Nobody is on this board yet.",
        colour=BRAND_COLOUR,
    )
    mine = (
        _line(page.caller, page.board)
        if page.caller is not None
        else f"Not on this board yet: it ranks members with more than {format_value(page.board, 0)}."
    )
    embed.add_field(name="You", value=mine, inline=False)
    embed.set_footer(
        text=f"{escape(guild_name)} · page {page.page + 1} · equal scores share a rank"
    )
    return embed


def seasons(rows: Sequence[SeasonInfo]) -> discord.Embed:
    """The guild's seasons with their dates, for ``/mod seasons``."""
    lines = [
        f"**{s.number}. {escape(s.name)}** — {s.started_at:%d %b %Y} → "
        + (f"{s.ended_at:%d %b %Y}" if s.ended_at else "now")
        for s in rows
    ]
    return discord.Embed(
        title="Seasons",
        description="\n".join(lines) or "No season yet: the first starts with the first points.",
        colour=BRAND_COLOUR,
    ).set_footer(text="See final standings with /leaderboard period:season season:<number>")


def audit(entries: Sequence[ModAudit]) -> str:
    """The moderator audit log as lines."""
    if not entries:
        return "No moderator actions yet."
    lines = []
    for entry in entries:
        who = (
            f"<@{entry.moderator_id}>"
            if entry.moderator_id
            else ("Backend Mentor" if entry.action == "carryover" else "(deleted)")
        )
        target = (
            f" → <@{entry.target_user_id}>"
            if entry.target_user_id
            else (f" → {entry.target_label}" if entry.target_label else "")
        )
        amount = f" {entry.amount:+d}" if entry.amount is not None else ""
        lines.append(
            f"{discord.utils.format_dt(entry.created_at, 'f')} {who} {entry.action}{amount}{target}: "
            f"{escape(entry.detail)}"
        )
    return "\n".join(lines)


def safe_cell(text: str) -> str:
    """Neutralise spreadsheet formulas: a leading = + - @ makes the cell plain text."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_export(rows: Sequence[Standing], board: str) -> bytes:
    """The board as CSV with a header row, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["rank", "user_id", "name", board])
    for row in rows:
        writer.writerow([row.rank, str(row.user_id), safe_cell(row.name), row.value])
    return buffer.getvalue().encode("utf-8")

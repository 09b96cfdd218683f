"""Embeds and texts for server question packs and member submissions."""

from __future__ import annotations

import discord

from bot.content.catalogue import Content
from bot.content.packfile import MAX_PACK_QUESTIONS, MAX_SERVER_QUESTIONS
from bot.services.packs import ImportResult, PackSummary, Submission
from bot.ui.style import BRAND_COLOUR, SUCCESS_COLOUR, WARNING_COLOUR, clip, counted, escape

LETTERS = "ABCD"


def imported(result: ImportResult, mix: int) -> str:
    """The reply to a pack that went in: its size, the server's total and the mix."""
    return (
        f"✅ Imported pack `{result.name}`: {counted(result.added, 'question')} "
        f"({result.server_total:,} of {MAX_SERVER_QUESTIONS:,} in this server). "
        f"{mix}% of the daily and practice questions come from the packs "
        "(change it with `/mod pack mix`)."
    )


def refused(summary: str) -> str:
    """The reply to a pack that was refused, with what was wrong with it."""
    return clip(f"❌ The pack was not imported; nothing was stored.\n{summary}", 2000)


def pack_list(packs: list[PackSummary], mix: int) -> discord.Embed:
    """The guild's packs with their question counts and the share drawn from them."""
    embed = discord.Embed(title="Question packs", colour=BRAND_COLOUR)
    if not packs:
        embed.description = (
            "No packs yet. Upload one with `/mod pack import` (TOML, JSON or CSV in the "
            f"shape of the built-in questions, up to {MAX_PACK_QUESTIONS} questions)."
        )
        return embed
    total = sum(p.questions for p in packs)
    embed.description = "\n".join(
        f"`{p.name}` — {counted(p.questions, 'question')}, since {p.created_at:%d %b %Y}"
        for p in packs
    )[:4096]
    embed.set_footer(
        text=f"{total:,} of {MAX_SERVER_QUESTIONS:,} questions · {mix}% of daily and practice "
        "questions come from the packs"
    )
    return embed


def submission_card(submission: Submission, content: Content, *, waiting: int) -> discord.Embed:
    """A pending submission as moderators review it."""
    question = submission.question
    skill = content.skills[question.skill]
    lines = [escape(question.prompt), ""]
    for index, choice in enumerate(question.choices):
        mark = "✅" if index == question.answer else "▫️"
        lines.append(f"{mark} **{LETTERS[index]}.** {escape(choice)}")
    embed = discord.Embed(
        title=f"Submission #{submission.id} — {skill.name} · {question.difficulty.value}",
        description="\n".join(lines)[:4096],
        colour=WARNING_COLOUR,
    )
    embed.add_field(
        name="Explanation", value=clip(escape(question.explanation), 1024), inline=False
    )
    embed.add_field(name="Source", value=clip(str(question.source), 1024), inline=False)
    embed.add_field(name="From", value=f"<@{submission.user_id}>", inline=True)
    embed.set_footer(text=f"{waiting} waiting for review")
    return embed


def decided(submission: Submission) -> str:
    """The moderator's confirmation of an approved or rejected submission."""
    if submission.status == "approved":
        return f"✅ Submission #{submission.id} approved: it joined the `members` pack."
    return f"🗑️ Submission #{submission.id} rejected."


def outcome_notice(submission: Submission, guild_name: str | None) -> discord.Embed:
    """What the author is told."""
    where = f" in **{escape(guild_name)}**" if guild_name else ""
    prompt = clip(escape(submission.question.prompt), 200)
    if submission.status == "approved":
        embed = discord.Embed(
            title="Your question was approved 🎉",
            description=(
                f"Your question{where} joined the server's question pack, with you credited:\n"
                f"> {prompt}"
            ),
            colour=SUCCESS_COLOUR,
        )
    else:
        embed = discord.Embed(
            title="Your question was not accepted",
            description=f"The moderators{where} did not add your question:\n> {prompt}",
            colour=WARNING_COLOUR,
        )
        if submission.reason:
            embed.add_field(name="Why", value=clip(escape(submission.reason), 1024))
    return embed

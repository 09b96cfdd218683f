"""Colours and small text helpers shared by every embed."""

from __future__ import annotations

import discord

BRAND_COLOUR = discord.Colour(0x5865F2)
SUCCESS_COLOUR = discord.Colour(0x3BA55C)
WARNING_COLOUR = discord.Colour(0xFAA61A)
ERROR_COLOUR = discord.Colour(0xED4245)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with its noun, singular or plural: "1 question", "3 questions"."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    """User text made inert: no markdown, no mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))

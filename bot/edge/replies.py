"""Answer an interaction whether or not it has been responded to yet."""

from __future__ import annotations

from typing import Any

import discord


async def reply(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Send a message for ``interaction``: the initial response, or a followup if one was sent.

    Defaults to ephemeral; pass ``ephemeral=False`` for a public message.
    """
    kwargs.setdefault("ephemeral", True)
    if interaction.response.is_done():
        await interaction.followup.send(content, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)

"""Answer an interaction whether or not it has been responded to yet."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

T = TypeVar("T")

# Discord drops an interaction not acknowledged within 3 s of its creation. A reply
# still waiting at this age (its write queued behind others, a slow database) defers
# first and follows up; the usual click is answered in one request.
DEFER_AFTER_SECONDS = 2.0


async def reply(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Send a message for ``interaction``: the initial response, or a followup if one was sent.

    Defaults to ephemeral; pass ``ephemeral=False`` for a public message.
    """
    kwargs.setdefault("ephemeral", True)
    if interaction.response.is_done():
        # A followup takes no None content: MISSING leaves it out, as None does for a response.
        await interaction.followup.send(
            discord.utils.MISSING if content is None else content, **kwargs
        )
    else:
        await interaction.response.send_message(content, **kwargs)


async def in_time(interaction: discord.Interaction, work: Awaitable[T], *, thinking: bool) -> T:
    """Await ``work``, deferring the interaction first if it could miss Discord's deadline.

    ``thinking=True`` defers as a private "thinking…" message (answer with
    ``interaction.followup.send``); ``False`` defers an update of the clicked message
    (answer with ``interaction.edit_original_response``). ``interaction.response.is_done()``
    says which happened.
    """
    # A timer, not a task and asyncio.wait: this runs on every answer click, and the
    # wait's task, future and callbacks cost three times what the timer does.
    loop = asyncio.get_running_loop()
    deferral: asyncio.Task[Any] | None = None

    def defer() -> None:
        nonlocal deferral
        deferral = loop.create_task(interaction.response.defer(ephemeral=True, thinking=thinking))

    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    timer = loop.call_later(max(0.0, DEFER_AFTER_SECONDS - age), defer)
    try:
        return await work
    finally:
        timer.cancel()
        if deferral is not None:  # answer only once Discord has the acknowledgement
            await deferral

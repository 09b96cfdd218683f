"""Moderator tools: ``/mod …`` (default permission Manage Server, re-checked by the bot).

``_cog`` holds the ``/mod`` group cog, which inherits its commands from mixins by topic:
``_roles`` (role rewards), ``_schedules`` (daily quiz and weekly challenge) and
``_seasons`` (seasons, points, export, audit); ``_utils`` has what they share.
"""

from __future__ import annotations

from bot.app import MentorBot
from cogs.mod._cog import Moderation

__all__ = ["Moderation", "setup"]


async def setup(bot: MentorBot) -> None:
    """Add the moderation cog to the bot (the extension's entry point)."""
    await bot.add_cog(Moderation(bot))

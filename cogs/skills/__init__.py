"""The skill catalogue: ``/skill``, ``/skills``, ``/path`` and ``/progress``.

``_cog`` holds the commands, ``_views`` the card's persistent buttons and the pager.
"""

from __future__ import annotations

from bot.app import MentorBot
from cogs.skills._cog import Skills

__all__ = ["Skills", "setup"]


async def setup(bot: MentorBot) -> None:
    """Add the skills cog to the bot (the extension's entry point)."""
    await bot.add_cog(Skills(bot))

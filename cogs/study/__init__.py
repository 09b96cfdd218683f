"""Study time: ``/study log``, ``undo``, ``history`` and the ``/study start`` focus timer.

``_cog`` holds the commands and the study log's views, ``_timer`` the timer's buttons and
the delivery feed that ends a session on time, even after a restart.
"""

from __future__ import annotations

from bot.app import MentorBot
from cogs.study._cog import Study

__all__ = ["Study", "setup"]


async def setup(bot: MentorBot) -> None:
    """Add the study cog to the bot (the extension's entry point)."""
    await bot.add_cog(Study(bot))

"""Server question packs (``/mod pack …``), member submissions (``/quiz submit``) and their review.

The commands join the ``/mod`` and ``/quiz`` groups of the tree: cogs load in name order,
so this package (``server_packs``) loads after ``cogs.mod`` and ``cogs.quiz``, which own
those groups. ``_packs`` holds the pack commands, ``_submit`` the submission form,
``_review`` the moderators' queue and its buttons, ``_notify`` the feed that tells authors
the outcome (a DM, else a mention in the channel they submitted from), ``_cog`` the cog.
"""

from __future__ import annotations

from bot.app import MentorBot
from cogs.server_packs._cog import Packs

__all__ = ["Packs", "setup"]


async def setup(bot: MentorBot) -> None:
    """Add the server-pack cog to the bot (the extension's entry point)."""
    await bot.add_cog(Packs(bot))

"""The quiz: the guild's daily question, private practice, review and placement.

``_cog`` holds the ``/quiz`` commands, ``_views`` the answer buttons and the messages they
sit on, ``_feed`` the daily question's delivery feed. Other cogs use :func:`start_practice`
(the "Quiz me" button) and :func:`step_message` (mock interviews) from here.
"""

from __future__ import annotations

from bot.app import MentorBot
from cogs.quiz._cog import Quiz
from cogs.quiz._views import start_practice, step_message

__all__ = ["Quiz", "setup", "start_practice", "step_message"]


async def setup(bot: MentorBot) -> None:
    """Add the quiz cog to the bot (the extension's entry point)."""
    await bot.add_cog(Quiz(bot))

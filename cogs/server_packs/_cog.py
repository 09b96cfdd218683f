"""The packs cog: joins its commands to the ``/mod`` and ``/quiz`` groups when it loads."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from cogs.server_packs._notify import SubmissionOutcomeFeed
from cogs.server_packs._packs import pack_group
from cogs.server_packs._review import ReviewButton, submissions
from cogs.server_packs._submit import quiz_submit


class Packs(commands.Cog):
    """Server question packs and member submissions."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        mod = self.bot.tree.get_command("mod")
        quiz = self.bot.tree.get_command("quiz")
        assert isinstance(mod, app_commands.Group) and isinstance(quiz, app_commands.Group), (
            "cogs.mod and cogs.quiz load first"
        )
        pack_group(mod)
        mod.add_command(
            app_commands.Command(
                name="submissions",
                description="Review the questions members submitted.",
                callback=submissions,
                parent=mod,
            )
        )
        quiz.add_command(
            app_commands.Command(
                name="submit",
                description="Propose a question for this server's pack (a form opens).",
                callback=quiz_submit,
                parent=quiz,
            )
        )
        self.bot.add_dynamic_items(ReviewButton)
        self.bot.delivery.register(SubmissionOutcomeFeed(self.bot))

    async def cog_unload(self) -> None:
        for group, name in (("mod", "pack"), ("mod", "submissions"), ("quiz", "submit")):
            parent = self.bot.tree.get_command(group)
            if isinstance(parent, app_commands.Group):
                parent.remove_command(name)
        self.bot.remove_dynamic_items(ReviewButton)

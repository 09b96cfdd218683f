"""The skill catalogue's commands: ``/skill``, ``/skills``, ``/path`` and ``/progress``."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.content.catalogue import Content
from bot.content.schema import Category, Skill
from bot.ui.autocomplete import skill_choices
from bot.ui.embeds import skills as render
from cogs.skills._views import (
    CardCache,
    CataloguePager,
    LearnButton,
    OpenRelatedSelect,
    QuizMeButton,
    ShowSkillButton,
    UnlearnButton,
)

CATEGORY_CHOICES = [app_commands.Choice(name=c.label, value=c.value) for c in Category]


class Skills(commands.Cog):
    """Look up skills, browse the catalogue, plan a path, track progress."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        self.cards = CardCache()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(
            QuizMeButton, LearnButton, UnlearnButton, OpenRelatedSelect, ShowSkillButton
        )

    @property
    def content(self) -> Content:
        return self.bot.services.content

    def resolve(self, text: str) -> Skill | None:
        """The skill named by an autocomplete value or free text, if confidently one."""
        return self.content.index.resolve(text).skill

    @app_commands.command(
        name="skill",
        description="A backend skill's card: what it is, why it matters, how to learn it.",
    )
    @app_commands.describe(name="A skill, tool or concept — e.g. postgres, k8s, jwt")
    @app_commands.autocomplete(name=skill_choices)
    async def skill(
        self, interaction: discord.Interaction[MentorBot], name: app_commands.Range[str, 1, 100]
    ) -> None:
        lookup = self.content.index.resolve(name)
        if lookup.skill is None:
            view = discord.ui.View(timeout=None)
            for suggestion in lookup.suggestions:
                view.add_item(ShowSkillButton(suggestion.slug, suggestion.name))
            await interaction.response.send_message(
                embed=render.no_match(name, lookup.suggestions), view=view, ephemeral=True
            )
            return
        embed, view = self.cards.card(lookup.skill, self.content)
        await interaction.response.send_message(embed=embed, view=view)

    @app_commands.command(name="skills", description="Browse the skill catalogue by category.")
    @app_commands.describe(category="Start at this category")
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def skills(
        self,
        interaction: discord.Interaction[MentorBot],
        category: str = Category.FUNDAMENTALS.value,
    ) -> None:
        learned = await self.bot.services.learning.learned(interaction.user.id)
        pager = CataloguePager(interaction.user.id, self.content, learned, Category(category))
        await interaction.response.send_message(embed=pager.embed(), view=pager, ephemeral=True)

    @app_commands.command(
        name="path", description="The skills to learn, in order, on the way to a goal."
    )
    @app_commands.describe(goal="The skill you want to reach")
    @app_commands.autocomplete(goal=skill_choices)
    async def path(
        self, interaction: discord.Interaction[MentorBot], goal: app_commands.Range[str, 1, 100]
    ) -> None:
        lookup = self.content.index.resolve(goal)
        if lookup.skill is None:
            await interaction.response.send_message(
                embed=render.no_match(goal, lookup.suggestions), ephemeral=True
            )
            return
        steps = await self.bot.services.learning.path(interaction.user.id, lookup.skill.slug)
        await interaction.response.send_message(
            embed=render.learning_path(lookup.skill, steps), ephemeral=True
        )

    @app_commands.command(name="progress", description="Your learned skills, category by category.")
    async def progress(self, interaction: discord.Interaction[MentorBot]) -> None:
        rows = await self.bot.services.learning.progress(interaction.user.id)
        await interaction.response.send_message(
            embed=render.progress(rows, interaction.user.display_name), ephemeral=True
        )

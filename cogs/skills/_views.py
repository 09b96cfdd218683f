"""A skill card's buttons and menu, and the ``/skills`` pager.

Card buttons are persistent: their custom ids carry the skill slug, so they keep working
on old messages after the bot restarts.
"""

from __future__ import annotations

import discord

from bot.app import MentorBot
from bot.content.catalogue import Content
from bot.content.schema import Category, Skill
from bot.services.errors import UserError
from bot.ui.buttons import SLUG, PersistentButton, PersistentSelect
from bot.ui.embeds import skills as render
from bot.ui.style import clip
from bot.ui.views import OwnedView
from cogs.quiz import start_practice


def _bot(interaction: discord.Interaction[MentorBot]) -> MentorBot:
    return interaction.client


def card_view(skill: Skill, content: Content) -> discord.ui.View:
    """Quiz me, Mark as learned, and a menu of related skills."""
    view = discord.ui.View(timeout=None)
    if content.questions_by_skill.get(skill.slug):
        view.add_item(QuizMeButton(skill.slug))
    view.add_item(LearnButton(skill.slug))
    neighbours = [s for s in (*skill.prerequisites, *skill.related) if s in content.skills]
    if neighbours:
        view.add_item(OpenRelatedSelect(skill.slug, list(dict.fromkeys(neighbours))[:25], content))
    return view


class CardCache:
    """Skill cards for public replies, each embed and view built once and sent again and again.

    The view holds only persistent (dynamic) items, so discord.py keeps nothing per message for
    it and one instance can go on any number of messages. discord.py gives a view sent
    ephemerally a timeout, so cached cards are for public replies only. The cache empties when
    the bot's catalogue is another object.
    """

    def __init__(self) -> None:
        self._content: Content | None = None
        self._cards: dict[str, tuple[discord.Embed, discord.ui.View]] = {}

    def card(self, skill: Skill, content: Content) -> tuple[discord.Embed, discord.ui.View]:
        """The embed and view of ``skill``'s card in ``content``."""
        if content is not self._content:
            self._content, self._cards = content, {}
        card = self._cards.get(skill.slug)
        if card is None:
            card = render.skill_card(skill, content), card_view(skill, content)
            self._cards[skill.slug] = card
        return card


class QuizMeButton(PersistentButton, custom_id="skill:quiz:{slug}", slug=SLUG):
    """Starts a private practice question on this skill."""

    slug: str

    def __init__(self, slug: str) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="Quiz me", emoji="🧠", style=discord.ButtonStyle.primary
        )
        super().__init__(button, slug=slug)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        await start_practice(interaction, topic=self.slug, difficulty=None)


class LearnButton(PersistentButton, custom_id="skill:learn:{slug}", slug=SLUG):
    """Marks the skill learned for whoever presses it."""

    slug: str

    def __init__(self, slug: str) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="Mark as learned", emoji="✅", style=discord.ButtonStyle.success
        )
        super().__init__(button, slug=slug)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        services = _bot(interaction).services
        skill = services.content.skills.get(self.slug)
        if skill is None:
            await interaction.response.send_message(
                "This skill is no longer in the catalogue.", ephemeral=True
            )
            return
        added = await services.learning.mark_learned(interaction.user.id, self.slug)
        learned = len(await services.learning.learned(interaction.user.id))
        total = len(services.content.skills)
        text = (
            f"✅ **{skill.name}** marked as learned — {learned}/{total} skills."
            if added
            else f"You had already marked **{skill.name}** as learned ({learned}/{total})."
        )
        view = discord.ui.View(timeout=None)
        view.add_item(UnlearnButton(self.slug))
        await interaction.response.send_message(text, view=view, ephemeral=True)


class UnlearnButton(PersistentButton, custom_id="skill:unlearn:{slug}", slug=SLUG):
    """Takes a learned mark back."""

    slug: str

    def __init__(self, slug: str) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="Undo", style=discord.ButtonStyle.secondary
        )
        super().__init__(button, slug=slug)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        services = _bot(interaction).services
        removed = await services.learning.unmark_learned(interaction.user.id, self.slug)
        name = (
            services.content.skills[self.slug].name
            if self.slug in services.content.skills
            else self.slug
        )
        text = (
            f"**{name}** is no longer marked as learned."
            if removed
            else f"**{name}** was not marked as learned."
        )
        await interaction.response.edit_message(content=text, view=None)


class OpenRelatedSelect(PersistentSelect, custom_id="skill:open:{slug}", slug=SLUG):
    """A menu of prerequisites and related skills; picking one shows its card privately."""

    slug: str

    def __init__(self, slug: str, options: list[str], content: Content) -> None:
        select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            placeholder="Open a related skill…",
            options=[
                discord.SelectOption(
                    label=content.skills[s].name,
                    value=s,
                    description=clip(content.skills[s].summary, 100),
                )
                for s in options
            ],
        )
        super().__init__(select, slug=slug)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        content = _bot(interaction).services.content
        chosen = content.skills.get(self.item.values[0]) if self.item.values else None
        if chosen is None:
            await interaction.response.send_message(
                "That skill is no longer in the catalogue.", ephemeral=True
            )
            return
        await interaction.response.send_message(
            embed=render.skill_card(chosen, content),
            view=card_view(chosen, content),
            ephemeral=True,
        )


class ShowSkillButton(PersistentButton, custom_id="skill:show:{slug}", slug=SLUG):
    """A "did you mean" suggestion: turns the message into that skill's card."""

    slug: str

    def __init__(self, slug: str, label: str = "Show") -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=clip(label, 80), style=discord.ButtonStyle.primary
        )
        super().__init__(button, slug=slug)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        content = _bot(interaction).services.content
        skill = content.skills.get(self.slug)
        if skill is None:
            await interaction.response.send_message(
                "That skill is no longer in the catalogue.", ephemeral=True
            )
            return
        await interaction.response.edit_message(
            content=None, embed=render.skill_card(skill, content), view=card_view(skill, content)
        )


class CataloguePager(OwnedView):
    """``/skills`` pages: previous/next within a category and a category picker."""

    def __init__(
        self, owner_id: int, content: Content, learned: set[str], category: Category
    ) -> None:
        super().__init__(owner_id)
        self.content = content
        self.learned = learned
        self.category = category
        self.page = 0
        self.category_select.options = [
            discord.SelectOption(label=c.label, value=c.value, default=c == category)
            for c in Category
        ]
        self._sync_buttons()

    @property
    def skills(self) -> list[Skill]:
        return self.content.skills_in(self.category)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.skills) // render.SKILLS_PER_PAGE))

    def embed(self) -> discord.Embed:
        return render.catalogue_page(
            self.category, self.skills, self.learned, self.page, self.pages
        )

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def _show(self, interaction: discord.Interaction[MentorBot]) -> None:
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[CataloguePager]
    ) -> None:
        self.page = max(0, self.page - 1)
        await self._show(interaction)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[CataloguePager]
    ) -> None:
        self.page = min(self.pages - 1, self.page + 1)
        await self._show(interaction)

    @discord.ui.select(
        cls=discord.ui.Select["CataloguePager"], placeholder="Jump to a category…", row=1
    )
    async def category_select(
        self, interaction: discord.Interaction[MentorBot], select: discord.ui.Select[CataloguePager]
    ) -> None:
        if select.values[0] not in {c.value for c in Category}:
            raise UserError("That is not one of the categories; pick one from the menu.")
        self.category = Category(select.values[0])
        self.page = 0
        for option in select.options:
            option.default = option.value == self.category.value
        await self._show(interaction)

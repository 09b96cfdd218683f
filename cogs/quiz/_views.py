"""Answer buttons and the messages they sit on: daily, practice, review and assessment steps.

Answer buttons are persistent: their custom ids carry the post or prompt id and the chosen
position, so buttons on old messages keep working after a restart.
"""

from __future__ import annotations

import discord

from bot.app import MentorBot
from bot.content.catalogue import Content
from bot.services.assessments import INTERVIEW, PLACEMENT, Step
from bot.services.practice import Prompt
from bot.services.quiz_bank import ShownQuestion
from bot.ui.buttons import ID, POSITION, PersistentButton
from bot.ui.embeds import assessments as assessment_render
from bot.ui.embeds import quiz as render
from bot.ui.replies import in_time

Button = discord.ui.Button[discord.ui.View]


def _bot(interaction: discord.Interaction[MentorBot]) -> MentorBot:
    return interaction.client


def _choice_button(position: int, *, disabled: bool = False, right: bool = False) -> Button:
    """A lettered answer button; green when it is shown disabled as the right answer."""
    return discord.ui.Button(
        label=render.LETTERS[position],
        style=discord.ButtonStyle.success if right else discord.ButtonStyle.secondary,
        disabled=disabled,
    )


def daily_view(post_id: int, shown: ShownQuestion) -> discord.ui.View:
    """One button per choice; each click is one answer."""
    view = discord.ui.View(timeout=None)
    for position in range(len(shown.order)):
        view.add_item(DailyChoice(post_id, position))
    return view


def closed_view(post_id: int, shown: ShownQuestion) -> discord.ui.View:
    """The choice buttons, disabled, with the right one green."""
    view = discord.ui.View(timeout=None)
    for position in range(len(shown.order)):
        button = _choice_button(position, disabled=True, right=position == shown.right_position)
        view.add_item(DailyChoice(post_id, position, button))
    return view


def prompt_view(prompt: Prompt) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for position in range(len(prompt.shown.order)):
        view.add_item(PromptChoice(prompt.prompt_id, position))
    return view


def after_answer_view(prompt: Prompt) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    label = {"review": "Next review", PLACEMENT: "Next", INTERVIEW: "Next"}.get(
        prompt.mode, "Next question"
    )
    view.add_item(NextPrompt(prompt.prompt_id, label))
    return view


class DailyChoice(
    PersistentButton,
    custom_id="quiz:d:{post_id}:{position}",
    post_id=ID,
    position=POSITION,
):
    """A choice on a guild's daily question."""

    post_id: int
    position: int

    def __init__(self, post_id: int, position: int, button: Button | None = None) -> None:
        button = button or _choice_button(position)
        super().__init__(button, post_id=post_id, position=position)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        answering = _bot(interaction).services.daily.answer(
            post_id=self.post_id,
            user_id=interaction.user.id,
            display_name=interaction.user.display_name,
            position=self.position,
            guild_id=interaction.guild_id,
        )
        outcome = await in_time(interaction, answering, thinking=True)
        embed = render.daily_feedback(outcome)
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)


class PromptChoice(
    PersistentButton,
    custom_id="quiz:p:{prompt_id}:{position}",
    prompt_id=ID,
    position=POSITION,
):
    """A choice on a private practice or review question."""

    prompt_id: int
    position: int

    def __init__(self, prompt_id: int, position: int) -> None:
        super().__init__(_choice_button(position), prompt_id=prompt_id, position=position)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        services = _bot(interaction).services
        answering = services.practice.answer(
            prompt_id=self.prompt_id,
            user_id=interaction.user.id,
            display_name=interaction.user.display_name,
            position=self.position,
            guild_id=interaction.guild_id,
        )
        outcome = await in_time(interaction, answering, thinking=False)
        embed = render.prompt_answered(outcome, services.content)
        view = after_answer_view(outcome.prompt)
        if interaction.response.is_done():
            await interaction.edit_original_response(embed=embed, view=view)
        else:
            await interaction.response.edit_message(embed=embed, view=view)


class NextPrompt(PersistentButton, custom_id="quiz:n:{prompt_id}", prompt_id=ID):
    """Continues a practice or review session with the same settings."""

    prompt_id: int

    def __init__(self, prompt_id: int, label: str = "Next question") -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=label, emoji="➡️", style=discord.ButtonStyle.primary
        )
        super().__init__(button, prompt_id=prompt_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        bot = _bot(interaction)
        guild_id = interaction.guild_id
        previous = await bot.services.practice.prompt(self.prompt_id, interaction.user.id, guild_id)
        if previous.mode in (PLACEMENT, INTERVIEW):
            step = await bot.services.assessments.next(
                previous, user_id=interaction.user.id, guild_id=guild_id
            )
            embed, view = step_message(step, bot.services.content)
            await interaction.response.edit_message(embed=embed, view=view)
            return
        if previous.mode == "review":
            prompt = await bot.services.practice.review(
                user_id=interaction.user.id, guild_id=guild_id
            )
            if prompt is None:
                await interaction.response.edit_message(
                    content="🎉 That was your last review for today.", embed=None, view=None
                )
                return
        else:
            prompt = await bot.services.practice.practice(
                user_id=interaction.user.id,
                guild_id=guild_id,
                topic=previous.topic,
                difficulty=previous.difficulty,
            )
        await interaction.response.edit_message(
            embed=render.prompt_question(prompt, bot.services.content), view=prompt_view(prompt)
        )


def step_message(step: Step, content: Content) -> tuple[discord.Embed, discord.ui.View]:
    """A placement or interview step: its next question with buttons, or the final score."""
    if step.result is not None:
        return assessment_render.run_result(step.result, content), discord.ui.View()
    assert step.prompt is not None
    return assessment_render.step_question(step, content), prompt_view(step.prompt)


async def start_practice(
    interaction: discord.Interaction[MentorBot], *, topic: str | None, difficulty: str | None
) -> None:
    """Send a private practice question (used by /quiz practice and the "Quiz me" button)."""
    services = _bot(interaction).services
    prompt = await services.practice.practice(
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        topic=topic,
        difficulty=difficulty,
    )
    await interaction.response.send_message(
        embed=render.prompt_question(prompt, services.content),
        view=prompt_view(prompt),
        ephemeral=True,
    )

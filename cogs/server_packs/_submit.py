"""``/quiz submit``: the form a member proposes a question with (and moderators edit it with)."""

from __future__ import annotations

import re

import discord
from discord import app_commands

from bot.app import MentorBot
from bot.content.schema import Level
from bot.services.errors import UserError
from bot.services.packs import Submission
from bot.ui import checks
from bot.ui.choices import DIFFICULTY_CHOICES
from bot.ui.style import clip
from bot.ui.views import MentorModal
from cogs.server_packs._utils import moderator_guild

LETTERS = "ABCD"


def _letter(text: str) -> int:
    letter = text.strip().upper().rstrip(".)")
    if len(letter) != 1 or letter not in LETTERS:
        raise UserError("The right answer is one letter: A, B, C or D.")
    return LETTERS.index(letter)


def _choices(text: str) -> list[str]:
    lines = [re.sub(r"^\s*[A-Da-d][.)]\s+", "", line).strip() for line in text.splitlines()]
    return [line for line in lines if line]


class QuestionModal(MentorModal):
    """The five fields of a question: prompt, choices (one per line), answer, explanation, link.

    Discord allows five text inputs in a modal, so the choices share one paragraph
    field and the right one is a letter; skill and difficulty come from the command.
    """

    prompt: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
        custom_id="prompt",
        label="Question",
        style=discord.TextStyle.paragraph,
        min_length=10,
        max_length=400,
    )
    choices: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
        custom_id="choices",
        label="Choices, one per line (2 to 4)",
        style=discord.TextStyle.paragraph,
        placeholder="A first choice\nA second choice\nA third choice\nA fourth choice",
        max_length=320,
    )
    answer: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
        custom_id="answer",
        label="The right choice (A, B, C or D)",
        min_length=1,
        max_length=2,
        placeholder="B",
    )
    explanation: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
        custom_id="explanation",
        label="Why it is right",
        style=discord.TextStyle.paragraph,
        min_length=20,
        max_length=700,
    )
    source: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
        custom_id="source",
        label="Source link (documentation)",
        max_length=500,
        placeholder="https://…",
    )

    def __init__(
        self, *, skill: str, difficulty: str, submission_id: int | None = None, title: str
    ) -> None:
        super().__init__(title=title, timeout=1800)
        self.skill = skill
        self.difficulty = difficulty
        self.submission_id = submission_id

    @classmethod
    def editing(cls, submission: Submission) -> QuestionModal:
        question = submission.question
        modal = cls(
            skill=question.skill,
            difficulty=question.difficulty.value,
            submission_id=submission.id,
            title=f"Edit submission #{submission.id}"[:45],
        )
        modal.prompt.default = question.prompt
        modal.choices.default = "\n".join(question.choices)
        modal.answer.default = LETTERS[question.answer]
        modal.explanation.default = question.explanation
        modal.source.default = str(question.source)
        return modal

    async def submit(self, interaction: discord.Interaction[MentorBot]) -> None:
        services = interaction.client.services
        question = services.packs.check_submission(
            {
                "skill": self.skill,
                "difficulty": self.difficulty,
                "prompt": self.prompt.value,
                "choices": _choices(self.choices.value),
                "answer": _letter(self.answer.value),
                "explanation": self.explanation.value,
                "source": self.source.value.strip(),
            }
        )
        if self.submission_id is not None:
            guild_id = moderator_guild(interaction)
            await services.packs.edit(guild_id, self.submission_id, question)
            await interaction.response.send_message(
                f"✏️ Submission #{self.submission_id} updated; approve it when it reads right.",
                ephemeral=True,
            )
            return
        submission = await services.packs.submit(
            guild_id=checks.guild_id(interaction),
            user_id=interaction.user.id,
            channel_id=interaction.channel_id,
            question=question,
        )
        await interaction.response.send_message(
            f"📨 Thanks! Submission #{submission.id} is waiting for the moderators; "
            "you will hear the outcome by DM.",
            ephemeral=True,
        )


async def skill_autocomplete(
    interaction: discord.Interaction[MentorBot], current: str
) -> list[app_commands.Choice[str]]:
    content = interaction.client.services.content
    return [
        app_commands.Choice(name=clip(f"{s.name} · {s.category.label}", 100), value=s.slug)
        for s in content.index.complete(current)
    ][:25]


@app_commands.describe(skill="The skill the question is about", difficulty="How hard it is")
@app_commands.autocomplete(skill=skill_autocomplete)
@app_commands.choices(difficulty=DIFFICULTY_CHOICES)
async def quiz_submit(
    interaction: discord.Interaction[MentorBot],
    skill: app_commands.Range[str, 1, 100],
    difficulty: str = "beginner",
) -> None:
    if interaction.guild_id is None:
        raise UserError("Questions are submitted to a server's pack; run this in a server.")
    services = interaction.client.services
    lookup = services.content.index.resolve(skill)
    if lookup.skill is None:
        hint = f" Did you mean {lookup.suggestions[0].name}?" if lookup.suggestions else ""
        raise UserError(f"“{clip(skill, 40)}” is not a skill I know.{hint}")
    if difficulty not in {level.value for level in Level}:
        raise UserError("Difficulty must be beginner, intermediate or advanced.")
    await interaction.response.send_modal(
        QuestionModal(
            skill=lookup.skill.slug,
            difficulty=difficulty,
            title=clip(f"A question on {lookup.skill.name}", 45),
        )
    )

"""Server question packs (``/mod pack …``), member submissions (``/quiz submit``) and their review.

The commands join the ``/mod`` and ``/quiz`` groups of the tree: cogs load in name
order, so this module (``server_packs``) loads after ``cogs.mod`` and ``cogs.quiz``,
which own those groups. Review buttons are
dynamic items with the submission id in their custom id, so they keep working after
a restart; each click re-checks Manage Server. Authors hear the outcome through the
delivery pipeline: a DM, else a mention in the channel they submitted from.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import MentorBot
from bot.content.packfile import PackFileError, check_size, pack_name, parse_pack
from bot.content.schema import Level
from bot.delivery.cadence import Occurrence
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Feed, Target, Undeliverable
from bot.services.errors import UserError
from bot.services.packs import Submission
from bot.ui import checks
from bot.ui.buttons import ID, PersistentButton, one_of
from bot.ui.embeds import packs as render
from bot.ui.errors import report_error
from bot.ui.replies import reply
from bot.ui.style import clip

KIND = "submission"
NOTICE_WINDOW = timedelta(days=7)
LETTERS = "ABCD"
DIFFICULTY_CHOICES = [
    app_commands.Choice(name=level.value.capitalize(), value=level.value) for level in Level
]


def _bot(interaction: discord.Interaction[MentorBot]) -> MentorBot:
    return interaction.client


def _guild(interaction: discord.Interaction[MentorBot]) -> int:
    """The server of a moderator's interaction; re-checks Manage Server on every call."""
    try:
        checks.require_manage_server(interaction)
    except app_commands.NoPrivateMessage:
        raise UserError("This command only works inside a server.") from None
    except app_commands.MissingPermissions:
        raise UserError("You need the Manage Server permission to use this command.") from None
    return checks.guild_id(interaction)


# -- /mod pack ----------------------------------------------------------------------------------


async def pack_autocomplete(
    interaction: discord.Interaction[MentorBot], current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    names = await _bot(interaction).services.packs.pack_names(interaction.guild_id)
    folded = current.casefold()
    return [app_commands.Choice(name=n, value=n) for n in names if folded in n][:25]


@app_commands.describe(
    file="A .toml, .json or .csv file of questions in the shape of the built-in ones (≤ 1 MB)",
    name="The pack's name (default: the file's name)",
)
async def pack_import(
    interaction: discord.Interaction[MentorBot],
    file: discord.Attachment,
    name: app_commands.Range[str, 1, 40] | None = None,
) -> None:
    guild_id = _guild(interaction)
    services = _bot(interaction).services
    try:
        check_size(file.size)  # before downloading anything
        slug = pack_name(file.filename, name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        # ~1 ms a question (TOML parsing and the fairness checks): off the event loop.
        pack = await asyncio.to_thread(parse_pack, file.filename, data, services.content)
        result = await services.packs.import_pack(
            guild_id=guild_id, name=slug, pack=pack, moderator_id=interaction.user.id
        )
    except PackFileError as error:
        await reply(interaction, render.refused(error.summary()))
        return
    mix = await services.packs.mix_percent(guild_id)
    await reply(interaction, render.imported(result, mix))


async def pack_list(interaction: discord.Interaction[MentorBot]) -> None:
    guild_id = _guild(interaction)
    packs = _bot(interaction).services.packs
    await reply(
        interaction,
        embed=render.pack_list(await packs.list_packs(guild_id), await packs.mix_percent(guild_id)),
    )


@app_commands.describe(name="The pack to export")
@app_commands.autocomplete(name=pack_autocomplete)
async def pack_export(interaction: discord.Interaction[MentorBot], name: str) -> None:
    guild_id = _guild(interaction)
    text = await _bot(interaction).services.packs.export_pack(guild_id, name)
    await reply(
        interaction,
        f"The `{clip(name, 40)}` pack, ready to edit and import again.",
        file=discord.File(io.BytesIO(text.encode()), filename=f"{name}.toml"),
    )


@app_commands.describe(name="The pack to delete")
@app_commands.autocomplete(name=pack_autocomplete)
async def pack_delete(interaction: discord.Interaction[MentorBot], name: str) -> None:
    guild_id = _guild(interaction)
    count = await _bot(interaction).services.packs.delete_pack(guild_id, name)
    await reply(
        interaction,
        f"🗑️ Deleted the `{clip(name, 40)}` pack ({count} questions); they are not asked again.",
    )


@app_commands.describe(percent="Share of daily and practice questions drawn from the packs")
async def pack_mix(
    interaction: discord.Interaction[MentorBot], percent: app_commands.Range[int, 0, 100]
) -> None:
    guild_id = _guild(interaction)
    value = await _bot(interaction).services.packs.set_mix(guild_id, percent)
    await reply(
        interaction,
        f"✅ {value}% of this server's daily and practice questions now come from its packs "
        "(when it has pack questions for the topic).",
    )


def pack_group(parent: app_commands.Group) -> app_commands.Group:
    """``/mod pack …`` under the ``/mod`` group."""
    group = app_commands.Group(
        name="pack", description="This server's own question packs.", parent=parent
    )
    for name, description, callback in (
        ("import", "Upload a question pack (TOML, JSON or CSV).", pack_import),
        ("list", "This server's question packs.", pack_list),
        ("export", "Download a pack as TOML.", pack_export),
        ("delete", "Delete a pack; its questions are not asked again.", pack_delete),
        ("mix", "How much of the daily question and practice comes from the packs.", pack_mix),
    ):
        group.add_command(
            app_commands.Command(
                name=name, description=description, callback=callback, parent=group
            )
        )
    return group


# -- /mod submissions and the review buttons -----------------------------------------------------


def review_view(submission_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReviewButton("a", submission_id))
    view.add_item(ReviewButton("e", submission_id))
    view.add_item(ReviewButton("r", submission_id))
    return view


async def show_queue(interaction: discord.Interaction[MentorBot], *, edit: bool) -> None:
    """The oldest pending submission with its buttons (edits the review message when ``edit``)."""
    guild_id = _guild(interaction)
    services = _bot(interaction).services
    pending, total = await services.packs.pending(guild_id, limit=1)
    if not pending:
        text = "📭 No submissions are waiting for review."
        if edit:
            await interaction.response.edit_message(content=text, embed=None, view=None)
        else:
            await reply(interaction, text)
        return
    embed = render.submission_card(pending[0], services.content, waiting=total)
    view = review_view(pending[0].id)
    if edit:
        await interaction.response.edit_message(content=None, embed=embed, view=view)
    else:
        await reply(interaction, embed=embed, view=view)


async def submissions(interaction: discord.Interaction[MentorBot]) -> None:
    await show_queue(interaction, edit=False)


_ACTIONS = {
    "a": ("Approve", discord.ButtonStyle.success),
    "e": ("Edit", discord.ButtonStyle.secondary),
    "r": ("Reject", discord.ButtonStyle.danger),
}


class ReviewButton(
    PersistentButton,
    custom_id="pack:s:{action}:{submission_id}",
    action=one_of(*_ACTIONS),
    submission_id=ID,
):
    """Approve, edit or reject one submission."""

    action: str
    submission_id: int

    def __init__(self, action: str, submission_id: int) -> None:
        label, style = _ACTIONS[action]
        button = discord.ui.Button(label=label, style=style)
        super().__init__(button, action=action, submission_id=submission_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = _guild(interaction)
        packs = _bot(interaction).services.packs
        if self.action == "a":
            done = await packs.approve(guild_id, self.submission_id, interaction.user.id)
            await show_queue(interaction, edit=True)
            await interaction.followup.send(render.decided(done), ephemeral=True)
            await notify_author(_bot(interaction), done)
        elif self.action == "e":
            submission = await packs.submission(guild_id, self.submission_id)
            await interaction.response.send_modal(QuestionModal.editing(submission))
        else:
            await packs.submission(guild_id, self.submission_id)  # still there?
            await interaction.response.send_modal(RejectModal(self.submission_id))


# -- /quiz submit and the modals -----------------------------------------------------------------


def _letter(text: str) -> int:
    letter = text.strip().upper().rstrip(".)")
    if len(letter) != 1 or letter not in LETTERS:
        raise UserError("The right answer is one letter: A, B, C or D.")
    return LETTERS.index(letter)


def _choices(text: str) -> list[str]:
    lines = [re.sub(r"^\s*[A-Da-d][.)]\s+", "", line).strip() for line in text.splitlines()]
    return [line for line in lines if line]


class QuestionModal(discord.ui.Modal):
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

    async def on_submit(self, interaction: discord.Interaction[MentorBot]) -> None:  # type: ignore[override]  # typed client
        services = _bot(interaction).services
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
            guild_id = _guild(interaction)
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

    async def on_error(  # type: ignore[override]  # typed client
        self, interaction: discord.Interaction[MentorBot], error: Exception
    ) -> None:
        await report_error(interaction, error)


class RejectModal(discord.ui.Modal, title="Reject a submission"):
    reason: discord.ui.TextInput[RejectModal] = discord.ui.TextInput(
        custom_id="reason",
        label="Why (sent to the author; optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=300,
    )

    def __init__(self, submission_id: int) -> None:
        super().__init__(timeout=1800)
        self.submission_id = submission_id

    async def on_submit(self, interaction: discord.Interaction[MentorBot]) -> None:  # type: ignore[override]  # typed client
        guild_id = _guild(interaction)
        done = await _bot(interaction).services.packs.reject(
            guild_id, self.submission_id, interaction.user.id, self.reason.value
        )
        await interaction.response.send_message(render.decided(done), ephemeral=True)
        await notify_author(_bot(interaction), done)

    async def on_error(  # type: ignore[override]  # typed client
        self, interaction: discord.Interaction[MentorBot], error: Exception
    ) -> None:
        await report_error(interaction, error)


async def skill_autocomplete(
    interaction: discord.Interaction[MentorBot], current: str
) -> list[app_commands.Choice[str]]:
    content = _bot(interaction).services.content
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
    services = _bot(interaction).services
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


# -- telling the author --------------------------------------------------------------------------


def _due(submission: Submission) -> Due:
    assert submission.decided_at is not None
    at = submission.decided_at
    return Due(
        KIND,
        submission.id,
        submission.guild_id,
        submission.channel_id,
        Occurrence(at.date(), at, at + NOTICE_WINDOW),
    )


class SubmissionOutcomeFeed(Feed):
    """One notice per decided submission, to its author: DM first, else the channel."""

    kind = KIND

    async def due(self, now_utc: datetime) -> list[Due]:
        decided = await self.bot.services.packs.decided_since(now_utc - NOTICE_WINDOW)
        return [_due(s) for s in decided]

    async def draft(self, claim: Claim) -> Draft | None:
        assert claim.guild_id is not None
        try:
            submission = await self.bot.services.packs.submission(claim.guild_id, claim.subject_id)
        except UserError:
            return None  # the author deleted their data meanwhile
        guild = self.bot.get_guild(submission.guild_id)
        targets = [Target(user_id=submission.user_id)]
        if submission.channel_id is not None:
            targets.append(
                Target(channel_id=submission.channel_id, mention_user_id=submission.user_id)
            )
        return Draft(
            targets=targets,
            embed=render.outcome_notice(submission, guild.name if guild else None),
        )

    async def confirm(self, session: AsyncSession, claim: Claim, message_id: int) -> None:
        """The outbox row is the record; nothing else to store."""

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        """DMs closed and the channel refused too: settle it, never retry into a 403."""
        await self.bot.delivery.outbox.fail(claim, "DMs closed and the channel refused")


async def notify_author(bot: MentorBot, submission: Submission) -> None:
    """Tell the author now (the next delivery tick would otherwise do it)."""
    await bot.delivery.deliver(bot.delivery.feed(KIND), _due(submission))


# -- the cog ---------------------------------------------------------------------------------


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


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Packs(bot))

"""``/mod submissions``: the moderators' review queue, its buttons and the reject form.

Review buttons are persistent, with the submission id in their custom id, so they keep
working after a restart; each click re-checks Manage Server.
"""

from __future__ import annotations

import discord

from bot.app import MentorBot
from bot.ui.buttons import ID, PersistentButton, one_of
from bot.ui.embeds import packs as render
from bot.ui.replies import reply
from bot.ui.views import MentorModal
from cogs.server_packs._notify import notify_author
from cogs.server_packs._submit import QuestionModal
from cogs.server_packs._utils import moderator_guild


def review_view(submission_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReviewButton("a", submission_id))
    view.add_item(ReviewButton("e", submission_id))
    view.add_item(ReviewButton("r", submission_id))
    return view


async def show_queue(interaction: discord.Interaction[MentorBot], *, edit: bool) -> None:
    """The oldest pending submission with its buttons (edits the review message when ``edit``)."""
    guild_id = moderator_guild(interaction)
    services = interaction.client.services
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
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(label=label, style=style)
        super().__init__(button, action=action, submission_id=submission_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = moderator_guild(interaction)
        packs = interaction.client.services.packs
        if self.action == "a":
            done = await packs.approve(guild_id, self.submission_id, interaction.user.id)
            await show_queue(interaction, edit=True)
            await interaction.followup.send(render.decided(done), ephemeral=True)
            await notify_author(interaction.client, done)
        elif self.action == "e":
            submission = await packs.submission(guild_id, self.submission_id)
            await interaction.response.send_modal(QuestionModal.editing(submission))
        else:
            await packs.submission(guild_id, self.submission_id)  # still there?
            await interaction.response.send_modal(RejectModal(self.submission_id))


class RejectModal(MentorModal, title="Reject a submission"):
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

    async def submit(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = moderator_guild(interaction)
        done = await interaction.client.services.packs.reject(
            guild_id, self.submission_id, interaction.user.id, self.reason.value
        )
        await interaction.response.send_message(render.decided(done), ephemeral=True)
        await notify_author(interaction.client, done)

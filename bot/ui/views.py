"""Base classes for views and modals so that a failing button or form reports like a failing command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.ui.errors import report_error

if TYPE_CHECKING:
    from bot.app import MentorBot


class MentorView(discord.ui.View):
    """A view whose callback errors get the bot's standard ephemeral error message."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Reply to a failed button or menu with the short sentence its error calls for."""
        await report_error(interaction, error)


class OwnedView(MentorView):
    """A view only the member who opened it may use (pagination, confirmations...)."""

    def __init__(self, owner_id: int, *, timeout: float | None = 600) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the member the message was for may use its buttons; others are told so."""
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons belong to someone else's message; run the command yourself.",
                ephemeral=True,
            )
            return False
        return True


class Confirmation(OwnedView):
    """A yes-or-no question for the member who asked: a red button that does it, and Cancel.

    ``on_confirm`` answers the press itself (it edits the question into the outcome);
    Cancel edits it into ``cancelled``. Either press ends the view.
    """

    def __init__(
        self,
        owner_id: int,
        *,
        label: str,
        on_confirm: Callable[[discord.Interaction[MentorBot]], Awaitable[None]],
        cancelled: str,
    ) -> None:
        super().__init__(owner_id, timeout=120)
        self.confirm.label = label
        self._on_confirm = on_confirm
        self._cancelled = cancelled

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[Confirmation]
    ) -> None:
        """Do what was asked; ``on_confirm`` says what happened."""
        self.stop()
        await self._on_confirm(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[Confirmation]
    ) -> None:
        """Close the question; nothing changes."""
        self.stop()
        await interaction.response.edit_message(content=self._cancelled, embed=None, view=None)


class MentorModal(discord.ui.Modal):
    """A form whose :meth:`submit` gets the bot's interaction and whose errors get the standard message."""

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        """Run :meth:`submit` (discord.py types this for an interaction of any client)."""
        await self.submit(interaction)

    async def submit(self, interaction: discord.Interaction[MentorBot]) -> None:
        """What submitting the form does."""
        raise NotImplementedError

    async def on_error(  # type: ignore[override]  # Modal's own signature: discord.py's Modal.on_error drops BaseView's item
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        """Reply to a failed form with the short sentence its error calls for."""
        await report_error(interaction, error)

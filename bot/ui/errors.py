"""One place that turns every failure of a command or a component into a short, private message."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot import metrics
from bot.services.errors import UserError
from bot.ui.options import check_options
from bot.ui.replies import reply

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on our side. It has been logged; please try again in a moment."


def describe(error: BaseException) -> str | None:
    """The message for an error the user can act on, or None for an unexpected failure."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = (
            error.__cause__ if isinstance(error, app_commands.TransformerError) else error.original
        )
        if isinstance(inner, UserError):
            return str(inner)
        if isinstance(error, app_commands.TransformerError):
            if error.type is discord.AppCommandOptionType.channel:
                return "That kind of channel cannot be used here; pick a text channel."
            return f"“{str(error.value)[:50]}” is not a valid value for this option."
        return None
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(
            p.replace("_", " ").replace("guild", "server") for p in error.missing_permissions
        )
        return f"You need the {needed} permission to use this command."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works inside a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    return None


def command_label(interaction: discord.Interaction, fallback: str = "component") -> str:
    """A low-cardinality name for metrics and logs: the command, or the component's kind."""
    return interaction.command.qualified_name if interaction.command else fallback


def count_interaction(interaction: discord.Interaction, label: str, outcome: str) -> None:
    """Record one handled interaction and how long it took since Discord created it."""
    metrics.INTERACTIONS.labels(label, outcome).inc()
    elapsed = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    metrics.INTERACTION_SECONDS.labels(label).observe(max(elapsed, 0.0))


async def report_error(
    interaction: discord.Interaction, error: BaseException, *, label: str | None = None
) -> None:
    """Tell the user what went wrong (privately); log the traceback of unexpected errors."""
    message = describe(error)
    command = label or command_label(interaction)
    count_interaction(interaction, command, "error" if message is None else "user_error")
    if message is None:
        log.error("Unhandled error in %s", command, exc_info=error)
        message = UNEXPECTED
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.warning("Could not deliver an error message for interaction %s", interaction.id)


class MentorTree(app_commands.CommandTree):
    """The command tree with the bot's single error handler."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Reply to a failed command with the short sentence its error calls for."""
        await report_error(interaction, error)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Before any command: refuse option values Discord's client would not send."""
        if interaction.type is discord.InteractionType.application_command:
            check_options(interaction, self)
        return True

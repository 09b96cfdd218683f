"""``/settings``: a member's personal settings.

``/settings timezone`` says what it understood and saves only when the member presses
Save (or Cancel), because a change starts a 7-day cooldown; the saved change can be undone for 10 minutes (the Undo
button or ``/settings timezone-undo``). The buttons keep their state in the custom_id,
so they work after a restart.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.services.errors import UserError
from bot.services.places import warm_up
from bot.services.profile import TIMEZONE_COOLDOWN, TimezoneChange
from bot.services.zones import ZoneMatch, ZoneOption, is_zone, offset_text
from bot.ui.buttons import ID, PersistentButton, matching
from bot.ui.transformers import Timezone

_ZONE = r"[A-Za-z0-9/_+\-]{1,64}"
NOT_YOURS = "These buttons belong to someone else's message; run the command yourself."


class SaveZoneButton(
    PersistentButton, custom_id="tz:save:{user_id}:{zone}", user_id=ID, zone=matching(_ZONE)
):
    """Saves the zone in its custom_id as the presser's timezone (only the asker may press)."""

    user_id: int
    zone: str

    def __init__(self, user_id: int, zone: str, label: str, *, primary: bool = True) -> None:
        style = discord.ButtonStyle.success if primary else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(label=label[:80], style=style), user_id=user_id, zone=zone
        )

    async def interaction_check(self, interaction: discord.Interaction[discord.Client], /) -> bool:
        """Only the member who asked may press."""
        return await _owner_only(interaction, self.user_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Save the zone, move the reminder with it, and offer Undo."""
        if not is_zone(self.zone):  # a custom_id this bot did not make
            raise UserError("That button names no timezone I know; run /settings timezone again.")
        bot = interaction.client
        change = await bot.services.profile.set_timezone(
            self.user_id, self.zone, interaction.guild_id
        )
        note = await _follow(bot, self.user_id, change.timezone)
        assert change.next_change_allowed is not None  # a change starts the cooldown
        text = (
            f"🕰️ Your timezone is now **{change.timezone}** (it is {change.local_time:%H:%M} there). "
            f"Your streak days follow it from now on; you can change it again after "
            f"{discord.utils.format_dt(change.next_change_allowed, 'D')}.{note}"
            "\nWrong zone? **Undo** within 10 minutes (or `/settings timezone-undo`)."
        )
        view = discord.ui.View(timeout=None)
        view.add_item(UndoZoneButton(self.user_id))
        await interaction.response.edit_message(content=text, view=view)


class CancelZoneButton(PersistentButton, custom_id="tz:cancel:{user_id}", user_id=ID):
    """Leaves the timezone as it is."""

    user_id: int

    def __init__(self, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Cancel", style=discord.ButtonStyle.secondary),
            user_id=user_id,
        )

    async def interaction_check(self, interaction: discord.Interaction[discord.Client], /) -> bool:
        """Only the member who asked may press."""
        return await _owner_only(interaction, self.user_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Close the question without a change."""
        await interaction.response.edit_message(
            content="Nothing changed: your timezone stays as it was.", view=None
        )


class UndoZoneButton(PersistentButton, custom_id="tz:undo:{user_id}", user_id=ID):
    """Puts back the timezone from before the latest change (for 10 minutes)."""

    user_id: int

    def __init__(self, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Undo", emoji="↩️", style=discord.ButtonStyle.danger),
            user_id=user_id,
        )

    async def interaction_check(self, interaction: discord.Interaction[discord.Client], /) -> bool:
        """Only the member whose timezone changed may press."""
        return await _owner_only(interaction, self.user_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Put back the previous timezone (and move the reminder back)."""
        bot = interaction.client
        change = await bot.services.profile.undo_timezone(self.user_id, interaction.guild_id)
        note = await _follow(bot, self.user_id, change.timezone)
        await interaction.response.edit_message(content=_undone(change) + note, view=None)


async def _owner_only(interaction: discord.Interaction[discord.Client], user_id: int) -> bool:
    if interaction.user.id != user_id:
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False
    return True


async def _follow(bot: MentorBot, user_id: int, zone: str) -> str:
    """Move the member's reminder to ``zone`` (same local time); a sentence saying so."""
    reminder = await bot.services.reminders.follow_timezone(user_id, zone)
    if reminder is None:
        return ""
    return f" Your reminder stays at {reminder.at:%H:%M} local time."


def _undone(change: TimezoneChange) -> str:
    whose = "the server's timezone, " if change.inherited else ""
    text = f"↩️ Undone: your timezone is back to {whose}**{change.timezone}** (it is {change.local_time:%H:%M} there)."
    if change.next_change_allowed is not None:
        text += f" You can change it again after {discord.utils.format_dt(change.next_change_allowed, 'D')}."
    else:
        text += " You can change it again whenever you like."
    return text


def confirmation(match: ZoneMatch, user_id: int, now: datetime) -> tuple[str, discord.ui.View]:
    """The "here is what I understood" message and its buttons."""
    view = discord.ui.View(timeout=None)
    if match.zone is None:
        lines = [f"🤔 {match.note or 'That could mean more than one place.'} Which one?"]
        for option in match.alternatives[:4]:
            lines.append(f"• {option.label} → **{option.zone}** ({offset_text(option.zone, now)})")
            view.add_item(SaveZoneButton(user_id, option.zone, f"{option.label} → {option.zone}"))
    else:
        lines = [
            f"I understood **{match.summary()}** ({offset_text(match.zone, now)}; "
            f"it is {now.astimezone(ZoneInfo(match.zone)):%H:%M} there now)."
        ]
        if match.note:
            lines.append(match.note)
        view.add_item(SaveZoneButton(user_id, match.zone, f"Save {match.zone}"))
        others: list[ZoneOption] = [o for o in match.alternatives if o.zone != match.zone]
        for option in others[:3]:
            label = f"{option.label} → {option.zone}"
            view.add_item(SaveZoneButton(user_id, option.zone, label, primary=False))
    lines.append(
        f"Saving starts a {TIMEZONE_COOLDOWN.days}-day wait before the next change (a wrong save can "
        "be undone for 10 minutes)."
    )
    view.add_item(CancelZoneButton(user_id))
    return "\n".join(lines), view


class Settings(commands.Cog):
    """Personal settings."""

    settings = app_commands.Group(name="settings", description="Your personal settings.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the timezone buttons and start building the place index."""
        self.bot.add_dynamic_items(SaveZoneButton, CancelZoneButton, UndoZoneButton)
        warm_up()  # started by build_bot already, unless the bot was built some other way

    @settings.command(
        name="timezone", description="Your timezone, so days and reminders follow your clock."
    )
    @app_commands.describe(
        timezone="A city, country, abbreviation or offset: berlin, new york, India, CET, UTC+2"
    )
    async def timezone(
        self, interaction: discord.Interaction[MentorBot], timezone: Timezone
    ) -> None:
        """Say what the typed timezone was understood as; Save or Cancel decide."""
        if timezone.zone is not None:
            await self.bot.services.profile.check_timezone_change(
                interaction.user.id, timezone.zone
            )
        text, view = confirmation(timezone, interaction.user.id, self.bot.services.clock.now())
        await interaction.response.send_message(text, view=view, ephemeral=True)

    @settings.command(
        name="timezone-undo", description="Undo your last timezone change (within 10 minutes)."
    )
    async def timezone_undo(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Put back the timezone from before the latest change."""
        change = await self.bot.services.profile.undo_timezone(
            interaction.user.id, interaction.guild_id
        )
        note = await _follow(self.bot, interaction.user.id, change.timezone)
        await interaction.response.send_message(_undone(change) + note, ephemeral=True)

    @settings.command(
        name="milestone-pings",
        description="Whether milestone posts in servers mention you (off by default).",
    )
    @app_commands.describe(ping="On: milestone posts mention you; off: they show your name only")
    async def milestone_pings(
        self, interaction: discord.Interaction[MentorBot], ping: bool
    ) -> None:
        """Save whether milestone posts mention the member."""
        await self.bot.services.recaps.set_pings(interaction.user.id, ping)
        text = (
            "🔔 Milestone posts will mention you."
            if ping
            else "🔕 Milestone posts show your name without a ping."
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: MentorBot) -> None:
    """Add the settings cog to the bot (the extension's entry point)."""
    await bot.add_cog(Settings(bot))

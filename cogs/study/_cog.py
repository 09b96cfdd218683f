"""The ``/study`` commands: ``log``, ``undo``, ``history`` and ``start`` (the timer is in ``_timer``)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.services.errors import UserError
from bot.services.study import MAX_MINUTES, MIN_MINUTES, NOTE_LIMIT, StudyRecord
from bot.services.study_timer import DEFAULT_BREAK, DEFAULT_FOCUS, MAX_BREAK, MAX_FOCUS, MIN_FOCUS
from bot.ui.autocomplete import skill_choices
from bot.ui.embeds import habits as render
from bot.ui.style import counted
from bot.ui.views import MentorModal, OwnedView
from cogs.study import _timer as timer


class EditEntry(MentorModal, title="Edit study entry"):
    """Minutes and note of one entry; the points and the study board follow."""

    def __init__(self, bot: MentorBot, record: StudyRecord) -> None:
        super().__init__(timeout=600)
        self.bot = bot
        self.record = record
        self.minutes: discord.ui.TextInput[EditEntry] = discord.ui.TextInput(
            label=f"Minutes ({MIN_MINUTES}–{MAX_MINUTES})",
            custom_id="minutes",
            default=str(record.minutes),
            max_length=3,
        )
        self.note: discord.ui.TextInput[EditEntry] = discord.ui.TextInput(
            label="Note",
            custom_id="note",
            default=record.note or "",
            required=False,
            max_length=NOTE_LIMIT,
            style=discord.TextStyle.paragraph,
        )
        self.add_item(self.minutes)
        self.add_item(self.note)

    async def submit(self, interaction: discord.Interaction[MentorBot]) -> None:
        text = self.minutes.value.strip()
        if not text.isdigit():
            raise UserError(
                f"Minutes must be a whole number between {MIN_MINUTES} and {MAX_MINUTES}."
            )
        record = await self.bot.services.study.edit(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            activity_id=self.record.activity_id,
            minutes=int(text),
            note=self.note.value or None,
        )
        await interaction.response.send_message(
            "✏️ Saved: " + render.study_entry(record, self.bot.services.content), ephemeral=True
        )


class EntryActions(OwnedView):
    """Edit or delete the entry picked in /study history."""

    def __init__(self, bot: MentorBot, owner_id: int, record: StudyRecord) -> None:
        super().__init__(owner_id, timeout=600)
        self.bot = bot
        self.record = record

    @discord.ui.button(label="Edit", emoji="✏️", style=discord.ButtonStyle.primary)
    async def edit(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[EntryActions]
    ) -> None:
        await interaction.response.send_modal(EditEntry(self.bot, self.record))

    @discord.ui.button(label="Delete", emoji="🗑️", style=discord.ButtonStyle.danger)
    async def delete(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[EntryActions]
    ) -> None:
        entry = await self.bot.services.study.delete(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            activity_id=self.record.activity_id,
        )
        label = render.study_label(self.record, self.bot.services.content)
        await interaction.response.edit_message(
            content=f"🗑️ Deleted {label}. Streak: {counted(entry.streak, 'day')}.", view=None
        )


class HistoryView(OwnedView):
    """A menu of the entries that can still be changed."""

    def __init__(self, bot: MentorBot, owner_id: int, records: list[StudyRecord]) -> None:
        super().__init__(owner_id, timeout=600)
        self.bot = bot
        self.records = {str(r.activity_id): r for r in records if r.editable}
        self.pick.options = [
            discord.SelectOption(
                label=render.study_label(r, bot.services.content)[:100],
                value=key,
                description=(r.note or "no note")[:100],
            )
            for key, r in list(self.records.items())[:25]
        ]

    @discord.ui.select(cls=discord.ui.Select["HistoryView"], placeholder="Edit or delete an entry…")
    async def pick(
        self, interaction: discord.Interaction[MentorBot], menu: discord.ui.Select[HistoryView]
    ) -> None:
        record = self.records.get(menu.values[0])
        if record is None:
            raise UserError("That entry is not in this list any more; run /study history again.")
        await interaction.response.send_message(
            render.study_entry(record, self.bot.services.content),
            view=EntryActions(self.bot, interaction.user.id, record),
            ephemeral=True,
        )


NOTIFY_CHOICES = [
    app_commands.Choice(name="In this channel", value="here"),
    app_commands.Choice(name="By DM", value="dm"),
]


class Study(commands.Cog):
    """Log study time; it keeps the streak going and earns study points in this server."""

    study = app_commands.Group(name="study", description="Your study log.")

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(timer.TimerButton)
        self.bot.delivery.register(timer.StudyEndFeed(self.bot))

    @study.command(
        name="start", description="Start a focus session (pomodoro) that logs itself at the end."
    )
    @app_commands.describe(
        minutes=f"Focus length ({MIN_FOCUS}–{MAX_FOCUS} minutes, default {DEFAULT_FOCUS})",
        skill="What you will study",
        break_minutes=f"Break after it (0–{MAX_BREAK} minutes, default {DEFAULT_BREAK})",
        notify="Where to tell you it is over",
    )
    @app_commands.rename(break_minutes="break")
    @app_commands.choices(notify=NOTIFY_CHOICES)
    @app_commands.autocomplete(skill=skill_choices)
    async def start(
        self,
        interaction: discord.Interaction[MentorBot],
        minutes: app_commands.Range[int, MIN_FOCUS, MAX_FOCUS] = DEFAULT_FOCUS,
        skill: app_commands.Range[str, 1, 100] | None = None,
        break_minutes: app_commands.Range[int, 0, MAX_BREAK] = DEFAULT_BREAK,
        notify: str = "here",
    ) -> None:
        await timer.start(
            interaction, minutes=minutes, break_minutes=break_minutes, skill=skill, notify=notify
        )

    @study.command(
        name="log", description="Log minutes you studied, optionally on a skill, with a note."
    )
    @app_commands.describe(
        minutes=f"How long ({MIN_MINUTES}–{MAX_MINUTES} minutes)",
        skill="What you studied",
        note=f"A short note for yourself (up to {NOTE_LIMIT} characters)",
    )
    @app_commands.autocomplete(skill=skill_choices)
    async def log(
        self,
        interaction: discord.Interaction[MentorBot],
        minutes: app_commands.Range[int, MIN_MINUTES, MAX_MINUTES],
        skill: app_commands.Range[str, 1, 100] | None = None,
        note: app_commands.Range[str, 1, NOTE_LIMIT] | None = None,
    ) -> None:
        entry = await self.bot.services.study.log(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            display_name=interaction.user.display_name,
            minutes=minutes,
            skill=skill,
            note=note,
        )
        await interaction.response.send_message(
            embed=render.study_logged(entry, self.bot.services.content), ephemeral=True
        )

    @study.command(name="undo", description="Remove your last study entry of today.")
    async def undo(self, interaction: discord.Interaction[MentorBot]) -> None:
        entry = await self.bot.services.study.undo_last(
            user_id=interaction.user.id, guild_id=interaction.guild_id
        )
        await interaction.response.send_message(embed=render.study_undone(entry), ephemeral=True)

    @study.command(
        name="history",
        description="Your study entries of the last 30 days, with notes; edit or delete.",
    )
    async def history(self, interaction: discord.Interaction[MentorBot]) -> None:
        records = await self.bot.services.study.history(
            user_id=interaction.user.id, guild_id=interaction.guild_id
        )
        embed = render.study_history(records, self.bot.services.content)
        if any(r.editable for r in records):
            await interaction.response.send_message(
                embed=embed,
                view=HistoryView(self.bot, interaction.user.id, records),
                ephemeral=True,
            )
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)

"""The study timer's Discord side: ``/study start``, its buttons and the session-end feed.

The buttons are dynamic items carrying the session id, so they work after a restart;
the end of a session is a delivery feed, so it fires on time after a restart too.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.app import MentorBot
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Feed, Target, Undeliverable
from bot.services.errors import UserError
from bot.services.study_timer import ENDED, KIND, PAUSED, TimerView
from bot.ui.buttons import ID, PersistentButton, one_of
from bot.ui.embeds.study_timer import end_notice, timer_card


def timer_view(view: TimerView) -> discord.ui.View | None:
    """Pause (or Resume) and Stop while the session is open; no buttons once it is over."""
    if view.state == ENDED:
        return None
    buttons = discord.ui.View(timeout=None)
    buttons.add_item(TimerButton(view.id, "resume" if view.state == PAUSED else "pause"))
    buttons.add_item(TimerButton(view.id, "stop"))
    return buttons


LOOK = {
    "pause": ("Pause", "⏸️", discord.ButtonStyle.secondary),
    "resume": ("Resume", "▶️", discord.ButtonStyle.primary),
    "stop": ("Stop", "⏹️", discord.ButtonStyle.danger),
}


class TimerButton(
    PersistentButton,
    custom_id="study:{action}:{session_id}",
    action=one_of(*LOOK),
    session_id=ID,
):
    """Pause, resume or stop a focus session; only its owner may."""

    action: str
    session_id: int

    def __init__(self, session_id: int, action: str) -> None:
        label, emoji, style = LOOK[action]
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=label, emoji=emoji, style=style
        )
        super().__init__(button, action=action, session_id=session_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        services = interaction.client.services
        act = {
            "pause": services.timer.pause,
            "resume": services.timer.resume,
            "stop": services.timer.stop,
        }[self.action]
        view = await act(self.session_id, interaction.user.id)
        buttons = timer_view(view)
        await interaction.response.edit_message(
            embed=timer_card(view, services.content),
            view=buttons if buttons is not None else discord.ui.View(),
        )


class StudyEndFeed(Feed):
    """A session's end: log it (once), then tell the member by DM or in its channel."""

    kind = KIND

    async def due(self, now_utc: datetime) -> list[Due]:
        return await self.bot.services.timer.due(now_utc)

    async def draft(self, claim: Claim) -> Draft | None:
        try:
            view = await self.bot.services.timer.finish(claim.subject_id)
        except UserError:
            return None  # paused or deleted at that very moment: nothing ends now
        if view.outcome == "stopped":
            return None  # the member stopped it and was answered then
        dm = Target(user_id=view.user_id)
        here = (
            [Target(channel_id=view.channel_id, mention_user_id=view.user_id)]
            if view.channel_id is not None
            else []
        )
        targets = [dm, *here] if view.notify == "dm" else [*here, dm]
        return Draft(targets=targets, embed=end_notice(view, self.bot.services.content))

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        # The minutes are logged; only the notice could not reach the member.
        await self.bot.delivery.outbox.fail(claim, "DMs closed and no channel I could post in")


async def start(
    interaction: discord.Interaction[MentorBot],
    *,
    minutes: int,
    break_minutes: int,
    skill: str | None,
    notify: str,
) -> None:
    """``/study start``: open a session and show it with its buttons.

    The card is public in a server (others see who is focusing; only the owner's
    presses count) and carries no user text. With a session already open, the member gets
    that session's card and buttons instead (privately).
    """
    services = interaction.client.services
    open_now = await services.timer.current(interaction.user.id)
    if open_now is not None:  # its card may be far up the channel: bring its buttons here
        await interaction.response.send_message(
            "You already have a focus session open: here it is, to pause or stop.",
            embed=timer_card(open_now, services.content),
            view=timer_view(open_now) or discord.utils.MISSING,
            ephemeral=True,
        )
        return
    view = await services.timer.start(
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id if interaction.guild_id else None,
        display_name=interaction.user.display_name,
        minutes=minutes,
        break_minutes=break_minutes,
        skill=skill,
        notify=notify,
    )
    buttons = timer_view(view)
    assert buttons is not None
    await interaction.response.send_message(embed=timer_card(view, services.content), view=buttons)

"""``/career``: career tracks, a goal, this week's plan and readiness for the role."""

from __future__ import annotations

import logging
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Feed, Target, Undeliverable
from bot.services.career import PLAN_KIND
from bot.services.errors import UserError
from bot.ui.autocomplete import track_choices
from bot.ui.buttons import ID, SLUG, PersistentButton
from bot.ui.embeds import career as render

log = logging.getLogger(__name__)


def _regenerate_button() -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(label="Regenerate", emoji="🔄", style=discord.ButtonStyle.secondary)


async def _show_plan_again(
    interaction: discord.Interaction[MentorBot], user_id: int, track: str | None
) -> None:
    """Rebuild the member's plan (for their goal, or for ``track``) from their latest answers."""
    if interaction.user.id != user_id:
        raise UserError("This plan belongs to someone else; run `/career plan` for yours.")
    plan = await interaction.client.services.career.plan(user_id, track)
    await interaction.response.edit_message(
        embed=render.plan_embed(plan), view=plan_view(user_id, track)
    )


class RegeneratePlan(PersistentButton, custom_id="career:plan:{user_id}", user_id=ID):
    """Builds the plan for the member's goal again (only for the member it belongs to)."""

    user_id: int

    def __init__(self, user_id: int) -> None:
        super().__init__(_regenerate_button(), user_id=user_id)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Show the member's plan again, rebuilt from their latest answers."""
        await _show_plan_again(interaction, self.user_id, None)


class RegenerateTrackPlan(
    PersistentButton, custom_id="career:plan:{user_id}:{track}", user_id=ID, track=SLUG
):
    """Builds a plan for a track other than the goal again, for that same track."""

    user_id: int
    track: str

    def __init__(self, user_id: int, track: str) -> None:
        super().__init__(_regenerate_button(), user_id=user_id, track=track)

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Show the plan for the same track again, rebuilt from the latest answers."""
        await _show_plan_again(interaction, self.user_id, self.track)


def plan_view(user_id: int, track: str | None = None) -> discord.ui.View:
    """The buttons under a plan: Regenerate (for that track, if not the goal's), for its member."""
    view = discord.ui.View(timeout=None)
    view.add_item(RegeneratePlan(user_id) if track is None else RegenerateTrackPlan(user_id, track))
    return view


class CareerPlanFeed(Feed):
    """The opt-in weekly plan by DM, on Monday morning the member's time."""

    kind = PLAN_KIND

    async def due(self, now_utc: datetime) -> list[Due]:
        """Members whose weekly plan DM is due (Monday morning their time)."""
        return await self.bot.services.career.weekly_dm_due(now_utc)

    async def draft(self, claim: Claim) -> Draft | None:
        """The plan as a DM; None if the goal or its track is gone."""
        try:
            plan = await self.bot.services.career.plan(claim.subject_id)
        except UserError:
            return None  # the goal was removed or its track retired
        return Draft(
            targets=[Target(user_id=claim.subject_id)],
            content=(
                "🗓️ Your plan for this week (you asked for it every Monday; "
                f"`/career goal track: {plan.track.slug} weekly_plan_dm: False` stops it)."
            ),
            embed=render.plan_embed(plan),
        )

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        """DMs closed: fail this week's DM and stop sending it."""
        await self.bot.delivery.outbox.fail(claim, "DMs closed")
        await self.bot.services.career.stop_weekly_dm(claim.subject_id)


class Career(commands.Cog):
    """The career mentor: where you stand against the role you want, and what to do next."""

    career = app_commands.Group(
        name="career", description="Career tracks, your goal and your plan."
    )

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the Regenerate button and the weekly plan feed."""
        self.bot.add_dynamic_items(RegeneratePlan, RegenerateTrackPlan)
        self.bot.delivery.register(CareerPlanFeed(self.bot))

    @career.command(name="tracks", description="The career tracks: what each role does and needs.")
    async def tracks(self, interaction: discord.Interaction[MentorBot]) -> None:
        """Every career track, with the member's goal marked."""
        goal = await self.bot.services.career.goal(interaction.user.id)
        await interaction.response.send_message(
            embed=render.tracks_embed(
                self.bot.services.career.tracks(), goal[0].slug if goal else None
            ),
            ephemeral=True,
        )

    @career.command(name="goal", description="Choose the role you are working towards.")
    @app_commands.describe(
        track="A career track (see /career tracks)",
        weekly_minutes="Your weekly study-time target (default 180)",
        weekly_plan_dm="Send me my plan by DM every Monday morning",
    )
    @app_commands.autocomplete(track=track_choices)
    async def goal(
        self,
        interaction: discord.Interaction[MentorBot],
        track: app_commands.Range[str, 1, 60],
        weekly_minutes: app_commands.Range[int, 15, 3000] | None = None,
        weekly_plan_dm: bool | None = None,
    ) -> None:
        """Save the member's goal, weekly study target and plan DM choice."""
        chosen, minutes, dm = await self.bot.services.career.set_goal(
            interaction.user.id, track, weekly_minutes=weekly_minutes, weekly_dm=weekly_plan_dm
        )
        dm_text = " Your plan comes by DM every Monday morning." if dm else ""
        await interaction.response.send_message(
            f"🎯 Your goal is **{chosen.name}**, with {minutes} minutes of study a week.{dm_text} "
            "See your week with `/career plan` and where you stand with `/career readiness`.",
            ephemeral=True,
        )

    @career.command(name="plan", description="This week's plan towards your goal.")
    @app_commands.describe(track="Plan for another track than your goal")
    @app_commands.autocomplete(track=track_choices)
    async def plan(
        self,
        interaction: discord.Interaction[MentorBot],
        track: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """This week's plan towards the goal (or another track), with a Regenerate button."""
        plan = await self.bot.services.career.plan(interaction.user.id, track)
        view = plan_view(interaction.user.id, plan.track.slug if track else None)
        await interaction.response.send_message(
            embed=render.plan_embed(plan), view=view, ephemeral=True
        )

    @career.command(name="readiness", description="Where you stand against your goal's targets.")
    @app_commands.describe(track="Check another track than your goal")
    @app_commands.autocomplete(track=track_choices)
    async def readiness(
        self,
        interaction: discord.Interaction[MentorBot],
        track: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """Where the member stands against a track's targets, with a chart."""
        readiness = await self.bot.services.career.readiness(interaction.user.id, track)
        await interaction.response.send_message(
            embed=render.readiness_embed(readiness),
            file=render.readiness_chart(readiness),
            ephemeral=True,
        )


async def setup(bot: MentorBot) -> None:
    """Add the career cog to the bot (the extension's entry point)."""
    await bot.add_cog(Career(bot))

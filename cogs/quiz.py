"""The quiz: the guild's daily question, private practice and review.

Answer buttons are dynamic items whose custom ids carry the post or prompt id and
the chosen position, so buttons on old messages keep working after a restart.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import MentorBot
from bot.content.catalogue import Content
from bot.content.schema import Category, Level
from bot.delivery.guild_posts import GuildPostFeed
from bot.delivery.outbox import Claim, Due
from bot.delivery.pipeline import Draft, Target
from bot.services.assessments import INTERVIEW, PLACEMENT, Step
from bot.services.daily_quiz import KIND, DailyResult
from bot.services.practice import Prompt
from bot.services.quiz_bank import ShownQuestion
from bot.ui import checks
from bot.ui.autocomplete import track_choices
from bot.ui.buttons import ID, POSITION, PersistentButton
from bot.ui.embeds import assessments as assessment_render
from bot.ui.embeds import quiz as render
from bot.ui.replies import in_time
from bot.ui.style import clip

log = logging.getLogger(__name__)

Button = discord.ui.Button[discord.ui.View]

DIFFICULTY_CHOICES = [
    app_commands.Choice(name=level.value.capitalize(), value=level.value) for level in Level
]


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
        button = discord.ui.Button(label=label, emoji="➡️", style=discord.ButtonStyle.primary)
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


async def show_result(bot: MentorBot, result: DailyResult) -> None:
    """Edit a closed question's message to show the answer and the numbers."""
    if result.message_id is None:
        return
    message = bot.get_partial_messageable(result.channel_id).get_partial_message(result.message_id)
    try:
        await message.edit(
            embed=render.closed_daily(result, bot.services.content, result.local_date),
            view=closed_view(result.post_id, result.shown),
        )
    except discord.HTTPException as exc:
        log.info("Could not edit closed question %s: %s", result.post_id, exc.status)


class DailyQuizFeed(GuildPostFeed):
    """The daily question as a delivery feed: what is due, what to post, what to record."""

    kind = KIND
    what = "the daily question"
    resume_command = "/mod quiz-schedule"

    async def due(self, now_utc: datetime) -> list[Due]:
        return await self.bot.services.daily.due(now_utc)

    async def draft(self, claim: Claim) -> Draft:
        daily = self.bot.services.daily
        local_date = date.fromisoformat(claim.period)
        plan = await daily.prepare_post(claim.subject_id, local_date)
        previous = await daily.previous_result(claim.subject_id, local_date)
        embed = render.daily_question(plan.shown, self.bot.services.content, local_date, previous)
        return Draft(
            targets=[Target(channel_id=plan.channel_id)],
            embed=embed,
            view=daily_view(plan.post_id, plan.shown),
            marker=f"quiz:d:{plan.post_id}:",
        )

    async def confirm(self, session: AsyncSession, claim: Claim, message_id: int) -> None:
        await self.bot.services.daily.confirm_post(
            session, claim.subject_id, date.fromisoformat(claim.period), message_id
        )

    async def after_sent(self, claim: Claim) -> None:
        daily = self.bot.services.daily
        current = await daily.current_post(claim.subject_id)
        keep = current.post_id if current else None
        for result in await daily.close_open_posts(claim.subject_id, keep=keep):
            await show_result(self.bot, result)

    async def sweep(self, now_utc: datetime) -> None:
        for result in await self.bot.services.daily.close_due(now_utc, self.bot.delivery.owns):
            await show_result(self.bot, result)


class Quiz(commands.Cog):
    """Daily questions in study channels; practice and review in private."""

    quiz = app_commands.Group(
        name="quiz", description="Quiz questions: practice, review and the daily question."
    )

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DailyChoice, PromptChoice, NextPrompt)
        self.bot.delivery.register(DailyQuizFeed(self.bot, self.bot.services.daily))

    # -- member commands --------------------------------------------------------------

    async def topic_autocomplete(
        self, interaction: discord.Interaction[MentorBot], current: str
    ) -> list[app_commands.Choice[str]]:
        content = self.bot.services.content
        folded = current.casefold().strip()
        categories = [
            app_commands.Choice(name=f"{c.label} (category)", value=c.value)
            for c in Category
            if folded and (folded in c.label.casefold() or folded in c.value)
        ]
        skills = [
            app_commands.Choice(name=clip(f"{s.name} · {s.category.label}", 100), value=s.slug)
            for s in content.index.complete(current)
            if content.questions_by_skill.get(s.slug)
        ]
        return (categories + skills)[:25]

    @quiz.command(
        name="practice", description="A private practice question; press Next to keep going."
    )
    @app_commands.describe(
        topic="A skill or a category (leave empty for anything)", difficulty="How hard"
    )
    @app_commands.autocomplete(topic=topic_autocomplete)
    @app_commands.choices(difficulty=DIFFICULTY_CHOICES)
    async def practice(
        self,
        interaction: discord.Interaction[MentorBot],
        topic: app_commands.Range[str, 1, 100] | None = None,
        difficulty: str | None = None,
    ) -> None:
        await start_practice(interaction, topic=topic, difficulty=difficulty)

    @quiz.command(
        name="placement", description="An adaptive 12-question test, so your skills start right."
    )
    @app_commands.describe(track="The career track to place you on (default: your goal)")
    @app_commands.autocomplete(track=track_choices)
    async def placement(
        self,
        interaction: discord.Interaction[MentorBot],
        track: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        step = await self.bot.services.assessments.start(
            PLACEMENT, user_id=interaction.user.id, guild_id=interaction.guild_id, track=track
        )
        embed, view = step_message(step, self.bot.services.content)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @quiz.command(
        name="review", description="Spaced repetition (FSRS) of the questions you have answered."
    )
    async def review(self, interaction: discord.Interaction[MentorBot]) -> None:
        practice = self.bot.services.practice
        prompt = await practice.review(user_id=interaction.user.id, guild_id=interaction.guild_id)
        if prompt is None:
            count, due = await practice.next_review_date(interaction.user.id)
            text = (
                "You have nothing to review yet — answer a few with `/quiz practice` first."
                if count == 0
                else f"Nothing due today. {count} question(s) on your review list; the next comes back on {due:%A %d %B} (your time)."
            )
            await interaction.response.send_message(text, ephemeral=True)
            return
        await interaction.response.send_message(
            embed=render.prompt_question(prompt, self.bot.services.content),
            view=prompt_view(prompt),
            ephemeral=True,
        )

    @quiz.command(name="today", description="This server's current daily question.")
    @app_commands.guild_only()
    async def today(self, interaction: discord.Interaction[MentorBot]) -> None:
        guild_id = checks.guild_id(interaction)
        post = await self.bot.services.daily.current_post(guild_id)
        if post is None or post.message_id is None:
            schedule = await self.bot.services.daily.schedule(guild_id)
            text = "There is no open daily question right now."
            if schedule and not schedule.paused_reason:
                text += (
                    f" The next one is posted at {schedule.post_time:%H:%M} ({schedule.timezone})."
                )
            elif not schedule:
                text += " Moderators can set one up with `/mod quiz-schedule`."
            await interaction.response.send_message(text, ephemeral=True)
            return
        view = daily_view(post.post_id, post.shown)
        link = f"https://discord.com/channels/{guild_id}/{post.channel_id}/{post.message_id}"
        view.add_item(discord.ui.Button(label="Go to the post", url=link))
        await interaction.response.send_message(
            embed=render.daily_question(post.shown, self.bot.services.content, post.local_date),
            view=view,
            ephemeral=True,
        )


async def setup(bot: MentorBot) -> None:
    await bot.add_cog(Quiz(bot))

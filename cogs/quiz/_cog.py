"""The ``/quiz`` commands: practice, placement, review and today's question."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.content.schema import Category
from bot.services.assessments import PLACEMENT
from bot.ui import checks
from bot.ui.autocomplete import track_choices
from bot.ui.choices import DIFFICULTY_CHOICES
from bot.ui.embeds import quiz as render
from bot.ui.style import clip, counted
from cogs.quiz._feed import DailyQuizFeed
from cogs.quiz._views import (
    DailyChoice,
    NextPrompt,
    PromptChoice,
    daily_view,
    prompt_view,
    start_practice,
    step_message,
)


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
                else f"Nothing due today. {counted(count, 'question')} on your review list; the next comes back on {due:%A %d %B} (your time)."
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
            schedule = await self.bot.services.daily.schedules.get(guild_id)
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

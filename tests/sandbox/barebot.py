"""A bare discord.py bot exercising every interaction kind the sandbox must carry."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks
from PIL import Image

TOPICS = ["docker", "postgres", "kubernetes", "redis", "http caching"]


class SkillView(discord.ui.View):
    """Buttons and a select under a skill card."""

    def __init__(self, skill: str) -> None:
        super().__init__(timeout=60)
        self.skill = skill
        self.add_item(discord.ui.Button(label="Docs", url="https://docs.docker.com/"))

    @discord.ui.button(label="Quiz me", custom_id="skill:quiz", style=discord.ButtonStyle.primary)
    async def quiz(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_message(
            f"Quiz on {self.skill}: what is a layer?", ephemeral=True
        )

    @discord.ui.button(label="Next", custom_id="skill:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        button.disabled = True
        await interaction.response.edit_message(content=f"Next after {self.skill}", view=self)

    @discord.ui.button(label="Later", custom_id="skill:later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"{self.skill}: saved for later")

    @discord.ui.button(label="Answer", custom_id="skill:answer")
    async def answer(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(AnswerModal(self.skill))

    @discord.ui.select(
        custom_id="skill:level",
        placeholder="Your level",
        options=[discord.SelectOption(label=x.title(), value=x) for x in ("novice", "expert")],
    )
    async def level(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message(f"level={select.values[0]}", ephemeral=True)


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """A modal with a row-style input and a label-style input."""

    answer = discord.ui.TextInput(label="Answer", custom_id="answer", max_length=200)
    note: discord.ui.Label[Any] = discord.ui.Label(
        text="Note",
        component=discord.ui.TextInput(
            custom_id="note", required=False, style=discord.TextStyle.long
        ),
    )

    def __init__(self, skill: str) -> None:
        super().__init__()
        self.skill = skill

    async def on_submit(self, interaction: discord.Interaction) -> None:
        note = self.note.component
        assert isinstance(note, discord.ui.TextInput)
        await interaction.response.send_message(
            f"{self.skill}: answer={self.answer.value} note={note.value or '-'}", ephemeral=True
        )


class PickView(discord.ui.View):
    """Entity selects: Discord sends ids plus ``resolved`` users and channels."""

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="pick:users", max_values=2)
    async def users(
        self, interaction: discord.Interaction, select: discord.ui.UserSelect[Any]
    ) -> None:
        names = sorted(u.name for u in select.values)
        await interaction.response.send_message("users=" + ",".join(names), ephemeral=True)

    @discord.ui.select(
        cls=discord.ui.ChannelSelect,
        custom_id="pick:channel",
        channel_types=[discord.ChannelType.text],
        placeholder="Channel",
    )
    async def channel(
        self, interaction: discord.Interaction, select: discord.ui.ChannelSelect[Any]
    ) -> None:
        await interaction.response.send_message(f"channel={select.values[0].name}", ephemeral=True)


class ChallengeCard(discord.ui.LayoutView):
    """A components-v2 layout: a container with text and a section whose accessory is a button."""

    def __init__(self, *, done: bool = False) -> None:
        super().__init__(timeout=60)
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Done" if not done else "Completed", custom_id="challenge:done", disabled=done
        )
        button.callback = self.mark_done
        status = "Completed, well done." if done else "Build a small REST API."
        self.add_item(
            discord.ui.Container(
                discord.ui.TextDisplay("## Weekly challenge"),
                discord.ui.Section(discord.ui.TextDisplay(status), accessory=button),
            )
        )

    async def mark_done(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(view=ChallengeCard(done=True))


class Quiz(app_commands.Group):
    """A group with a sub-command and a nested group."""

    review = app_commands.Group(name="review", description="Review questions")

    @app_commands.command(description="Practice a topic")
    @app_commands.describe(topic="Skill or category")
    @app_commands.choices(
        difficulty=[app_commands.Choice(name=n.title(), value=n) for n in ("beginner", "advanced")]
    )
    async def practice(
        self, interaction: discord.Interaction, topic: str, difficulty: str = "beginner"
    ) -> None:
        await interaction.response.send_message(f"practice {topic} at {difficulty}")

    @practice.autocomplete("topic")
    async def topic_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        level = interaction.namespace.difficulty or "any"
        return [
            app_commands.Choice(name=f"{t} ({level})", value=t)
            for t in TOPICS
            if current.lower() in t
        ]

    @review.command(description="Missed questions")
    async def missed(
        self, interaction: discord.Interaction, count: app_commands.Range[int, 1, 10] = 3
    ) -> None:
        await interaction.response.send_message(f"reviewing {count}")


class Mod(app_commands.Group):
    """Moderator commands: hidden by default permissions, re-checked here."""

    @app_commands.command(description="Show settings")
    async def settings(self, interaction: discord.Interaction) -> None:
        if not interaction.permissions.manage_guild:
            await interaction.response.send_message("You need Manage Server.", ephemeral=True)
            return
        await interaction.response.send_message("settings: ok", ephemeral=True)


class BareBot(commands.AutoShardedBot):
    """Registers the test commands; ``sync`` controls whether setup_hook syncs them."""

    def __init__(
        self, *, sync: bool = True, tick_channel: int | None = None, **options: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            **options,
        )
        self.sync = sync
        self.tick_channel = tick_channel
        self.errors: list[BaseException] = []
        self.failed = asyncio.Event()
        self.tree.add_command(Quiz(name="quiz", description="Quizzes"))
        self.tree.add_command(
            Mod(
                name="mod",
                description="Moderation",
                default_permissions=discord.Permissions(manage_guild=True),
            )
        )
        self.tree.on_error = self._on_tree_error
        self._register()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s pause between shards: the sandbox does not rate limit IDENTIFY."""

    async def setup_hook(self) -> None:
        if self.sync:
            await self.tree.sync()
        if self.tick_channel is not None:
            self.ticker.start()

    @tasks.loop(seconds=0.01, count=3)
    async def ticker(self) -> None:
        channel = self.get_channel(self.tick_channel) or await self.fetch_channel(self.tick_channel)
        assert isinstance(channel, discord.TextChannel)
        await channel.send(f"tick {self.ticker.current_loop}")

    @ticker.before_loop
    async def _ticker_ready(self) -> None:
        await self.wait_until_ready()

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        self.errors.append(error)
        self.failed.set()

    def _register(self) -> None:
        tree = self.tree

        @tree.command(description="Echo typed options back")
        async def echo(
            interaction: discord.Interaction,
            text: str,
            times: int = 1,
            ratio: float = 1.0,
            loud: bool = False,
            member: discord.Member | None = None,
            channel: discord.TextChannel | None = None,
            role: discord.Role | None = None,
        ) -> None:
            words = [text.upper() if loud else text] * times
            parts = [" ".join(words), f"ratio={ratio}"]
            if member:
                parts.append(f"member={member.name}")
            if channel:
                parts.append(f"channel={channel.name}")
            if role:
                parts.append(f"role={role.name}")
            await interaction.response.send_message(
                " | ".join(parts), allowed_mentions=discord.AllowedMentions.none()
            )

        @tree.command(description="A skill card")
        async def skill(interaction: discord.Interaction, name: str) -> None:
            embed = discord.Embed(title=name.title(), description=f"All about {name}")
            embed.add_field(name="Level", value="core").set_footer(text="Backend Mentor")
            await interaction.response.send_message(embed=embed, view=SkillView(name))

        @skill.autocomplete("name")
        async def skill_names(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=t, value=t)
                for t in TOPICS
                if t.startswith(current.lower())
            ]

        @tree.command(description="Slow: thinks, then follows up")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("slow answer")
            await interaction.followup.send("second followup")

        @tree.command(description="Slow and private: thinks, then edits")
        async def slowedit(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.edit_original_response(content="private answer")

        @tree.command(description="Only you can see this")
        async def secret(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("just for you", ephemeral=True)

        @tree.command(description="Upload a file")
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(
                f"{file.filename} {file.content_type} {file.size} {len(data)} {data[:5]!r}",
                ephemeral=True,
            )

        @tree.command(description="An image attachment")
        async def chart(interaction: discord.Interaction) -> None:
            buffer = io.BytesIO()
            Image.new("RGB", (12, 7), (200, 30, 30)).save(buffer, format="PNG")
            buffer.seek(0)
            await interaction.response.send_message("chart", file=discord.File(buffer, "chart.png"))

        @tree.command(description="Open a modal")
        async def answer(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(AnswerModal("general"))

        @tree.command(description="DM me")
        async def dm(interaction: discord.Interaction) -> None:
            try:
                await interaction.user.send("hello in private")
            except discord.Forbidden as error:
                await interaction.response.send_message(
                    f"cannot DM you ({error.code})", ephemeral=True
                )
                return
            await interaction.response.send_message("sent you a DM", ephemeral=True)

        @tree.command(description="Post to a channel")
        async def announce(
            interaction: discord.Interaction, channel: discord.TextChannel, text: str
        ) -> None:
            target = interaction.client.get_channel(channel.id)
            assert isinstance(target, discord.TextChannel)
            try:
                await target.send(text)
            except discord.Forbidden as error:
                await interaction.response.send_message(f"forbidden ({error.code})", ephemeral=True)
            except discord.NotFound as error:
                await interaction.response.send_message(f"gone ({error.code})", ephemeral=True)
            else:
                await interaction.response.send_message("posted", ephemeral=True)

        @tree.command(description="Pick users and a channel")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick", view=PickView())

        @tree.command(description="A components v2 card")
        async def challenge(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(view=ChallengeCard())

        @tree.command(description="Original and followup: fetch, delete, edit")
        async def lifecycle(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("v1")
            original = await interaction.original_response()
            await original.edit(content="v2")
            await interaction.delete_original_response()
            followup = await interaction.followup.send("f1", wait=True)
            await followup.edit(content="f1 edited")

        @tree.command(description="Never answers")
        async def ignore(interaction: discord.Interaction) -> None:
            return

        @tree.command(description="Answers after a pause")
        async def late(interaction: discord.Interaction, seconds: float) -> None:
            await asyncio.sleep(seconds)
            await interaction.response.send_message("finally")

        @tree.command(description="Post n messages across the server's text channels")
        async def burst(interaction: discord.Interaction, n: int) -> None:
            await interaction.response.defer(thinking=True)
            assert interaction.guild is not None
            channels = interaction.guild.text_channels
            for i in range(n):
                await channels[i % len(channels)].send(f"burst {i}")
            await interaction.followup.send(f"burst of {n} done")

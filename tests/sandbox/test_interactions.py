"""A bare discord.py bot driven through the sandbox: every interaction kind end to end."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import discord
import pytest
from discord import app_commands
from PIL import Image

from sandbox import Modal, Sandbox, SandboxError, SandboxTimeout
from sandbox.harness import running, started_sandbox
from sandbox.models import walk_components
from tests.sandbox.barebot import BareBot
from tests.sandbox.conftest import World, populate


async def test_login_ready_and_one_sync(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    assert bot.user is not None and bot.user.id == sandbox.bot.id
    assert bot.application_id == sandbox.bot.id
    assert [g.id for g in bot.guilds] == [world.guild.id]
    names = {c["name"] for c in sandbox.commands.visible(world.guild.id)}
    assert {"echo", "quiz", "mod", "skill", "slow"} <= names
    assert sandbox.stats.command_syncs == 1
    assert sandbox.stats.identifies == 1


async def test_restart_without_sync_keeps_commands(sandbox: Sandbox, world: World) -> None:
    async with running(sandbox, BareBot()):
        pass
    async with running(sandbox, BareBot(sync=False)):
        reply = await sandbox.run_command("echo", user=world.alice, guild=world.guild, text="again")
    assert reply.content.startswith("again")
    assert sandbox.stats.command_syncs == 1
    assert sandbox.stats.identifies == 2


async def test_options_are_typed_and_resolved(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    role = sandbox.add_role(world.guild, "learners")
    reply = await sandbox.run_command(
        "echo",
        user=world.alice,
        guild=world.guild,
        text="hi",
        times="2",
        ratio=0.5,
        loud="yes",
        member=world.bob,
        role=role,
        options={"channel": "general"},
    )
    assert reply.content == "HI HI | ratio=0.5 | member=bob | channel=general | role=learners"
    assert not reply.ephemeral and reply.channel_id == world.guild.general.id


async def test_option_mistakes_are_refused_like_the_client_would(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    with pytest.raises(SandboxError, match="requires option"):
        await sandbox.run_command("echo", user=world.alice, guild=world.guild)
    with pytest.raises(SandboxError, match="no option 'colour'"):
        await sandbox.run_command("echo", user=world.alice, guild=world.guild, text="x", colour=1)
    with pytest.raises(SandboxError, match="expects integer"):
        await sandbox.run_command(
            "echo", user=world.alice, guild=world.guild, text="x", times="two"
        )
    with pytest.raises(SandboxError, match="no command /nope"):
        await sandbox.run_command("nope", user=world.alice, guild=world.guild)


async def test_subcommands_and_groups(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    practice = await sandbox.run_command(
        "quiz practice", user=world.alice, guild=world.guild, topic="docker", difficulty="Advanced"
    )
    assert practice.content == "practice docker at advanced"
    review = await sandbox.run_command(
        "/quiz review missed", user=world.alice, guild=world.guild, count=5
    )
    assert review.content == "reviewing 5"
    with pytest.raises(SandboxError, match=r"within 1\.\.10"):
        await sandbox.run_command(
            "quiz review missed", user=world.alice, guild=world.guild, count=11
        )
    with pytest.raises(SandboxError, match="needs a sub-command: review, practice"):
        await sandbox.run_command("quiz", user=world.alice, guild=world.guild)


async def test_autocomplete_sees_focused_and_other_options(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    choices = await sandbox.autocomplete(
        "quiz practice", "topic", "re", user=world.alice, guild=world.guild, difficulty="advanced"
    )
    assert choices == [
        {"name": "postgres (advanced)", "value": "postgres"},
        {"name": "redis (advanced)", "value": "redis"},
    ]
    assert await sandbox.autocomplete(
        "skill", "name", "dock", user=world.alice, guild=world.guild
    ) == [{"name": "docker", "value": "docker"}]


async def test_buttons_select_and_link(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="docker")
    assert card.embeds[0]["title"] == "Docker"
    assert card.embeds[0]["fields"] == [{"name": "Level", "value": "core", "inline": True}]
    assert [b.label for b in card.buttons] == ["Quiz me", "Next", "Later", "Answer", "Docs"]
    assert card.buttons[-1].url == "https://docs.docker.com/"

    quiz = await sandbox.click(card, "Quiz me", user=world.alice)
    assert quiz.ephemeral and quiz.content.startswith("Quiz on docker")
    assert quiz not in sandbox.channel_messages(world.guild.general)
    assert quiz in sandbox.channel_messages(world.guild.general, visible_to=world.alice)
    with pytest.raises(SandboxError, match="not visible to bob"):
        await sandbox.click(quiz, "anything", user=world.bob)

    updated = await sandbox.click(card, "skill:next", user=world.bob)
    assert updated.id == card.id and updated.content == "Next after docker"
    assert next(b for b in updated.buttons if b.label == "Next").disabled
    with pytest.raises(SandboxError, match="disabled"):
        await sandbox.click(card, "Next", user=world.alice)

    later = await sandbox.click(card, "later", user=world.alice)
    assert later.id == card.id and later.content == "docker: saved for later"

    level = await sandbox.select(card, "Your level", ["Expert"], user=world.alice)
    assert level.content == "level=expert" and level.ephemeral
    with pytest.raises(SandboxError, match="is a link"):
        await sandbox.click(card, "Docs", user=world.alice)


async def test_entity_selects_carry_resolved_data(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    menu = await sandbox.run_command("pick", user=world.alice, guild=world.guild)
    users = await sandbox.select(menu, "pick:users", [world.bob, "mod"], user=world.alice)
    assert users.content == "users=bob,mod"
    channel = await sandbox.select(menu, "Channel", ["general"], user=world.alice)
    assert channel.content == "channel=general"


async def test_components_v2_layout(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    card = await sandbox.run_command("challenge", user=world.alice, guild=world.guild)
    assert card.content == "" and card.flags & (1 << 15)
    assert [(b.label, b.disabled) for b in card.buttons] == [("Done", False)]
    done = await sandbox.click(card, "Done", user=world.alice)
    assert done.id == card.id
    assert [(b.label, b.disabled) for b in done.buttons] == [("Completed", True)]
    texts = [c["content"] for c in walk_components(done.components) if c["type"] == 10]
    assert texts == ["## Weekly challenge", "Completed, well done."]


async def test_modals_from_commands_and_buttons(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    modal = await sandbox.run_command("answer", user=world.alice, guild=world.guild)
    assert isinstance(modal, Modal) and modal.title == "Your answer"
    assert [(f.custom_id, f.label, f.required) for f in modal.fields] == [
        ("answer", "Answer", True),
        ("note", "Note", False),
    ]
    with pytest.raises(SandboxError, match="'Answer' is required"):
        await sandbox.submit_modal(modal, {"note": "n"}, user=world.alice)
    reply = await sandbox.submit_modal(modal, {"answer": "layers"}, user=world.alice)
    assert reply.content == "general: answer=layers note=-" and reply.ephemeral

    card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="redis")
    from_button = await sandbox.click(card, "Answer", user=world.alice)
    reply = await sandbox.submit_modal(from_button, {"answer": "keys", "note": "fast"})
    assert reply.content == "redis: answer=keys note=fast"


async def test_deferred_then_followups(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    slow = await sandbox.run_command("slow", user=world.alice, guild=world.guild)
    assert slow.content == "slow answer" and not slow.loading
    second = await sandbox.wait_for_message(
        world.guild.general, lambda m: m.content == "second followup"
    )
    assert [m.content for m in sandbox.channel_messages(world.guild.general)] == [
        "slow answer",
        "second followup",
    ]
    assert second.id != slow.id

    private = await sandbox.run_command("slowedit", user=world.alice, guild=world.guild)
    assert private.content == "private answer" and private.ephemeral
    assert private not in sandbox.channel_messages(world.guild.general, visible_to=world.bob)


async def test_ephemeral_reply(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    secret = await sandbox.run_command("secret", user=world.alice, guild=world.guild)
    assert secret.ephemeral and secret.content == "just for you"
    assert sandbox.channel_messages(world.guild.general) == []
    assert sandbox.channel_messages(world.guild.general, visible_to=world.alice) == [secret]


async def test_file_attachment_bytes_and_url(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    chart = await sandbox.run_command("chart", user=world.alice, guild=world.guild)
    (attachment,) = chart.attachments
    assert (attachment.filename, attachment.content_type) == ("chart.png", "image/png")
    assert Image.open(io.BytesIO(attachment.data)).size == (12, 7)
    assert (attachment.width, attachment.height) == (12, 7)
    async with aiohttp.ClientSession() as session, session.get(attachment.url) as response:
        assert await response.read() == attachment.data


async def test_attachment_option_uploads_a_file_the_bot_can_read(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    reply = await sandbox.run_command(
        "upload", user=world.alice, guild=world.guild, file=("pack.toml", b"[[question]]\n")
    )
    assert reply.content == "pack.toml application/octet-stream 13 13 b'[[que'"
    big = await sandbox.run_command(
        "upload", user=world.alice, guild=world.guild, file=("big.csv", b"x" * 3_000_000)
    )
    assert big.content.startswith("big.csv text/csv 3000000 3000000")


async def test_a_crafted_custom_id_reaches_the_bot(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="redis")
    with pytest.raises(SandboxError, match="no button 'nope'"):
        await sandbox.click(card, "nope", user=world.alice)
    modal = await sandbox.press(card, "skill:answer", user=world.alice)
    assert isinstance(modal, Modal) and modal.title == "Your answer"


async def test_dm_and_closed_dms(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    ack = await sandbox.run_command("dm", user=world.alice, guild=world.guild)
    assert ack.content == "sent you a DM"
    assert [m.content for m in sandbox.dm_messages(world.alice)] == ["hello in private"]

    sandbox.close_dms(world.bob)
    refused = await sandbox.run_command("dm", user=world.bob, guild=world.guild)
    assert refused.content == "cannot DM you (50007)" and refused.ephemeral
    assert sandbox.dm_messages(world.bob) == []


async def test_commands_in_dms_arrive_on_shard_zero(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    reply = await sandbox.run_command("echo", user=world.alice, text="private")
    assert reply.channel_id == sandbox.state.dm_channel(world.alice).id
    assert reply.guild_id is None


async def test_missing_permissions_and_deleted_channel(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    general = world.guild.general
    sandbox.forbid_channel(general)
    reply = await sandbox.run_command(
        "announce", user=world.alice, guild=world.guild, options={"channel": general}, text="hey"
    )
    assert reply.content == "forbidden (50013)"
    news = sandbox.add_channel(world.guild, "news")
    sandbox.delete_channel(news)
    with pytest.raises(Exception, match="10003") as error:
        await bot.get_partial_messageable(news.id).send("into the void")
    assert type(error.value).__name__ == "NotFound"


async def test_moderator_command_hidden_and_rechecked(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    with pytest.raises(SandboxError, match="hidden from bob"):
        await sandbox.run_command("mod settings", user=world.bob, guild=world.guild)
    bypass = await sandbox.run_command(
        "mod settings", user=world.bob, guild=world.guild, bypass_permissions=True
    )
    assert bypass.content == "You need Manage Server."
    allowed = await sandbox.run_command("mod settings", user=world.mod, guild=world.guild)
    assert allowed.content == "settings: ok"


async def test_mentions_follow_allowed_mentions(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    reply = await sandbox.run_command(
        "echo", user=world.alice, guild=world.guild, text=f"hi {world.bob.mention} @everyone"
    )
    assert world.bob.mention in reply.content
    assert reply.mentions == [] and not reply.mention_everyone


async def test_background_task_posts(sandbox: Sandbox, world: World) -> None:
    async with running(sandbox, BareBot(tick_channel=world.guild.general.id)):
        last = await sandbox.wait_for_message(world.guild.general, lambda m: m.content == "tick 2")
    assert [m.content for m in sandbox.channel_messages(world.guild.general)] == [
        "tick 0",
        "tick 1",
        "tick 2",
    ]
    assert last.author.id == sandbox.bot.id


async def test_drive_reports_latencies(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    latencies = await sandbox.drive("echo", 12, 4, user=world.alice, guild=world.guild, text="x")
    assert len(latencies) == 12 and all(seconds > 0 for seconds in latencies)
    assert len(sandbox.latencies) == 12
    assert {sample.name for sample in sandbox.latencies} == {"/echo"}


async def test_original_and_followup_lifecycle(
    sandbox: Sandbox, world: World, bot: BareBot
) -> None:
    first = await sandbox.run_command("lifecycle", user=world.alice, guild=world.guild)
    assert first.content in ("v1", "v2")
    edited = await sandbox.wait_for_message(world.guild.general, lambda m: m.content == "f1 edited")
    assert edited.edited_at is not None
    assert [m.content for m in sandbox.channel_messages(world.guild.general)] == ["f1 edited"]


async def test_unanswered_and_late_interactions() -> None:
    async with started_sandbox(interaction_deadline=0.2) as sandbox:
        world = populate(sandbox)
        bot = BareBot()
        async with running(sandbox, bot):
            with pytest.raises(SandboxTimeout, match="did not respond"):
                await sandbox.run_command("ignore", user=world.alice, guild=world.guild)
            with pytest.raises(SandboxTimeout, match="/late"):
                await sandbox.run_command("late", user=world.alice, guild=world.guild, seconds=0.3)
            await asyncio.wait_for(bot.failed.wait(), timeout=5)
        (error,) = bot.errors
        assert isinstance(error, app_commands.CommandInvokeError)
        assert isinstance(error.original, discord.NotFound) and error.original.code == 10062

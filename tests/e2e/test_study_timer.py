"""The study timer end to end: start, buttons, restarts, the daily cap and the end notice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import Activity, Delivery, StudySession
from sandbox import Message, Sandbox
from tests.e2e.harness import World, running_mentor


def notices(sandbox: Sandbox, world: World, text: str) -> list[Message]:
    return [
        m
        for m in sandbox.channel_messages(world.guild.general)
        if m.embeds and text in m.embeds[0].get("description", "")
    ]


async def logged(db: Database, user_id: int) -> list[int]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Activity.minutes).where(Activity.user_id == user_id, Activity.kind == "study")
        )
        return list(rows)


async def test_a_session_started_before_a_restart_ends_and_logs_after_it(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> None:
    async with running_mentor(sandbox, db, clock) as bot:
        card = await sandbox.run_command(
            "study start", user=world.alice, guild=world.guild, skill="git"
        )
        assert not card.ephemeral and "25-minute focus session" in card.embeds[0]["description"]
        assert [b.label for b in card.buttons] == ["Pause", "Stop"]
        clock.advance(timedelta(minutes=10))
        await bot.delivery.tick()
        assert notices(sandbox, world, "Focus session over") == []

    clock.advance(timedelta(minutes=30))  # the bot is down when the session should end
    for _ in range(2):  # it ends on the first start, and only once
        async with running_mentor(sandbox, db, clock):
            pass
    [notice] = notices(sandbox, world, "Focus session over")
    assert "25 min" in notice.embeds[0]["description"]
    assert "5-minute break" in notice.embeds[0]["description"]
    assert [u.id for u in notice.mentions] == [world.alice.id]
    assert await logged(db, world.alice.id) == [25]
    async with db.transaction() as session:
        row = await session.scalar(select(StudySession))
        assert row is not None and row.state == "ended" and row.logged_minutes == 25
        delivery = await session.scalar(select(Delivery).where(Delivery.kind == "study-end"))
        assert delivery is not None and delivery.state == "sent"


async def test_buttons_belong_to_their_owner_and_stop_logs_the_minutes_so_far(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> None:
    async with running_mentor(sandbox, db, clock):
        card = await sandbox.run_command(
            "study start", user=world.alice, guild=world.guild, minutes=50
        )
        again = await sandbox.run_command("study start", user=world.alice, guild=world.guild)
        assert again.ephemeral and "already have a focus session" in again.content
        assert [b.label for b in again.buttons] == ["Pause", "Stop"]  # no need to scroll up
        clock.advance(timedelta(minutes=12))
        paused = await sandbox.click(card, "Pause", user=world.alice)
        assert "Paused" in paused.embeds[0]["description"]
        assert "12 min done" in paused.embeds[0]["description"]

    clock.advance(timedelta(minutes=30))  # paused time does not count
    async with running_mentor(sandbox, db, clock) as bot:
        resumed = await sandbox.click(card, "Resume", user=world.alice)
        assert [b.label for b in resumed.buttons] == ["Pause", "Stop"]
        clock.advance(timedelta(minutes=8))
        refused = await sandbox.click(card, "Stop", user=world.bob)
        assert refused.ephemeral and "belongs to someone else" in refused.content
        stopped = await sandbox.click(card, "Stop", user=world.alice)
        assert "stopped: 20 min logged" in stopped.embeds[0]["description"]
        assert stopped.buttons == []
        clock.advance(timedelta(hours=1))
        await bot.delivery.tick()
    assert await logged(db, world.alice.id) == [20]
    assert notices(sandbox, world, "Focus session over") == []


async def test_the_daily_cap_is_respected_and_the_member_is_told_by_dm(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    for minutes in (600, 350):
        await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=minutes)
    await sandbox.run_command(
        "study start", user=world.alice, guild=world.guild, minutes=30, notify="dm"
    )
    clock.advance(timedelta(minutes=31))
    await mentor.delivery.tick()
    [dm] = [m for m in sandbox.dm_messages(world.alice) if m.embeds]
    assert "daily limit is 16 hours" in dm.embeds[0]["description"]
    assert "10 of 30 minutes were logged" in dm.embeds[0]["description"]
    assert await logged(db, world.alice.id) == [600, 350, 10]

    # A quick session stopped at once still logs a minute; a paused one left alone ends.
    card = await sandbox.run_command("study start", user=world.bob, guild=world.guild)
    clock.advance(timedelta(seconds=20))
    stopped = await sandbox.click(card, "Stop", user=world.bob)
    assert "1 min logged" in stopped.embeds[0]["description"]
    card = await sandbox.run_command("study start", user=world.bob, guild=world.guild)
    clock.advance(timedelta(minutes=5))
    await sandbox.click(card, "Pause", user=world.bob)
    clock.advance(timedelta(hours=3))
    await mentor.delivery.tick()
    [abandoned] = notices(sandbox, world, "ended by itself")
    assert "5 min" in abandoned.embeds[0]["description"]
    assert await logged(db, world.bob.id) == [1, 5]


async def test_help_lists_the_timer_and_the_recap_settings(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    reply = await sandbox.run_command("help", user=world.mod, guild=world.guild)
    text = reply.embeds[0]["description"]
    line = next(x for x in text.splitlines() if x.startswith("`/study start"))
    assert line.startswith("`/study start [minutes] [skill] [break] [notify]`"), line
    assert "Start a focus session" in line
    assert "`/settings milestone-pings ping:`" in text
    assert text.splitlines()[-1].startswith("`/study undo`")  # nothing cut off
    moderators = " ".join(f["value"] for f in reply.embeds[0]["fields"])
    assert "`/mod recap-channel channel: [milestones] [weekly]`" in moderators
    assert "`/mod recap-off`" in moderators

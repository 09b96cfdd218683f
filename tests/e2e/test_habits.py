"""Study log, streak card, reminders and weekly challenges through the sandbox."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import Activity, BoardTotal, ChallengeCompletion, PointsEntry, Reminder
from bot.ui.heatmap import HEATMAP_SIZE
from sandbox import Sandbox, SandboxError
from tests.e2e.harness import START, World, running_mentor, set_timezone


async def rows(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def tick(bot: MentorBot) -> None:
    """What the delivery timer does every few seconds."""
    await bot.delivery.tick()


async def test_study_log_then_streak_card_with_heatmap(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    logged = await sandbox.run_command(
        "study log",
        user=world.alice,
        guild=world.guild,
        minutes=45,
        skill="postgres",
        note="indexes @everyone",
    )
    assert logged.ephemeral
    text = logged.embeds[0]["description"]
    assert "45m" in text and "PostgreSQL" in text and "+4 points" in text
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert not logged.mention_everyone

    card = await sandbox.run_command("streak", user=world.alice, guild=world.guild)
    assert card.embeds[0]["title"].endswith("1-day streak")
    assert card.embeds[0]["image"]["url"] == "attachment://streak.png"
    attachment = card.attachments[0]
    assert attachment.filename == "streak.png" and attachment.content_type == "image/png"
    image = Image.open(io.BytesIO(attachment.data))
    assert image.format == "PNG" and image.size == HEATMAP_SIZE

    history = await sandbox.click(card, "Last 30 days", user=world.bob)
    assert history.ephemeral
    first_line = history.embeds[0]["description"].splitlines()[0]
    assert "study" in first_line and "45m" in first_line

    assert await rows(db, PointsEntry, PointsEntry.reason == "study") == 1
    assert await rows(db, BoardTotal, BoardTotal.board == "study", BoardTotal.value == 45) == 4


async def test_study_undo_removes_minutes_points_and_the_day(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=30)
    undone = await sandbox.run_command("study undo", user=world.alice, guild=world.guild)
    assert "Removed 30m" in undone.embeds[0]["description"]
    assert await rows(db, Activity) == 0
    assert await rows(db, PointsEntry) == 0
    assert await rows(db, BoardTotal, BoardTotal.value != 0) == 0
    nothing = await sandbox.run_command("study undo", user=world.alice, guild=world.guild)
    assert nothing.ephemeral and "no study session" in nothing.content


@pytest.mark.parametrize("minutes", [0, 601, -5])
async def test_out_of_range_minutes_never_reach_the_bot(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, minutes: int
) -> None:
    with pytest.raises(SandboxError, match=r"within 1\.\.600"):
        await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=minutes)
    assert await rows(db, Activity) == 0


async def test_daily_cap_and_overlong_note_are_refused(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    for _ in range(2):
        await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=450)
    capped = await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=90)
    assert capped.ephemeral and "daily limit is 16 hours" in capped.content
    assert await rows(db, Activity) == 2
    with pytest.raises(SandboxError, match=r"1\.\.200 characters"):
        await sandbox.run_command(
            "study log", user=world.alice, guild=world.guild, minutes=5, note="x" * 10_000
        )
    unknown = await sandbox.run_command(
        "study log", user=world.alice, guild=world.guild, minutes=5, skill="zzzzqq"
    )
    assert unknown.ephemeral and "not a skill" in unknown.content
    assert await rows(db, Activity) == 2


async def test_reminder_fires_at_local_time_only_without_activity(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await set_timezone(sandbox, world.alice, world.guild, "berlin")
    await set_timezone(sandbox, world.bob, world.guild, "Europe/Berlin")
    for user in (world.alice, world.bob):
        reply = await sandbox.run_command("remind set", user=user, guild=world.guild, time="20:00")
        assert "20:00 (Europe/Berlin)" in reply.content

    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=20)
    clock.set(START.replace(hour=19))  # 20:00 in Berlin
    await tick(mentor)
    dm = await sandbox.wait_for_dm(world.alice, check=lambda m: "Time to study" in m.content)
    assert "4 h left" in dm.content
    assert sandbox.dm_messages(world.bob) == []
    await tick(mentor)  # a second wake-up the same day
    assert len(sandbox.dm_messages(world.alice)) == 1


async def test_closed_dms_fall_back_to_the_channel(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await sandbox.run_command("remind set", user=world.alice, guild=world.guild, time="09:00")
    sandbox.close_dms(world.alice)
    clock.set(START.replace(hour=9))
    await tick(mentor)
    posted = await sandbox.wait_for_message(
        world.guild.general, check=lambda m: "Time to study" in m.content
    )
    assert posted.content.startswith(f"<@{world.alice.id}>")
    assert [u.id for u in posted.mentions] == [world.alice.id]


async def test_undeliverable_reminder_switches_off_and_says_so(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await sandbox.run_command("remind set", user=world.alice, guild=world.guild, time="09:00")
    sandbox.close_dms(world.alice)
    sandbox.forbid_channel(world.guild.general)
    clock.set(START.replace(hour=9))
    await tick(mentor)
    async with db.transaction() as session:
        reminder = await session.get(Reminder, world.alice.id)
        assert reminder is not None and not reminder.enabled
    topic = sandbox.add_channel(world.guild, "study-room")
    # The member's next command, whatever it is, tells them why (once).
    await sandbox.run_command("progress", user=world.alice, guild=world.guild, channel=topic)
    notice = await sandbox.wait_for_message(
        topic, check=lambda m: "I could not DM you" in m.content, visible_to=world.alice
    )
    assert notice.ephemeral and "switched off" in notice.content
    shown = await sandbox.run_command(
        "remind show", user=world.alice, guild=world.guild, channel=topic
    )
    assert "switched off" in shown.content and "could not be delivered" in shown.content
    await sandbox.run_command("progress", user=world.alice, guild=world.guild, channel=topic)
    notices = [
        m
        for m in sandbox.channel_messages(topic, visible_to=world.alice)
        if "I could not DM you" in m.content
    ]
    assert len(notices) == 1


async def test_missed_reminder_after_downtime_is_sent_once_late(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> None:
    async with running_mentor(sandbox, db, clock):
        await sandbox.run_command("remind set", user=world.alice, guild=world.guild, time="09:00")
    clock.set(START.replace(hour=11))  # down at 09:00 UTC
    for _ in range(2):
        async with running_mentor(sandbox, db, clock):
            pass
    dms = sandbox.dm_messages(world.alice)
    assert len(dms) == 1
    assert "should have reached you at 09:00" in dms[0].content

    clock.set(
        START.replace(hour=1) + timedelta(days=1)
    )  # next day, 01:00: before 09:00, nothing yet
    async with running_mentor(sandbox, db, clock):
        pass
    assert len(sandbox.dm_messages(world.alice)) == 1


async def test_bad_reminder_and_timezone_input(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    bad_time = await sandbox.run_command(
        "remind set", user=world.alice, guild=world.guild, time="24:00"
    )
    assert bad_time.ephemeral and "not a time of day" in bad_time.content
    bad_zone = await sandbox.run_command(
        "settings timezone", user=world.alice, guild=world.guild, timezone="Atlantis/Lost"
    )
    assert bad_zone.ephemeral and "not a timezone" in bad_zone.content
    assert await rows(db, Reminder) == 0
    choices = await sandbox.autocomplete(
        "settings timezone", "timezone", "berlin", user=world.alice, guild=world.guild
    )
    assert choices[0]["value"] == "Europe/Berlin"


async def test_weekly_challenge_post_and_i_did_it_once(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    reply = await sandbox.run_command(
        "mod challenge-schedule",
        user=world.mod,
        guild=world.guild,
        options={
            "channel": world.guild.general,
            "weekday": "Tuesday",
            "time": "08:30",
            "timezone": "UTC",
        },
    )
    assert "every Tuesday at 08:30 (UTC)" in reply.content
    first = START.replace(minute=30)  # START is a Tuesday at 08:00
    assert f"Next: <t:{int(first.timestamp())}:F>." in reply.content
    # Before the post, /challenge shows the challenge the post will carry, and marking it
    # done then counts for the post too.
    ahead = await sandbox.run_command("challenge", user=world.alice, guild=world.guild)
    done = await sandbox.click(ahead, "I did it", user=world.alice)
    assert "+25 points" in done.content
    clock.set(first)
    await tick(mentor)
    await tick(mentor)
    posts = [m for m in sandbox.channel_messages(world.guild.general) if m.embeds]
    assert len(posts) == 1 and posts[0].embeds[0]["title"].startswith("🛠️ Weekly challenge")
    assert posts[0].embeds[0]["title"] == ahead.embeds[0]["title"]
    again = await sandbox.click(posts[0], "I did it", user=world.alice)
    assert "already marked" in again.content
    assert await rows(db, ChallengeCompletion) == 1
    assert await rows(db, PointsEntry, PointsEntry.reason == "challenge") == 1

    current = await sandbox.run_command("challenge", user=world.bob, guild=world.guild)
    assert current.embeds[0]["title"] == posts[0].embeds[0]["title"]

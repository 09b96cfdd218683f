"""Times and timezones as people type them, through the sandbox: saved, shown back, undone."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import QuizSchedule, Reminder, StreakEvent, TimezoneUndo, User
from sandbox import Sandbox
from sandbox.console import Console
from tests.e2e.harness import START, World, running_mentor, set_timezone


async def rows(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def saved_zone(db: Database, user_id: int) -> tuple[str | None, object]:
    async with db.read() as session:
        row = (
            await session.execute(
                select(User.timezone, User.timezone_changed_at).where(User.id == user_id)
            )
        ).first()
    return (row.timezone, row.timezone_changed_at) if row else (None, None)


async def test_twelve_hour_reminder_is_saved_and_shown_back(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    reply = await sandbox.run_command("remind set", user=world.alice, guild=world.guild, time="7pm")
    assert "19:00 (UTC)" in reply.content
    shown = await sandbox.run_command("remind show", user=world.alice, guild=world.guild)
    assert shown.ephemeral and "19:00 (UTC)" in shown.content
    for typed, saved in [("7:30 PM", "19:30"), ("noon", "12:00"), ("12am", "00:00")]:
        await sandbox.run_command("remind set", user=world.alice, guild=world.guild, time=typed)
        shown = await sandbox.run_command("remind show", user=world.alice, guild=world.guild)
        assert f"{saved} (UTC)" in shown.content, typed


async def test_utc_offset_is_confirmed_saved_and_shown_by_streak(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    asked = await sandbox.run_command(
        "settings timezone", user=world.alice, guild=world.guild, timezone="UTC+2"
    )
    assert asked.ephemeral
    assert "UTC+02:00 → Etc/GMT-2" in asked.content and "7-day" in asked.content
    assert [b.label for b in asked.buttons] == ["Save Etc/GMT-2", "Cancel"]
    assert (await saved_zone(db, world.alice.id))[0] is None  # nothing saved before Save

    saved = await sandbox.click(asked, "Save Etc/GMT-2", user=world.alice)
    assert "Your timezone is now **Etc/GMT-2** (it is 10:00 there)" in saved.content
    assert [b.label for b in saved.buttons] == ["Undo"]
    assert (await saved_zone(db, world.alice.id))[0] == "Etc/GMT-2"

    streak = await sandbox.run_command("streak", user=world.alice, guild=world.guild)
    assert "Etc/GMT-2" in streak.embeds[0]["footer"]["text"]
    reminder = await sandbox.run_command(
        "remind set", user=world.alice, guild=world.guild, time="8:30 pm"
    )
    assert "20:30 (Etc/GMT-2)" in reminder.content


async def test_cancel_changes_nothing(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    asked = await sandbox.run_command(
        "settings timezone", user=world.alice, guild=world.guild, timezone="new york"
    )
    assert "New York City, New York, US → America/New_York** (UTC−04:00" in asked.content
    cancelled = await sandbox.click(asked, "Cancel", user=world.alice)
    assert "Nothing changed" in cancelled.content and cancelled.buttons == []
    assert await saved_zone(db, world.alice.id) == (None, None)
    assert await rows(db, TimezoneUndo) == 0


async def test_wrong_save_is_undone_without_the_cooldown(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await set_timezone(sandbox, world.alice, world.guild, "berlin")
    clock.set(START + timedelta(days=8))
    first = await saved_zone(db, world.alice.id)
    saved = await set_timezone(sandbox, world.alice, world.guild, "IST")
    assert (await saved_zone(db, world.alice.id))[0] == "Asia/Kolkata"

    refused = await sandbox.run_command(
        "settings timezone", user=world.alice, guild=world.guild, timezone="Europe/Paris"
    )
    assert refused.ephemeral and "you can change it again after" in refused.content
    assert refused.buttons == []

    clock.set(START + timedelta(days=8, minutes=5))
    undone = await sandbox.click(saved, "Undo", user=world.alice)
    assert "back to **Europe/Berlin**" in undone.content and undone.buttons == []
    assert await saved_zone(db, world.alice.id) == first  # zone and cooldown as before
    assert await rows(db, TimezoneUndo) == 0

    again = await sandbox.run_command("settings timezone-undo", user=world.alice, guild=world.guild)
    assert again.ephemeral and "no timezone change to undo" in again.content


async def test_undo_command_within_ten_minutes_only(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await set_timezone(sandbox, world.alice, world.guild, "tokyo")
    undone = await sandbox.run_command(
        "settings timezone-undo", user=world.alice, guild=world.guild
    )
    assert (
        "back to the server's timezone, **UTC**" in undone.content
        and "whenever you like" in undone.content
    )
    assert await saved_zone(db, world.alice.id) == (None, None)
    await set_timezone(sandbox, world.alice, world.guild, "Asia/Tokyo")  # no cooldown left

    clock.set(START + timedelta(minutes=11))
    late = await sandbox.run_command("settings timezone-undo", user=world.alice, guild=world.guild)
    assert late.ephemeral and "first 10 minutes" in late.content
    assert (await saved_zone(db, world.alice.id))[0] == "Asia/Tokyo"


async def test_undo_removes_the_days_the_change_bridged(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    clock.set(START.replace(hour=22))  # 22:00 UTC is already tomorrow in Tokyo
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=10)
    await set_timezone(sandbox, world.alice, world.guild, "JST")
    assert await rows(db, StreakEvent, StreakEvent.kind == "bridge") == 1
    await sandbox.run_command("settings timezone-undo", user=world.alice, guild=world.guild)
    assert await rows(db, StreakEvent, StreakEvent.kind == "bridge") == 0


async def test_ambiguous_place_offers_each_reading(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    asked = await sandbox.run_command(
        "settings timezone", user=world.alice, guild=world.guild, timezone="Georgia"
    )
    assert "could be Georgia (country) or Georgia (US state)" in asked.content
    labels = [b.label for b in asked.buttons]
    assert labels == [
        "Georgia (country) → Asia/Tbilisi",
        "Georgia (US state) → America/New_York",
        "Cancel",
    ]
    await sandbox.click(asked, "Georgia (country) → Asia/Tbilisi", user=world.alice)
    assert (await saved_zone(db, world.alice.id))[0] == "Asia/Tbilisi"


async def test_confirm_buttons_survive_a_restart(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> None:
    async with running_mentor(sandbox, db, clock):
        asked = await sandbox.run_command(
            "settings timezone", user=world.alice, guild=world.guild, timezone="Japan"
        )
    async with running_mentor(sandbox, db, clock):
        saved = await sandbox.click(asked, "Save Asia/Tokyo", user=world.alice)
        assert "now **Asia/Tokyo**" in saved.content
        await sandbox.click(saved, "Undo", user=world.alice)
    assert await saved_zone(db, world.alice.id) == (None, None)


async def test_bad_input_gets_a_clear_private_sentence_and_changes_nothing(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    for typed, says in [
        ("25:00", "hours go from 00 to 23"),
        ("7:75pm", "minutes go from 00 to 59"),
        ("7", "morning or evening?"),
        ("whenever", "not a time of day"),
    ]:
        reply = await sandbox.run_command(
            "remind set", user=world.alice, guild=world.guild, time=typed
        )
        assert reply.ephemeral and says in reply.content, typed
    for typed, says in [
        ("xyzzy", "not a timezone I know"),
        ("UTC+15", "UTC−12 to UTC+14"),
        ("UTC+10:30", "No timezone keeps UTC+10:30"),
    ]:
        reply = await sandbox.run_command(
            "settings timezone", user=world.alice, guild=world.guild, timezone=typed
        )
        assert reply.ephemeral and says in reply.content and reply.buttons == [], typed
    mod = await sandbox.run_command(
        "mod timezone", user=world.mod, guild=world.guild, timezone="Georgia"
    )
    assert mod.ephemeral and "more than one place" in mod.content
    assert await rows(db, Reminder) == 0
    assert await rows(db, TimezoneUndo) == 0
    assert await rows(db, User, User.timezone.is_not(None)) == 0


async def test_autocomplete_shows_what_will_be_saved(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    choices = await sandbox.autocomplete(
        "settings timezone", "timezone", "new york", user=world.alice, guild=world.guild
    )
    assert choices[0] == {
        "name": "New York City, New York, US → America/New_York (UTC−04:00)",
        "value": "America/New_York",
    }
    offsets = await sandbox.autocomplete(
        "settings timezone", "timezone", "UTC+2", user=world.alice, guild=world.guild
    )
    assert offsets[0]["value"] == "Etc/GMT-2"
    for command in ("mod quiz-schedule", "mod challenge-schedule", "mod timezone"):
        choices = await sandbox.autocomplete(
            command, "timezone", "sao paulo", user=world.mod, guild=world.guild
        )
        assert choices[0]["value"] == "America/Sao_Paulo", command


async def test_moderator_schedules_take_natural_times_and_zones(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    reply = await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=world.guild,
        options={"channel": world.guild.general, "time": "9am", "timezone": "CET"},
    )
    text = reply.embeds[0]["description"]
    assert "at 09:00 (Europe/Berlin)" in text
    assert "Understood: Central European Time → Europe/Berlin" in text
    async with db.read() as session:
        schedule = await session.get(QuizSchedule, world.guild.id)
        assert schedule is not None and schedule.post_time == "09:00"

    challenge = await sandbox.run_command(
        "mod challenge-schedule",
        user=world.mod,
        guild=world.guild,
        options={
            "channel": world.guild.general,
            "weekday": "Friday",
            "time": "5:30 pm",
            "timezone": "sao paulo",
        },
    )
    assert "every Friday at 17:30 (America/Sao_Paulo)" in challenge.content
    server = await sandbox.run_command(
        "mod timezone", user=world.mod, guild=world.guild, timezone="India"
    )
    assert "now **Asia/Kolkata**" in server.content


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def test_console_takes_name_colon_space_value(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    out = io.StringIO()
    console = Console(sandbox, world.guild, world.guild.general, world.alice, out)
    await console.run(
        _lines(
            "/remind set time: 20:00",
            "/remind set time: 7:30 pm where: dm",
            "/remind show",
            "/settings timezone timezone: new york",
            "1",
            "/streak",
        )
    )
    text = out.getvalue()
    assert "has no option" not in text
    assert "⏰ Daily reminder at 20:00 (UTC)" in text
    assert "⏰ Daily reminder at 19:30 (UTC)" in text
    assert "Your timezone is now **America/New_York**" in text
    async with db.read() as session:
        reminder = await session.get(Reminder, world.alice.id)
        assert reminder is not None and reminder.timezone == "America/New_York"

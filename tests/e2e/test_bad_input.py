"""Values Discord's client would refuse, sent anyway: the bot refuses them itself and changes nothing.

Discord never delivers a string option over 6,000 characters, so that is the longest tried here
(the 10,000-character case is refused by Discord itself: see test_habits and test_boards).
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.app import MentorBot
from bot.db.engine import Database
from bot.db.models import Activity, Base, ModAudit, PointsEntry, QuizSchedule
from sandbox import Forged, Sandbox
from tests.e2e.harness import World


async def count(db: Database, model: type) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"minutes": 0}, "between 1 and 600"),
        ({"minutes": 601}, "between 1 and 600"),
        ({"minutes": -5}, "between 1 and 600"),
        ({"minutes": 10, "note": "x" * 6000}, "at most 200 characters"),
    ],
)
async def test_study_log_refuses_out_of_range_values(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, options: dict, expected: str
) -> None:
    reply = await sandbox.run_command(
        "study log", user=world.alice, guild=world.guild, unchecked=True, options=options
    )
    assert reply.ephemeral and expected in reply.content
    assert await count(db, Activity) == 0


async def test_quiz_schedule_refuses_a_voice_channel(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    reply = await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=world.guild,
        unchecked=True,
        options={"channel": world.guild.voice, "time": "09:00"},
    )
    assert reply.ephemeral and "text channel" in reply.content
    assert await count(db, QuizSchedule) == 0


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"amount": 5000, "reason": "x"}, "between -1000 and 1000"),
        ({"amount": 0, "reason": "x"}, "not 0"),
        ({"amount": 5, "reason": "y" * 6000}, "at most 200 characters"),
    ],
)
async def test_points_adjustment_refuses_bad_values(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, options: dict, expected: str
) -> None:
    reply = await sandbox.run_command(
        "mod points",
        user=world.mod,
        guild=world.guild,
        unchecked=True,
        options={"member": world.bob, **options},
    )
    assert reply.ephemeral and expected in reply.content
    assert await count(db, PointsEntry) == 0 and await count(db, ModAudit) == 0


# -- every command, every option --------------------------------------------------------------

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
SUBCOMMANDS = (1, 2)
# Valid values for required options, so that only the option under test is wrong.
GOOD = {"time": "09:00", "timezone": "UTC", "weekday": "Monday", "reason": "x", "name": "git"}


def leaf_commands(definitions: list[dict]) -> list[tuple[str, list[dict]]]:
    """(path, options) of every invocable command, sub-commands included."""
    found = []

    def walk(path: str, options: list[dict]) -> None:
        subs = [o for o in options if o["type"] in SUBCOMMANDS]
        if not subs:
            found.append((path, options))
        for sub in subs:
            walk(f"{path} {sub['name']}", sub.get("options") or [])

    for definition in definitions:
        walk(definition["name"], definition.get("options") or [])
    return sorted(found)


def good_value(option: dict, world: World) -> object:
    if option.get("choices"):
        return option["choices"][0]["value"]
    kind = option["type"]
    if kind == STRING:
        return GOOD.get(option["name"], "x" * max(1, option.get("min_length", 1)))
    if kind in (INTEGER, NUMBER):
        return option.get("min_value", 1) if option.get("min_value", 1) != 0 else 1
    if kind == BOOLEAN:
        return True
    if kind in (USER, MENTIONABLE):
        return world.bob
    if kind == CHANNEL:
        return world.guild.general
    if kind == ATTACHMENT:
        return ("pack.toml", b"")
    if kind == ROLE:
        return world.guild.roles[world.guild.id]  # @everyone
    raise AssertionError(f"no good value for option type {kind}")


def bad_values(option: dict) -> list[object]:
    """Values Discord's client would refuse for this option."""
    kind = option["type"]
    huge_id = Forged(str(2**64 + 5))
    if kind == STRING:
        values: list[object] = [Forged(12)]
        if option.get("max_length", 6000) < 6000:  # Discord delivers nothing longer
            values.append("y" * (option["max_length"] + 1))
        if option.get("choices"):
            values.append("not-a-choice")
        if option.get("min_length", 0) > 1:
            values.append("")
        return values
    if kind in (INTEGER, NUMBER):
        values = [Forged("text"), Forged(True), Forged(10**30), Forged(-(10**30))]
        if kind == INTEGER:
            values.append(Forged(1.5))
        if "max_value" in option:
            values.append(option["max_value"] + 1)
        if "min_value" in option:
            values.append(option["min_value"] - 1)
        return values
    if kind == BOOLEAN:
        return [Forged("maybe")]
    if kind == CHANNEL:
        return [huge_id, Forged("123456789012345678"), Forged("general")]
    return [huge_id, Forged("123456789012345678")]


async def row_counts(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        return {
            table.name: await session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


async def test_every_option_refuses_what_discord_would(
    sandbox: Sandbox,
    world: World,
    mentor: MentorBot,
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every command and option, with values Discord's client refuses: 0 tracebacks, 0 rows."""
    before = await row_counts(db)
    tried = 0
    for path, options in leaf_commands(sandbox.commands.visible(world.guild.id)):
        required = {o["name"]: good_value(o, world) for o in options if o.get("required")}
        for option in options:
            for bad in bad_values(option):
                values = {**required, option["name"]: bad}
                reply = await sandbox.run_command(
                    path, user=world.mod, guild=world.guild, unchecked=True, options=values
                )
                tried += 1
                shown = reply.content or ""
                assert reply.ephemeral, (path, option["name"], bad)
                assert f"`{option['name']}`" in shown, (path, option["name"], bad, shown)
                assert "Something went wrong" not in shown, (path, option["name"], bad)
    assert tried > 60
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert await row_counts(db) == before


@pytest.mark.parametrize(
    ("command", "options", "model"),
    [
        ("study log", {"minutes": 15, "note": "nul\x00 here\x07 and\x1b[31m there"}, Activity),
        ("mod points", {"member": "bob", "amount": 5, "reason": "good\x00 work\x0b"}, ModAudit),
    ],
)
async def test_control_characters_are_stripped_from_stored_text(
    sandbox: Sandbox,
    world: World,
    mentor: MentorBot,
    db: Database,
    command: str,
    options: dict,
    model: type,
) -> None:
    """A NUL byte would crash a PostgreSQL write; control characters never reach the database."""
    if options.get("member") == "bob":
        options = {**options, "member": world.bob}
    reply = await sandbox.run_command(
        command, user=world.mod, guild=world.guild, unchecked=True, options=options
    )
    assert "Something went wrong" not in (reply.content or "")
    async with db.transaction() as session:
        stored = (await session.scalars(select(model))).one()
    text = stored.note if model is Activity else stored.detail
    assert text is not None and not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text)
    assert "nul" in text or "good" in text


async def test_a_server_only_sub_command_sent_from_dms_gets_a_sentence(
    sandbox: Sandbox, world: World, mentor: MentorBot, caplog: pytest.LogCaptureFixture
) -> None:
    # /quiz works in DMs (practice, review), so Discord lets /quiz today through there too:
    # a sub-command cannot be server-only on Discord's side.
    reply = await sandbox.run_command("quiz today", user=world.alice)
    assert reply.ephemeral
    assert reply.content == "This command only works inside a server."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

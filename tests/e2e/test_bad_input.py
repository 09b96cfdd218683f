"""Values Discord's client would refuse, sent anyway: the bot refuses them itself and changes nothing.

Discord never delivers a string option over 6,000 characters, so that is the longest tried here
(the 10,000-character case is refused by Discord itself: see test_habits and test_boards).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import MentorBot
from bot.db.engine import Database
from bot.db.models import Activity, ModAudit, PointsEntry, QuizSchedule
from bot.sandbox import Sandbox
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

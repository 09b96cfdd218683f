"""The career mentor end to end: tracks, a goal, a plan that follows the answers, readiness."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import CareerGoal
from sandbox import Message, Sandbox
from tests.e2e.harness import START, World
from tests.e2e.test_practice import answer


async def goals(db: Database) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count()).select_from(CareerGoal)) or 0


async def test_tracks_goal_and_bad_input(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    listed = await sandbox.run_command("career tracks", user=world.alice, guild=world.guild)
    assert listed.ephemeral and len(listed.embeds[0]["fields"]) >= 8
    choices = await sandbox.autocomplete(
        "career goal", "track", "pyth", user=world.alice, guild=world.guild
    )
    assert choices[0]["value"] == "python-backend"
    refused = await sandbox.run_command(
        "career goal", user=world.alice, guild=world.guild, track="astronaut"
    )
    assert refused.ephemeral and "no such career track" in refused.content
    several = await sandbox.run_command(
        "career goal", user=world.alice, guild=world.guild, track="backend"
    )
    assert several.ephemeral and "fits several tracks" in several.content
    assert "`python-backend`" in several.content
    no_goal = await sandbox.run_command("career plan", user=world.alice, guild=world.guild)
    assert no_goal.ephemeral and "Pick a goal first" in no_goal.content
    assert await goals(db) == 0
    chosen = await sandbox.run_command(
        "career goal", user=world.alice, guild=world.guild, track="python-backend"
    )
    assert "Python" in chosen.content and "180 minutes" in chosen.content
    again = await sandbox.run_command(
        "career goal", user=world.alice, guild=world.guild, track="Go", weekly_minutes=240
    )
    assert "240 minutes" in again.content  # a part only one track holds is that track
    assert await goals(db) == 1
    marked = await sandbox.run_command("career tracks", user=world.alice, guild=world.guild)
    assert any("your goal" in f["name"] and "Go" in f["name"] for f in marked.embeds[0]["fields"])


async def test_wrong_answers_move_a_skill_to_the_top_of_the_plan_and_readiness_matches(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await sandbox.run_command(
        "career goal", user=world.alice, guild=world.guild, track="python-backend"
    )
    first = await sandbox.run_command("career plan", user=world.alice, guild=world.guild)
    steps = next(f for f in first.embeds[0]["fields"] if f["name"] == "Skills to work on")
    assert "not practised yet" in steps["value"]

    for _ in range(3):
        question = await sandbox.run_command(
            "quiz practice", user=world.alice, guild=world.guild, topic="sql"
        )
        await answer(sandbox, mentor, question, world.alice, right=False)
    report = await mentor.services.mastery.mastery_of(world.alice.id)
    assert report.skills["sql"].answers == 3 and report.skills["sql"].right == 0

    regenerated = await sandbox.click(first, "Regenerate", user=world.alice)
    lines = next(f for f in regenerated.embeds[0]["fields"] if f["name"] == "Skills to work on")
    first_line = lines["value"].splitlines()[0]
    assert "SQL" in first_line and "you answered 0 of 3" in first_line

    shown = await sandbox.run_command("career readiness", user=world.alice, guild=world.guild)
    readiness = await mentor.services.career.readiness(world.alice.id)
    rows = next(f for f in shown.embeds[0]["fields"] if f["name"] == "By category")["value"]
    for category in readiness.categories:
        assert f"{category.category.label}: **{category.mastery:.0%}**" in rows
    gaps = next(f for f in shown.embeds[0]["fields"] if f["name"].startswith("Biggest gaps"))
    assert len(readiness.gaps) == 3
    assert gaps["value"].splitlines()[0].startswith(readiness.gaps[0].skill.name)
    chart = Image.open(io.BytesIO(shown.attachments[0].data))
    assert chart.format == "PNG" and chart.size[1] > 44 + 34 * (len(readiness.categories) - 1)


async def test_weekly_plan_dm_once_on_monday_morning(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await sandbox.run_command(
        "career goal",
        user=world.alice,
        guild=world.guild,
        track="junior-backend",
        weekly_plan_dm=True,
    )
    monday = START + timedelta(days=6, hours=1)  # Monday 16 March, 09:00 UTC
    clock.set(monday - timedelta(minutes=1))
    await mentor.delivery.tick()
    assert sandbox.dm_messages(world.alice) == []
    clock.set(monday)
    await mentor.delivery.tick()
    await mentor.delivery.tick()
    dms = sandbox.dm_messages(world.alice)
    assert len(dms) == 1 and dms[0].embeds[0]["title"].startswith("Your week")
    # The way out it names is a command that runs as written.
    assert "`/career goal track: junior-backend weekly_plan_dm: False` stops it" in dms[0].content
    await sandbox.run_command(
        "career goal",
        user=world.alice,
        guild=world.guild,
        track="junior-backend",
        weekly_plan_dm=False,
    )
    clock.advance(timedelta(days=7))
    await mentor.delivery.tick()
    assert len(sandbox.dm_messages(world.alice)) == 1


async def test_placement_adapts_and_seeds_the_model(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    question = await sandbox.run_command("quiz placement", user=world.alice, guild=world.guild)
    assert question.embeds[0]["title"].startswith("Placement 1/12 — ")
    skills = []
    for number in range(1, 13):
        skills.append(question.embeds[0]["title"].split(" — ", 1)[1])
        answered = await answer(sandbox, mentor, question, world.alice, right=number % 3 != 0)
        question = await sandbox.click(answered, "Next", user=world.alice)
        if number < 12:
            assert question.embeds[0]["title"].startswith(f"Placement {number + 1}/12")
    assert question.embeds[0]["title"] == "Placement test done: 8/12"
    assert not question.buttons
    assert len(set(skills)) >= 6  # it spreads over the track's skills before repeating one
    report = await mentor.services.mastery.mastery_of(world.alice.id)
    assert sum(view.answers for view in report.skills.values()) == 12


async def test_an_interview_round_times_out_a_question_and_scores(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    question = await sandbox.run_command(
        "interview start", user=world.alice, guild=world.guild, track="python-backend"
    )
    assert question.embeds[0]["title"].startswith("Interview 1/6")
    assert any(f["name"] == "Clock" for f in question.embeds[0]["fields"])
    titles, asked = [], set()
    for number in range(1, 7):
        asked.add(await question_id(mentor, question, world.alice.id))
        if number == 2:
            clock.advance(timedelta(seconds=91))  # too slow on the second question
        answered = await answer(sandbox, mentor, question, world.alice, right=True)
        titles.append(answered.embeds[0]["title"])
        if number == 2:
            assert (
                "was right, but it came after the time limit, so it counts as wrong."
                in (answered.embeds[0]["description"])
            )
        question = await sandbox.click(answered, "Next", user=world.alice)
    assert titles[1] == "⏱️ Too late: counted as wrong"
    assert titles.count("✅ Right!") == 5
    assert question.embeds[0]["title"] == "Mock interview done: 5/6"
    weak = next(f for f in question.embeds[0]["fields"] if f["name"] == "Weak spots")
    assert "/quiz practice topic:" in weak["value"]
    streak = await sandbox.run_command("streak", user=world.alice, guild=world.guild)
    assert streak.embeds[0]["title"].endswith("1-day streak")

    again = await sandbox.run_command(
        "interview start", user=world.alice, guild=world.guild, track="python-backend"
    )
    assert again.embeds[0]["title"].startswith("Interview 1/6")
    assert await question_id(mentor, again, world.alice.id) not in asked  # no repeat


async def question_id(bot: MentorBot, message: Message, user_id: int) -> str:
    prompt_id = int(message.buttons[0].custom_id.split(":")[2])
    return (await bot.services.practice.prompt(prompt_id, user_id)).shown.question.id


async def test_a_newcomers_plan_starts_with_what_the_tracks_skills_build_on(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await sandbox.run_command("career goal", user=world.alice, guild=world.guild, track="python")
    plan = await sandbox.run_command(
        "career plan", user=world.alice, guild=world.guild, track="security"
    )
    steps = next(f for f in plan.embeds[0]["fields"] if f["name"] == "Skills to work on")
    # No security skill is open to a newcomer yet: the plan names their prerequisites.
    assert "**1. HTTP** — Authentication builds on it; 60% opens it up." in steps["value"]
    assert "at its target" not in steps["value"]

    # Regenerate keeps the track the plan was for, not the goal's.
    again = await sandbox.click(plan, "Regenerate", user=world.alice)
    assert again.embeds[0]["title"] == plan.embeds[0]["title"]
    assert "Security" in again.embeds[0]["title"]


async def test_a_second_interview_start_brings_back_the_round_under_way(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    first = await sandbox.run_command("interview start", user=world.alice, guild=world.guild)
    answered = await answer(sandbox, mentor, first, world.alice, right=True)
    second = await sandbox.click(answered, "Next", user=world.alice)
    waiting = await question_id(mentor, second, world.alice.id)

    again = await sandbox.run_command("interview start", user=world.alice, guild=world.guild)
    assert again.content.startswith("Your round is still going: here is question 2 of 6.")
    assert again.embeds[0]["title"].startswith("Interview 2/6")
    assert await question_id(mentor, again, world.alice.id) == waiting
    assert [b.label for b in again.buttons][-1] == "Start over"

    fresh = await sandbox.click(again, "Start over", user=world.alice)
    assert fresh.embeds[0]["title"].startswith("Interview 1/6")

    clock.advance(timedelta(hours=2))  # an abandoned round is not offered again
    later = await sandbox.run_command("interview start", user=world.alice, guild=world.guild)
    assert not later.content
    assert later.embeds[0]["title"].startswith("Interview 1/6")

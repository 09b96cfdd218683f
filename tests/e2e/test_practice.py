"""Practice sessions with "next", and FSRS review scheduling cards in the member's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import PointsEntry, QuizAnswer, ReviewCard
from sandbox import Message, Sandbox
from tests.e2e.harness import World, set_timezone

LETTERS = "ABCD"


async def answer(
    sandbox: Sandbox, bot: MentorBot, message: Message, user: object, *, right: bool
) -> Message:
    prompt_id = int(message.buttons[0].custom_id.split(":")[2])
    prompt = await bot.services.practice.prompt(prompt_id, user.id)  # type: ignore[attr-defined]
    position = (
        prompt.shown.right_position
        if right
        else (prompt.shown.right_position + 1) % len(prompt.shown.order)
    )
    return await sandbox.click(message, LETTERS[position], user=user)  # type: ignore[arg-type]


async def test_practice_with_next(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    question = await sandbox.run_command(
        "quiz practice", user=world.alice, guild=world.guild, topic="docker", difficulty="beginner"
    )
    assert question.ephemeral and question.embeds[0]["title"] == "Practice — Docker"
    answered = await answer(sandbox, mentor, question, world.alice, right=True)
    assert answered.embeds[0]["title"] == "✅ Right!"
    assert [b.label for b in answered.buttons] == ["Next question"]
    following = await sandbox.click(answered, "Next question", user=world.alice)
    assert following.embeds[0]["title"] == "Practice — Docker"
    assert "🟢 beginner" in following.embeds[0]["footer"]["text"]
    async with db.transaction() as session:
        entries = list(await session.scalars(select(PointsEntry)))
    assert [(e.reason, e.amount) for e in entries] == [("practice", 2)]


async def test_practice_topic_by_category_and_autocomplete(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    choices = await sandbox.autocomplete(
        "quiz practice", "topic", "datab", user=world.alice, guild=world.guild
    )
    assert choices[0]["value"] == "databases"
    question = await sandbox.run_command(
        "quiz practice", user=world.alice, guild=world.guild, topic="databases"
    )
    skill = question.embeds[0]["title"].removeprefix("Practice — ")
    categories = {
        s.category.value for s in mentor.services.content.skills.values() if s.name == skill
    }
    assert categories == {"databases"}
    # Typed as its label, the way the cards and /skills show it.
    for typed, value in (("Databases", "databases"), ("soft Skills", "soft-skills")):
        labelled = await sandbox.run_command(
            "quiz practice", user=world.alice, guild=world.guild, topic=typed
        )
        name = labelled.embeds[0]["title"].removeprefix("Practice — ")
        assert {
            s.category.value for s in mentor.services.content.skills.values() if s.name == name
        } == {value}, typed
    unknown = await sandbox.run_command(
        "quiz practice", user=world.alice, guild=world.guild, topic="zzzz"
    )
    assert unknown.ephemeral and "not a skill or category" in unknown.content


async def test_review_schedules_fsrs_cards_in_the_members_timezone(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    nothing = await sandbox.run_command("quiz review", user=world.alice, guild=world.guild)
    assert "nothing to review yet" in nothing.content
    await set_timezone(sandbox, world.alice, world.guild, "Pacific/Auckland")
    clock.set(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))  # 01:00 on 11 March in Auckland

    question = await sandbox.run_command(
        "quiz practice", user=world.alice, guild=world.guild, topic="redis"
    )
    missed = await answer(sandbox, mentor, question, world.alice, right=False)
    field = next(f for f in missed.embeds[0]["fields"] if f["name"] == "Review")
    assert "comes back for review on Thu 12 Mar" in field["value"]
    assert "Redis mastery: " in field["value"]
    async with db.transaction() as session:
        card = (await session.scalars(select(ReviewCard))).one()
    # Again: due a day later, which is 12 March in Auckland though 11 March in UTC.
    assert card.due == clock.now() + timedelta(days=1)
    assert card.due_on == date(2026, 3, 12)
    assert (card.reps, card.lapses) == (1, 0)
    first_stability = card.stability

    not_yet = await sandbox.run_command("quiz review", user=world.alice, guild=world.guild)
    assert "Nothing due today. 1 question on your review list" in not_yet.content
    assert "Thursday 12 March (your time)" in not_yet.content

    clock.advance(timedelta(days=1))
    review = await sandbox.run_command("quiz review", user=world.alice, guild=world.guild)
    assert review.embeds[0]["title"].startswith("Review — ")
    # Answered at once (the clock is frozen): right and fast, so FSRS rates it Easy.
    remembered = await answer(sandbox, mentor, review, world.alice, right=True)
    assert remembered.embeds[0]["title"] == "✅ Right!"
    async with db.transaction() as session:
        card = (await session.scalars(select(ReviewCard))).one()
    assert card.reps == 2 and card.stability > first_stability
    assert card.due_on > date(2026, 3, 14)

    clock.set(card.due)
    review = await sandbox.run_command("quiz review", user=world.alice, guild=world.guild)
    forgot = await answer(sandbox, mentor, review, world.alice, right=False)
    async with db.transaction() as session:
        lapsed = (await session.scalars(select(ReviewCard))).one()
    assert (lapsed.reps, lapsed.lapses) == (3, 1)
    assert lapsed.stability < card.stability
    assert lapsed.due == clock.now() + timedelta(days=1)
    done = await sandbox.click(forgot, "Next review", user=world.alice)
    assert "last review" in done.content


async def test_double_click_on_a_practice_answer_counts_once(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    question = await sandbox.run_command(
        "quiz practice", user=world.alice, guild=world.guild, topic="git"
    )
    prompt_id = int(question.buttons[0].custom_id.split(":")[2])
    await mentor.services.practice.answer(
        prompt_id=prompt_id, user_id=world.alice.id, display_name="alice", position=0
    )
    second = await mentor.services.practice.answer(
        prompt_id=prompt_id, user_id=world.alice.id, display_name="alice", position=1
    )
    assert second.already_answered and second.chosen_position == 0
    async with db.transaction() as session:
        assert len(list(await session.scalars(select(QuizAnswer)))) == 1


async def test_a_right_answer_past_the_daily_practice_cap_says_why_it_earns_nothing(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    verdicts = []
    for _ in range(11):  # 2 points each, 20 a day
        question = await sandbox.run_command("quiz practice", user=world.alice, guild=world.guild)
        answered = await answer(sandbox, mentor, question, world.alice, right=True)
        verdicts.append(answered.embeds[0]["description"])
    assert all("+2 points." in text for text in verdicts[:10])
    assert "You already have today's 20 practice points" in verdicts[10]
    # In DMs practice never earns points, so there is no cap to speak of.
    private = await sandbox.run_command("quiz practice", user=world.bob)
    answered = await answer(sandbox, mentor, private, world.bob, right=True)
    assert "Well done." in answered.embeds[0]["description"]
    assert "practice points" not in answered.embeds[0]["description"]

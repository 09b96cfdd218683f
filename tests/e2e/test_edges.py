"""The rough edges a newcomer hits, each fixed: boards, histories, names, ids from buttons."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import Activity, BoardTotal, ChallengeCompletion, QuizAnswer, User
from sandbox import Sandbox
from tests.e2e.harness import START, World
from tests.e2e.test_daily_quiz import daily_posts, right_letter, schedule_quiz, tick
from tests.e2e.test_practice import answer


async def count(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_a_first_quiz_answer_puts_the_member_on_the_streak_board(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    question = await sandbox.run_command("quiz practice", user=world.alice, guild=world.guild)
    await answer(sandbox, mentor, question, world.alice, right=True)
    board = await sandbox.run_command(
        "leaderboard", user=world.alice, guild=world.guild, board="streak"
    )
    assert board.embeds[0]["description"].startswith("🥇 alice")


async def test_study_history_reads_edits_and_deletes(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await sandbox.run_command(
        "study log", user=world.alice, guild=world.guild, minutes=40, note="joins in SQL"
    )
    clock.advance(timedelta(days=1))
    await sandbox.run_command(
        "study log", user=world.alice, guild=world.guild, minutes=25, skill="docker"
    )
    history = await sandbox.run_command("study history", user=world.alice, guild=world.guild)
    assert history.ephemeral
    text = history.embeds[0]["description"]
    assert "joins in SQL" in text and "40m" in text and "25m" in text and "Docker" in text

    first = min(history.selects[0].options, key=lambda o: int(o["value"]))
    picked = await sandbox.select(
        history, "Edit or delete an entry…", [first["value"]], user=world.alice
    )
    modal = await sandbox.click(picked, "Edit", user=world.alice)
    saved = await sandbox.submit_modal(modal, {"minutes": "60", "note": "joins and indexes"})
    assert "joins and indexes" in saved.content and "1h" in saved.content
    async with db.transaction() as session:
        study = await session.scalar(
            select(BoardTotal.value).where(
                BoardTotal.user_id == world.alice.id,
                BoardTotal.board == "study",
                BoardTotal.period == "all",
            )
        )
        points = await session.scalar(
            select(BoardTotal.value).where(
                BoardTotal.user_id == world.alice.id,
                BoardTotal.board == "points",
                BoardTotal.period == "all",
            )
        )
    assert study == 85 and points == 6 + 2

    refused = await sandbox.submit_modal(
        await sandbox.click(picked, "Edit", user=world.alice), {"minutes": "1x", "note": ""}
    )
    assert refused.ephemeral and "whole number" in refused.content

    deleted = await sandbox.click(picked, "Delete", user=world.alice)
    assert "Deleted" in deleted.content
    assert await count(db, Activity) == 1

    # entries older than 7 days can be read, not changed.
    clock.advance(timedelta(days=8))
    old = await sandbox.run_command("study history", user=world.alice, guild=world.guild)
    assert old.selects == [] and "25m" in old.embeds[0]["description"]


async def test_streak_footer_and_another_members_history(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=20)
    users_before = await count(db, User)
    card = await sandbox.run_command(
        "streak", user=world.alice, guild=world.guild, options={"member": world.bob}
    )
    assert "/streak history" not in card.embeds[0]["footer"]["text"]
    assert "/study history" in card.embeds[0]["footer"]["text"]
    shown = await sandbox.click(card, "Last 30 days", user=world.alice)
    assert shown.embeds[0]["title"].startswith("bob")
    # looking at alice's (empty) streak made no row for either of them
    await sandbox.run_command(
        "streak", user=world.bob, guild=world.guild, options={"member": world.alice}
    )
    assert await count(db, User) == users_before == 1


async def test_a_daily_question_answers_only_in_its_own_server(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    other = sandbox.add_guild("Elsewhere")
    sandbox.add_member(other, world.alice)
    elsewhere = sandbox.post_as(world.alice, other.general, "hello")
    clock.set(START)
    await schedule_quiz(sandbox, world)
    await tick(mentor)
    post = daily_posts(sandbox, world)[0]
    right, _ = await right_letter(mentor, world.guild.id)
    custom_id = next(b.custom_id for b in post.buttons if b.label == right)
    forged = await sandbox.press(elsewhere, custom_id, user=world.alice, attach=True)
    assert forged.ephemeral and "no longer available" in forged.content
    huge = await sandbox.press(post, "quiz:d:9999999999999999999:0", user=world.alice, attach=True)
    assert huge.ephemeral and "out of date" in huge.content
    assert await count(db, QuizAnswer) == 0


async def test_i_did_it_only_for_a_challenge_shown_in_this_server(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    card = await sandbox.run_command("challenge", user=world.alice, guild=world.guild)
    shown = card.buttons[0].custom_id
    others = [c.id for c in mentor.services.content.challenges if f"chal:done:{c.id}" != shown]
    refused = await sandbox.press(card, f"chal:done:{others[0]}", user=world.alice, attach=True)
    assert refused.ephemeral and "not posted in this server" in refused.content
    assert await count(db, ChallengeCompletion) == 0
    done = await sandbox.click(card, "I did it", user=world.alice)
    assert "Well done" in done.content


async def test_a_blank_season_name_is_refused(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    reply = await sandbox.run_command(
        "mod season-new", user=world.mod, guild=world.guild, name="   "
    )
    assert reply.ephemeral and "cannot be empty" in reply.content


async def test_question_stats_count_daily_answers_only(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    for _ in range(4):
        question = await sandbox.run_command("quiz practice", user=world.alice, guild=world.guild)
        await answer(sandbox, mentor, question, world.alice, right=False)
    assert await count(db, QuizAnswer) == 4
    assert await mentor.services.daily.question_stats(world.guild.id, minimum=1) == []


READS = [
    ("help", {}),
    ("skill", {"name": "blockchain"}),
    ("skill", {"name": "postgres"}),
    ("skills", {}),
    ("path", {"goal": "kubernetes"}),
    ("progress", {}),
    ("streak", {}),
    ("leaderboard", {}),
    ("leaderboard", {"board": "streak", "period": "all"}),
    ("challenge", {}),
    ("quiz today", {}),
    ("remind show", {}),
    ("remind off", {}),
    ("study history", {}),
    ("study undo", {}),
    ("mydata export", {}),
    ("mod settings", {}),
    ("mod audit", {}),
    ("mod seasons", {}),
    ("mod question-stats", {}),
    ("mod export", {}),
    ("mod quiz-stop", {}),
    ("mod challenge-stop", {}),
]


async def test_reads_never_create_rows(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    """Looking (at yourself, someone else, the boards, the settings) stores nothing."""
    from tests.e2e.test_bad_input import row_counts

    before = await row_counts(db)
    for command, options in READS:
        reply = await sandbox.run_command(command, user=world.mod, guild=world.guild, **options)
        assert "Something went wrong" not in (getattr(reply, "content", "") or ""), command
    other = await sandbox.run_command(
        "streak", user=world.mod, guild=world.guild, options={"member": world.alice}
    )
    await sandbox.click(other, "Last 30 days", user=world.mod)
    assert await row_counts(db) == before


async def test_an_unknown_skill_gets_no_confident_guess(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    reply = await sandbox.run_command(
        "skill", user=world.alice, guild=world.guild, name="blockchain"
    )
    text = reply.content + "".join(e.get("description", "") for e in reply.embeds)
    assert reply.ephemeral and "No skill called “blockchain”" in text
    assert not reply.buttons and not reply.selects


async def test_a_forged_category_in_the_catalogue_menu_is_refused(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    page = await sandbox.run_command("skills", user=world.alice, guild=world.guild)
    menu = page.selects[0]
    data = {"custom_id": menu.custom_id, "component_type": int(menu.type), "values": ["bogus"]}
    record = sandbox._component(page, world.alice, data, "forged select")  # a forged client
    reply = await sandbox._result(record, None)
    assert reply.ephemeral and "not one of the categories" in reply.content

"""``/mydata delete`` deletes the member's data but not what moderators did, nor a spent answer."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import AnswerMarker, BoardTotal, ModAudit, PenaltyCarryover, QuizAnswer
from sandbox import Sandbox
from tests.e2e.harness import START, World, new_season
from tests.e2e.test_daily_quiz import daily_posts, right_letter, schedule_quiz, tick


async def delete_data(sandbox: Sandbox, world: World, user: object) -> None:
    prompt = await sandbox.run_command("mydata delete", user=user, guild=world.guild)
    done = await sandbox.click(prompt, "Delete all my data", user=user)
    assert "deleted" in done.content


async def count(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_a_penalty_survives_deletion_in_the_audit_and_on_return(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=30)
    await sandbox.run_command(
        "mod points",
        user=world.mod,
        guild=world.guild,
        options={"member": world.bob, "amount": -500, "reason": "spamming answers"},
    )
    await delete_data(sandbox, world, world.bob)

    audit = await sandbox.run_command("mod audit", user=world.mod, guild=world.guild)
    text = audit.content or audit.embeds[0]["description"]
    assert "-500" in text and "spamming answers" in text and "deleted member" in text
    assert str(world.bob.id) not in text
    async with db.transaction() as session:
        entry = await session.scalar(select(ModAudit).where(ModAudit.amount == -500))
    assert entry is not None and entry.target_user_id is None
    assert await count(db, PenaltyCarryover) == 1

    # bob comes back in the same season: the penalty comes back with him.
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=30)
    async with db.transaction() as session:
        total = await session.scalar(
            select(BoardTotal.value).where(
                BoardTotal.user_id == world.bob.id,
                BoardTotal.board == "points",
                BoardTotal.period == "all",
            )
        )
    assert total == 3 - 500
    audit = await sandbox.run_command("mod audit", user=world.mod, guild=world.guild)
    text = audit.content or audit.embeds[0]["description"]
    assert "Backend Mentor carryover -500" in text
    assert await count(db, PenaltyCarryover) == 0

    # a new season starts clean and no carry-over outlives it.
    await sandbox.run_command(
        "mod points",
        user=world.mod,
        guild=world.guild,
        options={"member": world.bob, "amount": -50, "reason": "again"},
    )
    await delete_data(sandbox, world, world.bob)
    await new_season(sandbox, world)
    assert await count(db, PenaltyCarryover) == 0


async def test_deleting_data_does_not_reopen_the_daily_question(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    clock.set(START)
    await schedule_quiz(sandbox, world)
    await tick(mentor)
    post = daily_posts(sandbox, world)[0]
    right, wrong = await right_letter(mentor, world.guild.id)
    first = await sandbox.click(post, wrong, user=world.alice)
    assert first.ephemeral
    await delete_data(sandbox, world, world.alice)
    assert await count(db, AnswerMarker) == 1
    async with db.transaction() as session:
        assert (await session.scalars(select(AnswerMarker.digest))).first() != str(world.alice.id)

    again = await sandbox.click(post, right, user=world.alice)
    assert again.ephemeral and "before deleting your data" in again.content
    assert await count(db, QuizAnswer) == 0
    # bob, who never answered, still can.
    bob = await sandbox.click(post, right, user=world.bob)
    assert "+10" in (bob.content or "") or bob.embeds
    assert await count(db, QuizAnswer) == 1

    await mentor.services.daily.close_open_posts(world.guild.id)
    assert await count(db, AnswerMarker) == 0

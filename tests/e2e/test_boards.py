"""Leaderboards, seasons, moderator tools and members' data through the sandbox."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import BigInteger, select
from sqlalchemy.engine import Connection

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import Base
from sandbox import Sandbox, SandboxError
from tests.e2e.harness import World, new_season

MOD_COMMANDS = [
    ("mod quiz-schedule", {"channel": "general", "time": "09:00"}),
    ("mod quiz-stop", {}),
    ("mod quiz-now", {}),
    ("mod quiz-topics", {}),
    ("mod question-stats", {}),
    ("mod challenge-schedule", {"channel": "general", "weekday": "Monday", "time": "09:00"}),
    ("mod challenge-stop", {}),
    ("mod season-new", {}),
    ("mod seasons", {}),
    ("mod points", {"member": "bob", "amount": 5, "reason": "nice"}),
    ("mod export", {}),
    ("mod audit", {}),
    ("mod timezone", {"timezone": "UTC"}),
    ("mod settings", {}),
]


async def earn(sandbox: Sandbox, world: World, bot: MentorBot) -> None:
    """alice studies 60 min (6 pts) and finishes a challenge (25); bob studies 30 min (3)."""
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=60)
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=30)
    challenge = await sandbox.run_command("challenge", user=world.alice, guild=world.guild)
    await sandbox.click(challenge, "I did it", user=world.alice)


async def test_leaderboard_order_ranks_and_caller(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await earn(sandbox, world, mentor)
    board = await sandbox.run_command("leaderboard", user=world.bob, guild=world.guild)
    lines = board.embeds[0]["description"].splitlines()
    assert lines[0].startswith("🥇 alice") and "31 pts" in lines[0]
    assert lines[1].startswith("🥈 bob") and "3 pts" in lines[1]
    you = board.embeds[0]["fields"][0]
    assert you["name"] == "You" and "bob" in you["value"]

    study = await sandbox.run_command(
        "leaderboard", user=world.alice, guild=world.guild, board="study", period="all"
    )
    assert "1h 00m" in study.embeds[0]["description"]
    streak = await sandbox.run_command(
        "leaderboard", user=world.alice, guild=world.guild, board="streak"
    )
    assert "1 day" in streak.embeds[0]["description"]


async def test_ties_share_a_rank_and_pages_move(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    users = []
    for index in range(12):
        user = sandbox.add_user(f"member{index:02d}")
        sandbox.add_member(world.guild, user)
        users.append(user)
        await mentor.services.boards.adjust(
            world.guild.id,
            moderator_id=world.mod.id,
            user_id=user.id,
            display_name=user.username,
            amount=100 if index < 3 else 50 - index,
            reason="seed",
        )
    board = await sandbox.run_command(
        "leaderboard", user=users[-1], guild=world.guild, period="all"
    )
    lines = board.embeds[0]["description"].splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["🥇", "🥇", "🥇", "`#4`"]
    assert "`#12`" in board.embeds[0]["fields"][0]["value"]
    second = await sandbox.click(board, "Next", user=users[-1])
    assert second.embeds[0]["description"].splitlines()[0].startswith("`#11`")
    others = await sandbox.click(board, "Previous", user=world.alice)
    assert others.ephemeral and "someone else" in others.content


async def test_departed_member_disappears_and_comes_back(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await earn(sandbox, world, mentor)
    del world.guild.members[world.bob.id]  # bob leaves the server
    board = await sandbox.run_command("leaderboard", user=world.alice, guild=world.guild)
    assert "bob" not in board.embeds[0]["description"]
    sandbox.add_member(world.guild, world.bob)
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=10)
    board = await sandbox.run_command("leaderboard", user=world.alice, guild=world.guild)
    assert "bob" in board.embeds[0]["description"]


async def test_a_new_season_asks_first_and_refuses_a_taken_name_or_a_stale_yes(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await earn(sandbox, world, mentor)
    asked = await sandbox.run_command(
        "mod season-new", user=world.mod, guild=world.guild, name="Spring"
    )
    assert asked.ephemeral and "Close **Season 1**" in asked.content
    assert "start **Spring**" in asked.content
    cancelled = await sandbox.click(asked, "Cancel", user=world.mod)
    assert cancelled.content == "Nothing changed; the season goes on."
    assert [s.name for s in await mentor.services.boards.seasons(world.guild.id)] == ["Season 1"]

    # Two prompts for the same season: the first yes wins, the second is told it is stale.
    first = await sandbox.run_command("mod season-new", user=world.mod, guild=world.guild)
    second = await sandbox.run_command("mod season-new", user=world.mod, guild=world.guild)
    await sandbox.click(first, "Start the new season", user=world.mod)
    stale = await sandbox.click(second, "Start the new season", user=world.mod)
    assert "The season changed since you asked" in stale.content
    assert [s.name for s in await mentor.services.boards.seasons(world.guild.id)] == [
        "Season 1",
        "Season 2",
    ]

    taken = await sandbox.run_command(
        "mod season-new", user=world.mod, guild=world.guild, name="season 2"
    )
    assert taken.ephemeral and "Season 2 is already called “Season 2”" in taken.content
    assert not taken.buttons


async def test_season_rollover_keeps_old_standings(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await earn(sandbox, world, mentor)
    rolled = await new_season(sandbox, world, "Spring sprint")
    assert "Season 1** is closed" in rolled.content and "Spring sprint" in rolled.content
    current = await sandbox.run_command(
        "leaderboard", user=world.alice, guild=world.guild, period="season"
    )
    assert current.embeds[0]["title"] == "Points — Spring sprint"
    assert current.embeds[0]["description"] == "Nobody is on this board yet."
    old = await sandbox.run_command(
        "leaderboard", user=world.alice, guild=world.guild, period="season", season=1
    )
    assert old.embeds[0]["title"] == "Points — Season 1 (final)"
    assert old.embeds[0]["description"].startswith("🥇 alice")
    listed = await sandbox.run_command("mod seasons", user=world.mod, guild=world.guild)
    assert "Spring sprint" in listed.embeds[0]["description"]


@pytest.mark.parametrize(("command", "options"), MOD_COMMANDS)
async def test_every_mod_command_refuses_members(
    sandbox: Sandbox, world: World, mentor: MentorBot, command: str, options: dict
) -> None:
    with pytest.raises(SandboxError, match="hidden"):
        await sandbox.run_command(
            command, user=world.alice, guild=world.guild, options=dict(options)
        )
    values = {
        k: (world.guild.general if v == "general" else world.bob if v == "bob" else v)
        for k, v in options.items()
    }
    refused = await sandbox.run_command(
        command, user=world.alice, guild=world.guild, bypass_permissions=True, options=values
    )
    assert refused.ephemeral and "manage server permission" in refused.content.lower()


async def test_points_adjustment_bounds_reason_and_audit(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    with pytest.raises(SandboxError, match=r"within -1000\.\.1000"):
        await sandbox.run_command(
            "mod points",
            user=world.mod,
            guild=world.guild,
            member=world.bob,
            amount=5000,
            reason="x",
        )
    with pytest.raises(SandboxError, match=r"1\.\.200 characters"):
        await sandbox.run_command(
            "mod points",
            user=world.mod,
            guild=world.guild,
            member=world.bob,
            amount=5,
            reason="x" * 10_000,
        )
    ok = await sandbox.run_command(
        "mod points",
        user=world.mod,
        guild=world.guild,
        member=world.bob,
        amount=-40,
        reason="duplicate account",
    )
    assert "-40 points" in ok.content and "All-time total: -40" in ok.content
    board = await sandbox.run_command(
        "leaderboard", user=world.bob, guild=world.guild, period="all"
    )
    mine = {f["name"]: f["value"] for f in board.embeds[0]["fields"]}["You"]
    assert mine == "Not on this board yet: it ranks members with more than 0 pts."
    log = await sandbox.run_command("mod audit", user=world.mod, guild=world.guild)
    assert (
        "points -40" in log.embeds[0]["description"]
        and "duplicate account" in log.embeds[0]["description"]
    )
    with pytest.raises(Exception, match="between -1000 and 1000"):
        await mentor.services.boards.adjust(
            world.guild.id,
            moderator_id=world.mod.id,
            user_id=world.bob.id,
            display_name="bob",
            amount=1001,
            reason="x",
        )
    with pytest.raises(Exception, match="at most 200"):
        await mentor.services.boards.adjust(
            world.guild.id,
            moderator_id=world.mod.id,
            user_id=world.bob.id,
            display_name="bob",
            amount=1,
            reason="y" * 10_000,
        )


async def test_csv_export_is_safe_and_empty_board_is_refused(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    empty = await sandbox.run_command("mod export", user=world.mod, guild=world.guild)
    assert empty.ephemeral and "nothing to export" in empty.content
    evil = sandbox.add_user('=HYPERLINK("http://x")')
    sandbox.add_member(world.guild, evil)
    await sandbox.run_command("study log", user=evil, guild=world.guild, minutes=20)
    await earn(sandbox, world, mentor)
    exported = await sandbox.run_command(
        "mod export", user=world.mod, guild=world.guild, board="points", period="all"
    )
    attachment = exported.attachments[0]
    assert attachment.filename == "leaderboard-points-all.csv"
    rows = list(csv.reader(io.StringIO(attachment.data.decode())))
    assert rows[0] == ["rank", "user_id", "name", "points"]
    assert rows[1][2] == "alice"
    evil_row = next(r for r in rows if r[1] == str(evil.id))
    assert evil_row[2].startswith("'=")


async def test_other_servers_data_never_shows(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    other = sandbox.add_guild("Other")
    stranger = sandbox.add_user("stranger")
    sandbox.add_member(other, stranger)
    await sandbox.run_command("study log", user=stranger, guild=other, minutes=120)
    await earn(sandbox, world, mentor)
    for board in ("points", "study"):
        page = await sandbox.run_command(
            "leaderboard", user=world.alice, guild=world.guild, board=board, period="all"
        )
        assert "stranger" not in page.embeds[0]["description"]


async def test_mod_settings_shows_everything(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=world.guild,
        options={"channel": world.guild.general, "time": "07:30"},
    )
    await sandbox.run_command(
        "mod timezone", user=world.mod, guild=world.guild, timezone="Europe/Paris"
    )
    shown = await sandbox.run_command("mod settings", user=world.mod, guild=world.guild)
    fields = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}
    assert "Europe/Paris" in fields["Timezone"]
    assert "07:30" in fields["Daily quiz"]
    assert "Not scheduled" in fields["Weekly challenge"]
    assert "timezone" in fields["Recent moderator actions"]


def _user_references(connection: Connection, user_id: int) -> list[str]:
    """Every table.column, among all BIGINT (snowflake-sized) columns, that holds ``user_id``."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if (
                isinstance(column.type, BigInteger)
                and connection.execute(select(table).where(column == user_id)).first() is not None
            ):
                found.append(f"{table.name}.{column.name}")
    return found


async def test_mydata_export_and_delete_everywhere(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await earn(sandbox, world, mentor)
    await sandbox.run_command("remind set", user=world.alice, guild=world.guild, time="21:00")
    await mentor.services.learning.mark_learned(world.alice.id, "git")
    await sandbox.run_command(
        "mod points",
        user=world.mod,
        guild=world.guild,
        member=world.alice,
        amount=7,
        reason="helped others",
    )
    practice = await sandbox.run_command("quiz practice", user=world.alice, guild=world.guild)
    await sandbox.click(practice, "A", user=world.alice)

    exported = await sandbox.run_command("mydata export", user=world.alice, guild=world.guild)
    assert exported.ephemeral
    data = json.loads(exported.attachments[0].data)
    assert data["user_id"] == str(world.alice.id)
    assert len(data["activity"]) == 3 and len(data["quiz_prompts"]) == 1
    assert data["learned_skills"][0]["skill"] == "git"
    assert data["reminders"] and data["moderation_log"]
    assert len(data["quiz_answers"]) == 1 and len(data["review_cards"]) == 1
    (mastery,) = data["skill_mastery"]
    assert mastery["answers"] == 1 and mastery["right"] == int(data["quiz_answers"][0]["correct"])

    prompt = await sandbox.run_command("mydata delete", user=world.alice, guild=world.guild)
    for kept_before in ("achievements", "career goal", "challenge completions"):
        assert kept_before in prompt.embeds[0]["description"]  # said before, not only after
    done = await sandbox.click(prompt, "Delete all my data", user=world.alice)
    assert "deleted" in done.content
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_user_references, world.alice.id) == []
    again = await sandbox.run_command("mydata delete", user=world.alice, guild=world.guild)
    twice = await sandbox.click(again, "Delete all my data", user=world.alice)
    assert "already deleted" in twice.content

    board = await sandbox.run_command(
        "leaderboard", user=world.bob, guild=world.guild, period="all"
    )
    assert "alice" not in board.embeds[0]["description"]
    assert board.embeds[0]["description"].startswith("🥇 bob")
    assert await mentor.services.reminders.due(clock.now() + timedelta(days=1)) == []


async def test_a_lapsed_streak_leaves_the_streak_board(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=15)
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=15)
    board = await sandbox.run_command(
        "leaderboard", user=world.alice, guild=world.guild, board="streak"
    )
    assert "alice" in board.embeds[0]["description"] and "bob" in board.embeds[0]["description"]
    clock.advance(timedelta(days=3))  # alice stopped; bob studies on
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=15)
    assert await mentor.services.boards.sweep_broken_streaks() == 1
    board = await sandbox.run_command(
        "leaderboard", user=world.bob, guild=world.guild, board="streak"
    )
    lines = board.embeds[0]["description"].splitlines()
    assert len(lines) == 1 and lines[0].startswith("🥇 bob")

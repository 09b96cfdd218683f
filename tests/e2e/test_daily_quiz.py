"""The daily quiz end to end: schedule, post at local time, answers, results, restarts, failures."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import DailyPost, Delivery, QuizAnswer, QuizSchedule
from sandbox import Message, Sandbox
from tests.e2e.harness import START, World, running_mentor, started_sandbox

LETTERS = "ABCD"


async def schedule_quiz(
    sandbox: Sandbox,
    world: World,
    *,
    time: str = "09:00",
    tz: str | None = "Europe/Berlin",
    **options: object,
) -> Message:
    """``/mod quiz-schedule`` in #general; ``tz=None`` leaves the timezone out."""
    timezone = {"timezone": tz} if tz is not None else {}
    return await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=world.guild,
        options={"channel": world.guild.general, "time": time, **timezone, **options},
    )


async def tick(bot: MentorBot) -> int:
    """Do what the delivery timer does every few seconds."""
    return await bot.delivery.tick()


def daily_posts(sandbox: Sandbox, world: World) -> list[Message]:
    return [
        m
        for m in sandbox.channel_messages(world.guild.general)
        if m.embeds and m.embeds[0].get("title", "").startswith("Daily question")
    ]


async def count(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def right_letter(bot: MentorBot, guild_id: int) -> tuple[str, str]:
    post = await bot.services.daily.current_post(guild_id)
    assert post is not None
    right = post.shown.right_position
    wrong = (right + 1) % len(post.shown.order)
    return LETTERS[right], LETTERS[wrong]


async def test_schedule_post_answers_and_results(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    carol, dave = sandbox.add_user("carol"), sandbox.add_user("dave")
    for user in (carol, dave):
        sandbox.add_member(world.guild, user)
    clock.set(START - timedelta(minutes=1))  # 08:59 in Berlin (UTC+1 in March)
    reply = await schedule_quiz(sandbox, world)
    assert reply.ephemeral and "09:00 (Europe/Berlin)" in reply.embeds[0]["description"]
    assert f"<t:{int(START.timestamp())}:F>" in reply.embeds[0]["description"]  # 08:00 UTC

    await tick(mentor)
    assert daily_posts(sandbox, world) == []  # not yet 09:00 local

    clock.set(START)
    await asyncio.gather(tick(mentor), tick(mentor))
    await tick(mentor)
    posts = daily_posts(sandbox, world)
    assert len(posts) == 1
    post = posts[0]
    assert [b.label for b in post.buttons] == list(LETTERS[: len(post.buttons)])

    right, wrong = await right_letter(mentor, world.guild.id)
    first = await sandbox.click(post, right, user=world.alice)
    assert first.ephemeral and first.embeds[0]["title"] == "✅ Right!"
    again = await sandbox.click(post, wrong, user=world.alice)
    assert again.embeds[0]["title"] == "You already answered this one"
    missed = await sandbox.click(post, wrong, user=world.bob)
    assert missed.embeds[0]["title"] == "❌ Not quite"

    # Concurrent clicks: carol twice at once, dave once — one answer each.
    results = await asyncio.gather(
        sandbox.click(post, right, user=carol),
        sandbox.click(post, wrong, user=carol),
        sandbox.click(post, right, user=dave),
    )
    titles = sorted(r.embeds[0]["title"] for r in results)
    assert titles.count("You already answered this one") == 1
    assert await count(db, QuizAnswer, QuizAnswer.mode == "daily") == 4

    # Erin opens the question privately but answers only after it closed.
    erin = sandbox.add_user("erin")
    sandbox.add_member(world.guild, erin)
    erins_copy = await sandbox.run_command("quiz today", user=erin, guild=world.guild)

    # The next day's post closes this one and edits the result in.
    clock.set(START + timedelta(days=1))
    await tick(mentor)
    assert len(daily_posts(sandbox, world)) == 2
    closed = sandbox.message(post.id)
    assert closed.embeds[0]["title"].endswith("(closed)")
    results_field = next(f for f in closed.embeds[0]["fields"] if f["name"] == "Results")
    assert results_field["value"].startswith("4 answered")
    assert "first right: alice" in results_field["value"]
    assert all(b.disabled for b in closed.buttons)
    late = await sandbox.click(erins_copy, right, user=erin)
    assert late.ephemeral and "closed" in late.content
    assert await count(db, QuizAnswer, QuizAnswer.mode == "daily") == 4


async def test_buttons_survive_a_restart(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> None:
    async with running_mentor(sandbox, db, clock) as bot:
        await schedule_quiz(sandbox, world)
        await tick(bot)
        right, _ = await right_letter(bot, world.guild.id)
    post = daily_posts(sandbox, world)[0]
    async with running_mentor(sandbox, db, clock):
        reply = await sandbox.click(post, right, user=world.alice)
        assert reply.embeds[0]["title"] == "✅ Right!"
    assert await count(db, QuizAnswer) == 1


async def test_downtime_across_posting_time_posts_once(
    sandbox: Sandbox, world: World, db: Database, clock: FrozenClock
) -> None:
    clock.set(START - timedelta(hours=1))
    async with running_mentor(sandbox, db, clock):
        await schedule_quiz(sandbox, world)
    assert daily_posts(sandbox, world) == []
    clock.set(START + timedelta(hours=2))  # the bot was down at 09:00 local
    for _ in range(3):  # restarts in a loop
        async with running_mentor(sandbox, db, clock):
            pass
    assert len(daily_posts(sandbox, world)) == 1
    assert await count(db, DailyPost) == 1

    clock.set(START + timedelta(hours=16))  # 01:00 local the next day, before 09:00
    async with running_mentor(sandbox, db, clock):
        pass
    assert len(daily_posts(sandbox, world)) == 1


async def test_forbidden_channel_pauses_only_that_server(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    other = sandbox.add_guild("Other Group")
    sandbox.add_member(other, world.mod, manage_guild=True)
    await schedule_quiz(sandbox, world)
    await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=other,
        options={"channel": other.general, "time": "09:00", "timezone": "Europe/Berlin"},
    )
    sandbox.forbid_channel(world.guild.general)
    await tick(mentor)

    assert daily_posts(sandbox, world) == []
    assert [m for m in sandbox.channel_messages(other.general) if m.embeds]
    async with db.transaction() as session:
        schedule = await session.get(QuizSchedule, world.guild.id)
        assert schedule is not None and schedule.paused_reason
    assert await count(db, DailyPost, DailyPost.guild_id == world.guild.id) == 0
    # The moderator who set the schedule hears about it at once, by DM.
    told = await sandbox.wait_for_dm(world.mod)
    assert "paused" in told.content and "lack permission" in told.content
    clock.advance(timedelta(minutes=5))
    await tick(mentor)  # paused: no second attempt, no second notice
    assert len(sandbox.dm_messages(world.mod)) == 1


async def test_pause_notice_waits_for_the_next_mod_command_when_nobody_can_be_told(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    await schedule_quiz(sandbox, world)
    sandbox.close_dms(world.mod)
    sandbox.delete_channel(world.guild.general)  # also the server's system channel
    await tick(mentor)
    assert await count(db, DailyPost) == 0

    study = sandbox.add_channel(world.guild, "study")
    await sandbox.run_command(
        "mod question-stats", user=world.mod, guild=world.guild, channel=study
    )
    notice = await sandbox.wait_for_message(
        study, check=lambda m: "paused" in m.content, visible_to=world.mod
    )
    assert notice.ephemeral and "no longer exists" in notice.content


async def test_bad_schedule_input_changes_nothing(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    bad_time = await schedule_quiz(sandbox, world, time="25:99")
    assert bad_time.ephemeral and "not a time of day" in bad_time.content
    bad_tz = await schedule_quiz(sandbox, world, tz="Mars/Olympus_Mons")
    assert bad_tz.ephemeral and "not a timezone" in bad_tz.content
    refused = await sandbox.run_command(
        "mod quiz-schedule",
        user=world.alice,
        guild=world.guild,
        bypass_permissions=True,
        options={"channel": world.guild.general, "time": "09:00"},
    )
    assert refused.ephemeral and "Manage Server" in refused.content.title()
    assert await count(db, QuizSchedule) == 0


async def test_quiz_now_and_today(sandbox: Sandbox, world: World, mentor: MentorBot) -> None:
    await schedule_quiz(sandbox, world, time="18:00")
    posted = await sandbox.run_command("mod quiz-now", user=world.mod, guild=world.guild)
    assert "posted" in posted.content
    again = await sandbox.run_command("mod quiz-now", user=world.mod, guild=world.guild)
    assert "already posted" in again.content
    assert len(daily_posts(sandbox, world)) == 1
    today = await sandbox.run_command("quiz today", user=world.alice, guild=world.guild)
    assert today.ephemeral and today.embeds[0]["title"].startswith("Daily question")
    right, _ = await right_letter(mentor, world.guild.id)
    answer = await sandbox.click(today, right, user=world.alice)
    assert answer.embeds[0]["title"] == "✅ Right!"


async def test_a_day_already_posted_is_not_announced_or_posted_again(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    # 09:00 in Berlin: today's question goes out by hand, then the schedule moves to 20:00.
    await schedule_quiz(sandbox, world, time="18:00")
    await sandbox.run_command("mod quiz-now", user=world.mod, guild=world.guild)
    moved = await schedule_quiz(sandbox, world, time="20:00")
    tomorrow_at_eight = START + timedelta(days=1, hours=11)  # 20:00 CET is 19:00 UTC
    assert f"Next: <t:{int(tomorrow_at_eight.timestamp())}:F>." in moved.embeds[0]["description"]
    clock.set(START + timedelta(hours=12))
    await tick(mentor)
    assert len(daily_posts(sandbox, world)) == 1
    clock.set(tomorrow_at_eight)
    await tick(mentor)
    assert len(daily_posts(sandbox, world)) == 2


async def test_a_move_to_a_zone_still_on_yesterday_posts_no_question_for_yesterday(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await schedule_quiz(sandbox, world, time="09:00")  # due now: Tuesday in Berlin
    await tick(mentor)
    assert len(daily_posts(sandbox, world)) == 1
    # Pago Pago (UTC-11) is at 21:00 on Monday; its Monday question would come out closed.
    await schedule_quiz(sandbox, world, time="21:05", tz="Pacific/Pago_Pago")
    clock.set(START + timedelta(minutes=10))
    await tick(mentor)
    assert len(daily_posts(sandbox, world)) == 1
    assert await count(db, DailyPost) == 1


async def test_close_time_closes_and_shows_results(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await schedule_quiz(sandbox, world, close_at="21:00")
    await tick(mentor)
    post = daily_posts(sandbox, world)[0]
    right, _ = await right_letter(mentor, world.guild.id)
    await sandbox.click(post, right, user=world.alice)
    clock.set(START.replace(hour=19, minute=59))
    await tick(mentor)
    assert not sandbox.message(post.id).embeds[0]["title"].endswith("(closed)")
    clock.set(START.replace(hour=20))  # 21:00 in Berlin
    await tick(mentor)
    closed = sandbox.message(post.id)
    assert closed.embeds[0]["title"].endswith("(closed)")
    assert "1 answered · 100% right" in str(closed.embeds[0]["fields"])


async def test_topics_limit_the_daily_question(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await schedule_quiz(sandbox, world)
    picker = await sandbox.run_command("mod quiz-topics", user=world.mod, guild=world.guild)
    chosen = await sandbox.select(
        picker, "Categories for the daily question…", ["security"], user=world.mod
    )
    assert "Security" in chosen.content
    await sandbox.run_command("mod quiz-now", user=world.mod, guild=world.guild)
    post = await mentor.services.daily.current_post(world.guild.id)
    assert post is not None
    assert mentor.services.content.skills[post.shown.question.skill].category.value == "security"


async def test_a_post_that_keeps_failing_waits_and_is_retried(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await schedule_quiz(sandbox, world)
    assert world.guild.general is not None
    sandbox.force_429(
        "POST",
        f"/channels/{world.guild.general.id}/messages",
        retry_after=0.01,
        count=5,  # every try discord.py makes
    )
    await tick(mentor)
    assert daily_posts(sandbox, world) == []
    async with db.transaction() as session:
        waiting = await session.scalar(select(Delivery))
        assert waiting is not None and waiting.state == "claimed" and waiting.message_id is None
        assert waiting.next_attempt_at == clock.now() + timedelta(seconds=30)
    await tick(mentor)  # too early: the retry waits for its time
    assert daily_posts(sandbox, world) == []
    clock.advance(timedelta(seconds=30))
    await tick(mentor)
    assert len(daily_posts(sandbox, world)) == 1
    assert await count(db, DailyPost) == 1
    assert await count(db, Delivery, Delivery.state == "sent") == 1


async def test_close_job_rereads_the_close_time(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    options = {"channel": world.guild.general, "time": "09:00", "timezone": "Europe/Berlin"}
    await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=world.guild,
        options={**options, "close_at": "21:00"},
    )
    await tick(mentor)
    post = daily_posts(sandbox, world)[0]
    # A moderator removes the close time; the old 21:00 must not close the post.
    await sandbox.run_command(
        "mod quiz-schedule", user=world.mod, guild=world.guild, options=options
    )
    clock.set(START.replace(hour=20, minute=30))
    await tick(mentor)
    assert not sandbox.message(post.id).embeds[0]["title"].endswith("(closed)")
    assert len(daily_posts(sandbox, world)) == 1


async def test_a_post_that_fails_all_day_is_marked_failed_and_moderators_are_told(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    await schedule_quiz(sandbox, world)
    assert world.guild.general is not None
    # Connection resets, not 500s: discord.py would retry each 500 itself for 16 s.
    sandbox.inject_fault(
        "POST", f"/channels/{world.guild.general.id}/messages", "reset", count=10_000
    )
    await tick(mentor)
    for _ in range(4):  # retries back off: 30 s, 1 min, 2 min, 4 min
        clock.advance(timedelta(minutes=5))
        await tick(mentor)
    assert daily_posts(sandbox, world) == []
    assert await count(db, Delivery, Delivery.state == "claimed") == 1
    clock.set(START.replace(hour=23, minute=1))  # midnight in Berlin: the day is over
    await tick(mentor)
    assert await count(db, Delivery, Delivery.state == "failed") == 1
    told = await sandbox.wait_for_dm(world.mod)
    assert "could not be posted" in told.content
    await tick(mentor)  # told once
    assert len(sandbox.dm_messages(world.mod)) == 1
    assert daily_posts(sandbox, world) == []


async def test_a_fan_out_runs_under_the_global_limit_and_posts_each_server_once(
    db: Database, clock: FrozenClock
) -> None:
    # 30 servers due in the same minute under a global limit of 10 requests a second:
    # the bot paces itself instead of running into 429s.
    clock.set(START - timedelta(hours=1))
    async with started_sandbox(global_limit=10) as sandbox:
        guilds = [sandbox.add_guild(f"Server {i}") for i in range(30)]
        async with running_mentor(sandbox, db, clock, discord_global_rate_limit=10) as bot:
            for guild in guilds:
                assert guild.general is not None
                await bot.services.daily.set_schedule(
                    guild_id=guild.id,
                    channel_id=guild.general.id,
                    time_text="08:00",
                    timezone_text="UTC",
                    days="daily",
                    close_text=None,
                    moderator_id=1,
                )
            clock.set(START)
            limited = sandbox.stats.rate_limited
            assert await tick(bot) == len(guilds)
            assert sandbox.stats.rate_limited == limited
            assert [len(sandbox.channel_messages(g.general)) for g in guilds] == [1] * len(guilds)
            assert await count(db, Delivery, Delivery.state == "sent") == len(guilds)
            assert await count(db, DailyPost, DailyPost.message_id.is_not(None)) == len(guilds)


async def test_a_new_time_keeps_the_schedules_days_and_timezone(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    await schedule_quiz(sandbox, world, tz="Asia/Tokyo", days="weekdays")
    moved = await schedule_quiz(sandbox, world, time="10:00", tz=None)
    text = moved.embeds[0]["description"]
    assert "at 10:00 (Asia/Tokyo), Monday to Friday." in text
    schedule = await mentor.services.daily.schedules.get(world.guild.id)
    assert schedule is not None
    assert (schedule.timezone, schedule.days) == ("Asia/Tokyo", "weekdays")

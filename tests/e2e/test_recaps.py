"""Milestone and recap posts end to end: batching, no pings, local time across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.app import MentorBot
from bot.clock import FrozenClock
from sandbox import Message, Sandbox
from tests.e2e.harness import World, new_season
from tests.e2e.test_daily_quiz import daily_posts, right_letter, schedule_quiz


async def recap_channel(sandbox: Sandbox, world: World, **options: Any) -> Message:
    return await sandbox.run_command(
        "mod recap-channel",
        user=world.mod,
        guild=world.guild,
        options={"channel": world.guild.general, **options},
    )


def recaps(sandbox: Sandbox, world: World) -> list[Message]:
    return [
        m
        for m in sandbox.channel_messages(world.guild.general)
        if m.embeds and m.embeds[0].get("title", "").startswith("📊 Week of")
    ]


def milestone_posts(sandbox: Sandbox, world: World) -> list[Message]:
    return [m for m in sandbox.channel_messages(world.guild.general) if "Milestones" in m.content]


async def walk(
    mentor: MentorBot, clock: FrozenClock, sandbox: Sandbox, world: World, until: datetime
) -> list[datetime]:
    """Tick up to ``until``; the times at which a weekly recap appeared.

    Hourly on Sundays and Mondays (UTC), where a Monday-morning recap falls on either
    side of a DST change; every six hours, never across midnight, on the other days,
    which only need to show that nothing is posted early or twice.
    """
    seen, posted = len(recaps(sandbox, world)), []
    while clock.now() < until:
        now = clock.now()
        next_midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
        fine = now.weekday() in (6, 0)
        clock.advance(timedelta(hours=1) if fine else min(timedelta(hours=6), next_midnight - now))
        await mentor.delivery.tick()
        if len(recaps(sandbox, world)) > seen:
            seen = len(recaps(sandbox, world))
            posted.append(clock.now())
    return posted


async def test_the_weekly_recap_posts_once_at_local_time_across_dst_changes(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 23, 8, 30, tzinfo=UTC))  # Monday 09:30 in Berlin (CET)
    await sandbox.run_command(
        "mod timezone", user=world.mod, guild=world.guild, timezone="Europe/Berlin"
    )
    reply = await recap_channel(sandbox, world, milestones=False)
    assert reply.ephemeral and "weekly recap on" in reply.content
    await mentor.delivery.tick()
    assert recaps(sandbox, world) == []  # this week's time had passed when it was set

    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=45)
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=20)
    await sandbox.run_command(
        "mod quiz-schedule",
        user=world.mod,
        guild=world.guild,
        options={"channel": world.guild.general, "time": "10:00"},
    )
    clock.set(datetime(2026, 3, 23, 9, 0, tzinfo=UTC))
    await mentor.delivery.tick()
    post = await mentor.services.daily.current_post(world.guild.id)
    assert post is not None
    letters = "ABCD"
    daily = next(m for m in sandbox.channel_messages(world.guild.general) if m.buttons)
    right = post.shown.right_position
    await sandbox.click(daily, letters[right], user=world.alice)
    await sandbox.click(daily, letters[(right + 1) % len(post.shown.order)], user=world.bob)

    # Berlin moves to CEST on Sunday 29 March: Monday 09:00 is then 07:00 UTC, not 08:00.
    posted = await walk(mentor, clock, sandbox, world, datetime(2026, 3, 30, 12, tzinfo=UTC))
    assert posted == [datetime(2026, 3, 30, 7, 0, tzinfo=UTC)]
    [recap] = recaps(sandbox, world)
    embed = recap.embeds[0]
    assert embed["title"] == "📊 Week of 23 Mar 2026"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Study time"].splitlines() == ["🥇 alice — 45m", "🥈 bob — 20m"]
    assert fields["Participation"] == "2 members earned points or studied; 2 daily answers"
    assert "50% of 2 answers were right" in fields["Hardest question"]
    assert "alice" in fields["New on the streak board"]
    assert recap.mentions == []

    # And back to CET on Sunday 25 October: Monday 09:00 is 08:00 UTC again.
    clock.set(datetime(2026, 10, 19, 5, 0, tzinfo=UTC))
    posted = await walk(mentor, clock, sandbox, world, datetime(2026, 10, 26, 12, tzinfo=UTC))
    assert posted == [
        datetime(2026, 10, 19, 7, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
    ]


async def test_milestones_are_batched_and_ping_nobody_who_did_not_ask(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    carol, dave = sandbox.add_user("carol"), sandbox.add_user("dave_*the*_@everyone")
    for user in (carol, dave):
        sandbox.add_member(world.guild, user)
    await sandbox.run_command("settings milestone-pings", user=carol, ping=True)
    # Dave's 7-day streak is older than the milestone posts, so it is not news.
    for day in range(7):
        clock.set(datetime(2026, 3, 10, 8, tzinfo=UTC) + timedelta(days=day))
        await sandbox.run_command("study log", user=dave, guild=world.guild, minutes=10)
    await recap_channel(sandbox, world, weekly=False)
    for day in range(7):
        clock.set(datetime(2026, 3, 10, 9, tzinfo=UTC) + timedelta(days=day))
        for user in (world.alice, world.bob, carol):
            await sandbox.run_command("study log", user=user, guild=world.guild, minutes=15)
        await mentor.delivery.tick()
    assert milestone_posts(sandbox, world) == []  # the batch window is still open

    clock.advance(timedelta(minutes=10))
    for _ in range(3):
        await mentor.delivery.tick()
    [post] = milestone_posts(sandbox, world)
    lines = post.content.splitlines()[1:]
    assert sorted(lines) == sorted(
        [
            "🔥 **alice** reached a 7-day streak",
            "🔥 **bob** reached a 7-day streak",
            f"🔥 <@{carol.id}> reached a 7-day streak",
        ]
    )
    assert [u.id for u in post.mentions] == [carol.id]
    assert not post.mention_everyone
    assert "dave" not in post.content

    clock.advance(timedelta(hours=1))
    await mentor.delivery.tick()
    assert len(milestone_posts(sandbox, world)) == 1


async def test_a_season_recap_the_morning_after_and_a_refused_channel_pauses_recaps(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await sandbox.run_command(
        "mod timezone", user=world.mod, guild=world.guild, timezone="Europe/Berlin"
    )
    await recap_channel(sandbox, world, milestones=False)
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=60)
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=30)
    clock.set(datetime(2026, 3, 12, 20, 0, tzinfo=UTC))
    await new_season(sandbox, world, "Spring")

    def season_recaps() -> list[Message]:
        return [
            m
            for m in sandbox.channel_messages(world.guild.general)
            if m.embeds and "final standings" in m.embeds[0].get("title", "")
        ]

    for at in (datetime(2026, 3, 12, 21, tzinfo=UTC), datetime(2026, 3, 13, 7, 59, tzinfo=UTC)):
        clock.set(at)
        await mentor.delivery.tick()
    assert season_recaps() == []
    clock.set(datetime(2026, 3, 13, 8, 0, tzinfo=UTC))  # 09:00 in Berlin
    for _ in range(2):
        await mentor.delivery.tick()
    [recap] = season_recaps()
    assert recap.embeds[0]["title"] == "📊 Season 1: final standings"
    fields = {f["name"]: f["value"] for f in recap.embeds[0]["fields"]}
    assert fields["Points"].splitlines() == ["🥇 alice — 6 pts", "🥈 bob — 3 pts"]

    # Monday's weekly recap meets a channel the bot may no longer post in: recaps pause.
    sandbox.forbid_channel(world.guild.general)
    clock.set(datetime(2026, 3, 16, 8, 0, tzinfo=UTC))
    await mentor.delivery.tick()
    told = await sandbox.wait_for_dm(world.mod)
    assert "paused" in told.content and "/mod recap-channel" in told.content
    clock.advance(timedelta(hours=1))
    await mentor.delivery.tick()
    assert len(sandbox.dm_messages(world.mod)) == 1
    assert recaps(sandbox, world) == []

    # Choosing a channel again resumes them, and the week's recap goes out there once.
    other = sandbox.add_channel(world.guild, "recaps")
    await sandbox.run_command(
        "mod recap-channel", user=world.mod, guild=world.guild, options={"channel": other}
    )
    for _ in range(2):
        await mentor.delivery.tick()
    posted = [
        m
        for m in sandbox.channel_messages(other)
        if m.embeds and m.embeds[0]["title"] == "📊 Week of 09 Mar 2026"
    ]
    assert len(posted) == 1


async def test_two_seasons_sharing_a_day_each_count_only_their_own_answers(
    sandbox: Sandbox, world: World, mentor: MentorBot, clock: FrozenClock
) -> None:
    await schedule_quiz(sandbox, world)  # 09:00 in Berlin: due at once
    await mentor.delivery.tick()
    [post] = daily_posts(sandbox, world)
    right, _ = await right_letter(mentor, world.guild.id)
    await sandbox.click(post, right, user=world.alice)  # in Season 1
    clock.advance(timedelta(minutes=30))
    await new_season(sandbox, world, "Two")
    clock.advance(timedelta(minutes=30))
    await sandbox.click(post, right, user=world.bob)  # in Two, on the same question
    clock.advance(timedelta(minutes=30))
    await new_season(sandbox, world, "Three")

    seasons = {s.name: s.id for s in await mentor.services.boards.seasons(world.guild.id)}
    for name in ("Season 1", "Two"):
        recap = await mentor.services.recaps.season(world.guild.id, seasons[name])
        assert recap is not None
        assert recap.daily_answers == 1, name
        assert recap.new_streak_count == 0 and recap.new_streaks == []

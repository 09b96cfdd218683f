"""Role rewards, achievements and /profile through the sandbox, on both databases."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.content.schema import Category
from bot.db.engine import Database
from bot.db.models import AchievementUnlock, RoleGrant, RoleReward, User
from sandbox import Guild, Role, Sandbox
from sandbox import permissions as perms
from tests.e2e.harness import World
from tests.e2e.test_boards import _user_references
from tests.e2e.test_practice import answer


async def count(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def reward_role(sandbox: Sandbox, guild: Guild, name: str, *, manageable: bool = True) -> Role:
    """A new role; with ``manageable`` the bot gets Manage Roles and its role goes on top."""
    role = sandbox.add_role(guild, name)
    if manageable:
        bot_role = sandbox.bot_role(guild)
        sandbox.set_role_permissions(bot_role, bot_role.permissions | perms.MANAGE_ROLES)
        sandbox.move_role(guild, bot_role, len(guild.roles))
    return role


async def study_days(
    sandbox: Sandbox, world: World, clock: FrozenClock, days: int, *, user: object = None
) -> None:
    for day in range(days):
        if day:
            clock.advance(timedelta(days=1))
        await sandbox.run_command(
            "study log", user=user or world.alice, guild=world.guild, minutes=20
        )


async def test_a_seven_day_streak_grants_the_role_and_a_lapse_takes_it_back(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    role = reward_role(sandbox, world.guild, "Week Streaker")
    added = await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={"role": role, "milestone": "streak", "threshold": 7, "remove_on_lapse": True},
    )
    assert added.ephemeral and "7-day streak" in added.embeds[0]["description"]
    audit = await sandbox.run_command("mod audit", user=world.mod, guild=world.guild)
    # The role shows as the role (a mention Discord renders), dated as the reader's clock shows.
    stamp = f"<t:{int(clock.now().timestamp())}:f>"
    assert (
        f"{stamp} <@{world.mod.id}> role-reward-add → <@&{role.id}>: for a 7-day streak"
        in (audit.embeds[0]["description"])
    )

    await study_days(sandbox, world, clock, 6)
    await mentor.role_rewards.idle()
    assert sandbox.member_roles(world.guild, world.alice) == []

    clock.advance(timedelta(days=1))
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=20)
    roles = await sandbox.wait_for_roles(world.guild, world.alice, lambda rs: role in rs)
    assert [r.name for r in roles] == ["Week Streaker"]
    await mentor.role_rewards.idle()
    assert await count(db, RoleGrant) == 1
    assert await count(db, AchievementUnlock, AchievementUnlock.achievement_id == "streak-7") == 1

    # Granting is idempotent: a restart's catch-up sweep and another log change nothing.
    assert await mentor.role_rewards.sweep() == 0
    listed = await sandbox.run_command("mod roles list", user=world.mod, guild=world.guild)
    assert "1 member" in listed.embeds[0]["description"]
    assert "⚠️" not in listed.embeds[0]["description"]

    clock.advance(timedelta(days=5))  # alice stops; her freeze runs out
    assert await mentor.role_rewards.sweep() == 1
    assert sandbox.member_roles(world.guild, world.alice) == []
    assert await count(db, RoleGrant) == 0


async def test_a_role_the_bot_cannot_manage_is_explained_to_moderators(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    high = reward_role(sandbox, world.guild, "Elite", manageable=False)
    no_permission = await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={"role": high, "milestone": "streak", "threshold": 3},
    )
    assert no_permission.ephemeral and "Manage Roles" in no_permission.content

    bot_role = sandbox.bot_role(world.guild)
    sandbox.set_role_permissions(bot_role, bot_role.permissions | perms.MANAGE_ROLES)
    above = await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={"role": high, "milestone": "streak", "threshold": 3},
    )
    assert above.ephemeral
    assert "above my highest role" in above.content and "drag" in above.content
    for refused, why in ((bot_role, "managed"), (world.guild.everyone, "@everyone")):
        reply = await sandbox.run_command(
            "mod roles add",
            user=world.mod,
            guild=world.guild,
            options={"role": refused, "milestone": "streak", "threshold": 3},
        )
        assert why in reply.content
    assert await count(db, RoleReward) == 0

    # A reward that worked when added, until someone moved the bot's role down.
    sandbox.move_role(world.guild, bot_role, len(world.guild.roles))
    await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={"role": high, "milestone": "streak", "threshold": 3},
    )
    sandbox.move_role(world.guild, bot_role, 1)
    await study_days(sandbox, world, clock, 3)
    await mentor.role_rewards.idle()
    assert sandbox.member_roles(world.guild, world.alice) == []
    listed = await sandbox.run_command("mod roles list", user=world.mod, guild=world.guild)
    assert "⚠️" in listed.embeds[0]["description"]
    assert "above my highest role" in listed.embeds[0]["description"]
    notice = await sandbox.wait_for_message(
        listed.channel_id,
        lambda m: "could not be given" in m.content,
        visible_to=world.mod,
    )
    assert notice.ephemeral and "Elite" in notice.content
    again = await sandbox.run_command("mod settings", user=world.mod, guild=world.guild)
    later = [
        m
        for m in sandbox.channel_messages(again.channel_id, visible_to=world.mod)
        if "could not be given" in m.content
    ]
    assert later == [notice]  # told once


async def test_an_achievement_unlocks_once_under_concurrent_answers(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    prompts = [
        await sandbox.run_command("quiz practice", user=world.alice, guild=world.guild)
        for _ in range(4)
    ]
    answered = await asyncio.gather(
        *(answer(sandbox, mentor, p, world.alice, right=True) for p in prompts)
    )
    assert all(a.embeds[0]["title"] == "✅ Right!" for a in answered)
    first = AchievementUnlock.achievement_id == "first-answer"
    assert await count(db, AchievementUnlock, first) == 1
    async with db.transaction() as session:
        ids = list(await session.scalars(select(AchievementUnlock.achievement_id)))
    assert len(ids) == len(set(ids))


async def test_profile_card_reads_only_and_mydata_takes_everything_back(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    role = reward_role(sandbox, world.guild, "Logbook")
    await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={"role": role, "milestone": "achievement", "target": "first-study-log"},
    )
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=60)
    await sandbox.wait_for_roles(world.guild, world.alice, lambda rs: role in rs)
    await mentor.role_rewards.idle()

    card = await sandbox.run_command("profile", user=world.alice, guild=world.guild)
    fields = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}
    assert "**1** day" in fields["Streak"]
    assert "**6** this season" in fields["Points in Backend Study Group"]
    achievements = next(v for k, v in fields.items() if k.startswith("Achievements (2 of"))
    assert "Logbook Opened" in achievements and "First Hour" in achievements

    seen = await sandbox.run_command(
        "profile", user=world.alice, guild=world.guild, member=world.bob
    )
    assert seen.embeds[0]["footer"]["text"] == "Nothing recorded yet."
    assert await count(db, User, User.id == world.bob.id) == 0

    exported = await sandbox.run_command("mydata export", user=world.alice, guild=world.guild)
    data = json.loads(exported.attachments[0].data)
    assert {a["achievement_id"] for a in data["achievements"]} == {
        "first-study-log",
        "first-study-hour",
    }
    assert len(data["reward_roles"]) == 1

    prompt = await sandbox.run_command("mydata delete", user=world.alice, guild=world.guild)
    done = await sandbox.click(prompt, "Delete all my data", user=world.alice)
    assert "deleted" in done.content and "roles the bot gave you" in done.content
    assert sandbox.member_roles(world.guild, world.alice) == []
    assert await count(db, AchievementUnlock) == 0
    assert await count(db, RoleGrant) == 0
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_user_references, world.alice.id) == []

    # A moderator who deletes their data leaves the rewards they set up, without their id.
    prompt = await sandbox.run_command("mydata delete", user=world.mod, guild=world.guild)
    await sandbox.click(prompt, "Delete all my data", user=world.mod)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_user_references, world.mod.id) == []
    assert await count(db, RoleReward) == 1


async def test_help_lists_profile_and_role_rewards(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    member = await sandbox.run_command("help", user=world.alice, guild=world.guild)
    assert "`/profile [member]`" in member.embeds[0]["description"]
    assert len(member.embeds[0]["description"]) < 4096  # nothing cut off
    moderator = await sandbox.run_command("help", user=world.mod, guild=world.guild)
    text = "\n".join(f["value"] for f in moderator.embeds[0]["fields"])
    assert "`/mod roles add role: milestone: [threshold] [target] [remove_on_lapse]`" in text
    assert "`/mod roles list`" in text and "`/mod roles remove role:`" in text


async def test_skills_season_points_and_the_weekly_podium(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    skilled = reward_role(sandbox, world.guild, "Git Gardener")
    scorer = reward_role(sandbox, world.guild, "Scorer")
    await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={
            "role": skilled,
            "milestone": "category",
            "threshold": 2,
            "target": "version-control",
        },
    )
    await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={"role": scorer, "milestone": "season_points", "threshold": 10},
    )
    await sandbox.run_command("study log", user=world.alice, guild=world.guild, minutes=60)
    await sandbox.run_command("study log", user=world.bob, guild=world.guild, minutes=120)
    await mentor.role_rewards.idle()
    assert sandbox.member_roles(world.guild, world.alice) == []
    assert [r.name for r in sandbox.member_roles(world.guild, world.bob)] == ["Scorer"]

    vcs = [s.slug for s in mentor.services.content.skills_in(Category.VERSION_CONTROL)][:2]
    for slug in vcs:
        await mentor.services.learning.mark_learned(world.alice.id, slug)
    roles = await sandbox.wait_for_roles(world.guild, world.alice, lambda rs: skilled in rs)
    assert [r.name for r in roles] == ["Git Gardener"]

    clock.advance(timedelta(days=7))  # the week is over: bob first, alice second
    await mentor.role_rewards.sweep()
    async with db.transaction() as session:
        unlocked = set(
            await session.execute(
                select(AchievementUnlock.user_id, AchievementUnlock.achievement_id).where(
                    AchievementUnlock.achievement_id.like("weekly-%")
                )
            )
        )
    assert unlocked == {
        (world.bob.id, "weekly-winner"),
        (world.bob.id, "weekly-top-3"),
        (world.alice.id, "weekly-top-3"),
    }
    await mentor.role_rewards.sweep()  # again: nothing new
    assert (
        await count(db, AchievementUnlock, AchievementUnlock.achievement_id.like("weekly-%")) == 3
    )


async def test_points_given_by_a_moderator_grant_a_points_role_at_once(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    scorer = reward_role(sandbox, world.guild, "Scorer")
    await sandbox.run_command(
        "mod roles add",
        user=world.mod,
        guild=world.guild,
        options={"role": scorer, "milestone": "season_points", "threshold": 10},
    )
    await sandbox.run_command(
        "mod points",
        user=world.mod,
        guild=world.guild,
        options={"member": world.bob, "amount": 15, "reason": "ran the study session"},
    )
    roles = await sandbox.wait_for_roles(world.guild, world.bob, lambda rs: scorer in rs)
    assert [r.name for r in roles] == ["Scorer"]

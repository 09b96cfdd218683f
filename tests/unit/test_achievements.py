"""Achievements: the shipped list, its validator, the pure evaluator, and unlock-once in the schema."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.content.catalogue import Content
from bot.content.loader import read_content
from bot.content.schema import Category, RuleKind
from bot.db.engine import Database
from bot.db.models import AchievementUnlock
from bot.services import achievements
from bot.services.achievements import Achievements, Figures, holds, newly_met, perfect_weeks
from bot.services.activity import Action, record_activities, record_activity
from bot.services.container import Services
from bot.services.users import ensure_guild, ensure_user
from tests.unit.test_content import _append, _copy_data

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def test_shipped_achievements_cover_the_milestones(content: Content) -> None:
    shipped = list(content.achievements.values())
    assert len(shipped) >= 25
    kinds = {a.rule.kind for a in shipped}
    assert kinds >= {
        RuleKind.ANSWERS,
        RuleKind.DAILY_ANSWERS,
        RuleKind.STREAK_DAYS,
        RuleKind.STUDY_MINUTES,
        RuleKind.CHALLENGES_DONE,
        RuleKind.SKILLS_LEARNED_IN_CATEGORY,
        RuleKind.FREEZES_USED,
        RuleKind.WEEKLY_RANK,
        RuleKind.PERFECT_WEEKS,
    }
    streaks = {a.rule.threshold for a in shipped if a.rule.kind == RuleKind.STREAK_DAYS}
    assert streaks >= {7, 30, 100, 365}
    assert len({a.name.casefold() for a in shipped}) == len(shipped)


ACHIEVEMENT = """
[[achievement]]
id = "{id}"
name = "{name}"
description = "Only here to check that the validator notices mistakes."
emoji = "🧪"
rule = {rule}
"""


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            ACHIEVEMENT.format(
                id="first-answer", name="Zz test", rule='{ kind = "answers", threshold = 2 }'
            ),
            "duplicate achievement id",
        ),
        (
            ACHIEVEMENT.format(id="zz-1", name="Zz test", rule='{ kind = "streak_days" }'),
            "needs a threshold",
        ),
        (
            ACHIEVEMENT.format(
                id="zz-2", name="Zz test", rule='{ kind = "skills_learned_in_category" }'
            ),
            "category is needed",
        ),
        (
            ACHIEVEMENT.format(
                id="zz-3",
                name="Zz test",
                rule='{ kind = "skills_learned_in_category", category = "cloud", threshold = 99 }',
            ),
            "has only",
        ),
        (
            ACHIEVEMENT.format(id="zz-4", name="Zz test", rule='{ kind = "karma", threshold = 1 }'),
            "rule.kind",
        ),
        (
            ACHIEVEMENT.format(
                id="zz-5", name="First Answer", rule='{ kind = "answers", threshold = 3 }'
            ),
            "used twice",
        ),
    ],
)
def test_validator_names_the_achievement(tmp_path: Path, snippet: str, expected: str) -> None:
    data = _copy_data(tmp_path)
    _append(data / "achievements.toml", snippet)
    problems = read_content(data).problems
    matching = [p for p in problems if expected in str(p)]
    assert matching, problems
    assert all(p.file.endswith("achievements.toml") and p.entry for p in matching)


def test_rules_hold_at_their_threshold(content: Content) -> None:
    catalogue = Achievements(None, FrozenClock(NOW), content)  # type: ignore[arg-type]  # no db needed
    sizes = catalogue.category_sizes
    by_id = content.achievements
    assert not holds(by_id["streak-7"], Figures({RuleKind.STREAK_DAYS: 6}), sizes)
    assert holds(by_id["streak-7"], Figures({RuleKind.STREAK_DAYS: 7}), sizes)
    assert holds(by_id["weekly-top-3"], Figures(weekly_rank=3), sizes)
    assert not holds(by_id["weekly-winner"], Figures(weekly_rank=2), sizes)
    assert not holds(by_id["weekly-top-3"], Figures(), sizes)
    every_vcs = {Category.VERSION_CONTROL: sizes[Category.VERSION_CONTROL]}
    assert holds(by_id["all-version-control"], Figures(learned_by_category=every_vcs), sizes)
    assert not holds(
        by_id["all-version-control"],
        Figures(learned_by_category={Category.VERSION_CONTROL: 1}),
        sizes,
    )
    met = newly_met(
        by_id.values(), Figures({RuleKind.ANSWERS: 1, RuleKind.RIGHT_ANSWERS: 10}), sizes
    )
    assert met == ["first-answer", "ten-right"]
    assert newly_met(by_id.values(), Figures({RuleKind.ANSWERS: 1}), sizes, {"first-answer"}) == []


def test_the_ladders_find_what_testing_every_rule_finds(content: Content) -> None:
    """``newly_met`` (thresholds by bisection) against each rule's ``holds``, over many members."""
    catalogue = list(content.achievements.values())
    sizes = Achievements(None, FrozenClock(NOW), content).category_sizes  # type: ignore[arg-type]
    kinds = sorted({a.rule.kind for a in catalogue if a.rule.threshold is not None}, key=str)
    steps = sorted({a.rule.threshold or 0 for a in catalogue} | {0})
    chooser = random.Random(7)
    met_somewhere: set[str] = set()
    for _ in range(500):
        counts = {k: chooser.choice(steps) + chooser.choice((-1, 0, 1)) for k in kinds}
        learned = {c: chooser.randint(0, sizes[c]) for c in sizes}
        figures = Figures(counts, learned, chooser.choice((None, 1, 2, 3, 4)))
        unlocked = set(chooser.sample([a.id for a in catalogue], chooser.randint(0, 5)))
        expected = [a.id for a in catalogue if a.id not in unlocked and holds(a, figures, sizes)]
        assert newly_met(catalogue, figures, sizes, unlocked) == expected
        met_somewhere.update(expected)
    assert met_somewhere == {a.id for a in catalogue}  # every rule was met at least once


def test_perfect_weeks_need_monday_to_sunday() -> None:
    monday = date(2026, 3, 9)
    week = [monday + timedelta(days=i) for i in range(7)]
    assert perfect_weeks(week) == 1
    assert perfect_weeks([*week[1:], monday + timedelta(days=7)]) == 0  # Tuesday to Monday
    assert perfect_weeks(week + week) == 1


async def test_concurrent_writes_unlock_once(db: Database, content: Content) -> None:
    services = Services(db=db, clock=FrozenClock(NOW), content=content)
    heard: list[achievements.Unlocked] = []
    services.achievements.subscribe(heard.extend)
    async with db.transaction() as session:
        await ensure_user(session, 42, NOW)
    skills = ["git", "http", "sql", "docker", "linux", "rest"]
    assert all(s in content.skills for s in skills)

    added = await asyncio.gather(*(services.learning.mark_learned(42, s) for s in skills))
    assert all(added)
    async with db.transaction() as session:
        rows = list(await session.scalars(select(AchievementUnlock.achievement_id)))
        total = await session.scalar(select(func.count()).select_from(AchievementUnlock))
    assert rows == ["first-skill"] and total == 1
    await asyncio.sleep(0)
    announced = [h for h in heard if h.achievements]
    assert [h.achievements for h in announced] == [("first-skill",)]
    assert len(heard) == len(skills)  # every commit is heard, for the role-reward check


async def test_perfect_week_and_a_whole_category_unlock(db: Database, content: Content) -> None:
    clock = FrozenClock(datetime(2026, 3, 9, 12, 0, tzinfo=UTC))  # a Monday
    services = Services(db=db, clock=clock, content=content)
    for day in range(7):
        async with db.transaction() as session:
            await ensure_user(session, 7, clock.now())
            unlocked = await record_activity(
                session, user_id=7, guild_id=None, kind="study", now=clock.now(), minutes=10
            )
        if day < 6:
            clock.advance(timedelta(days=1))
    async with db.transaction() as session:
        ids = set(await session.scalars(select(AchievementUnlock.achievement_id)))
    assert {"perfect-week", "streak-7", "first-study-hour"} <= ids
    assert unlocked.local_day == date(2026, 3, 15)

    vcs = [s.slug for s in content.skills_in(Category.VERSION_CONTROL)]
    for slug in vcs[:-1]:
        await services.learning.mark_learned(7, slug)
    count_, _ = await services.achievements.of_member(7)
    await services.learning.mark_learned(7, vcs[-1])
    total, recent = await services.achievements.of_member(7)
    assert total == count_ + 1 and recent[0][0].id == "all-version-control"


async def test_a_batch_of_members_unlocks_what_each_one_meets(
    db: Database, content: Content
) -> None:
    """One evaluation for a batch: each member gets their own unlocks, a member seen in two
    servers is evaluated once (the first server named), and every member is announced."""
    services = Services(db=db, clock=FrozenClock(NOW), content=content)
    heard: list[achievements.Unlocked] = []
    services.achievements.subscribe(heard.extend)
    async with db.transaction() as session:
        for user_id in (1, 2, 3):
            await ensure_user(session, user_id, NOW)
        for guild_id in (10, 20):
            await ensure_guild(session, guild_id, NOW)
    async with db.transaction() as session:
        await record_activities(
            session,
            [
                Action(1, 20, "study", NOW, minutes=50),
                Action(2, None, "study", NOW, minutes=10),
                Action(1, 10, "study", NOW, minutes=10),
            ],
        )
    async with db.transaction() as session:
        rows = set(
            (
                await session.execute(
                    select(
                        AchievementUnlock.user_id,
                        AchievementUnlock.achievement_id,
                        AchievementUnlock.guild_id,
                    )
                )
            ).tuples()
        )
    assert rows == {
        (1, "first-study-log", 20),
        (1, "first-study-hour", 20),
        (2, "first-study-log", None),
    }
    await asyncio.sleep(0)
    assert [(h.user_id, h.guild_id, set(h.achievements)) for h in heard] == [
        (1, 20, {"first-study-log", "first-study-hour"}),
        (2, None, {"first-study-log"}),
        (1, 10, set()),
    ]

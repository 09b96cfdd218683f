"""Achievements: a pure evaluator over a member's figures, and the hook that unlocks them.

The rules live in ``data/achievements.toml`` (``content.achievements``). After anything
that can move a figure (an answer, a study log, a challenge done, a streak update, a
skill learned) the writer calls :func:`after` inside its own transaction; it reads only
the figures that a still-locked achievement needs, and inserts the unlocks with
``ON CONFLICT DO NOTHING`` on the (user, achievement) primary key, so concurrent answers,
retries and repeated sweeps never unlock anything twice. Once the transaction commits,
subscribers (the role-reward sync) hear which member changed and what was unlocked.

``after`` finds the catalogue through the database it writes to (:meth:`Achievements.attach`),
so the write paths need no extra argument and a batched writer can call it per member.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Achievement, Category, RuleKind
from bot.db.engine import Database
from bot.db.models import (
    AchievementUnlock,
    Activity,
    BoardTotal,
    ChallengeCompletion,
    Guild,
    LearnedSkill,
    QuizAnswer,
    StreakEvent,
    User,
)
from bot.db.upsert import insert_for
from bot.services.points import period_keys

log = logging.getLogger(__name__)

RECENT = 5


# -- the pure part -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What a member has done, as the rules count it. Missing figures count as zero."""

    counts: Mapping[RuleKind, int] = field(default_factory=dict)
    learned_by_category: Mapping[Category, int] = field(default_factory=dict)
    weekly_rank: int | None = None
    """The best rank the member finished a week with (1 is first), if known."""


def holds(
    achievement: Achievement, figures: Figures, category_sizes: Mapping[Category, int]
) -> bool:
    """Whether the achievement's rule holds for these figures."""
    rule = achievement.rule
    if rule.kind == RuleKind.WEEKLY_RANK:
        assert rule.threshold is not None
        return figures.weekly_rank is not None and figures.weekly_rank <= rule.threshold
    if rule.kind == RuleKind.SKILLS_LEARNED_IN_CATEGORY:
        assert rule.category is not None
        needed = rule.threshold or category_sizes.get(rule.category, 0)
        return needed > 0 and figures.learned_by_category.get(rule.category, 0) >= needed
    assert rule.threshold is not None
    return figures.counts.get(rule.kind, 0) >= rule.threshold


def newly_met(
    achievements: Iterable[Achievement],
    figures: Figures,
    category_sizes: Mapping[Category, int],
    unlocked: Set[str] = frozenset(),
) -> list[str]:
    """The ids of achievements not in ``unlocked`` whose rule holds, in catalogue order."""
    return [
        a.id for a in achievements if a.id not in unlocked and holds(a, figures, category_sizes)
    ]


def perfect_weeks(days: Iterable[date]) -> int:
    """How many Monday-to-Sunday weeks have activity on all seven days."""
    per_week = Counter(day - timedelta(days=day.weekday()) for day in set(days))
    return sum(1 for count in per_week.values() if count == 7)


# -- reading the figures -------------------------------------------------------------------


def _count(*where: Any) -> Any:
    return select(func.count()).where(*where).scalar_subquery()


def _figure_queries(user_id: int) -> dict[RuleKind, Any]:
    """One scalar subquery per counted figure, so any set of them is one round trip."""
    return {
        RuleKind.ANSWERS: _count(QuizAnswer.user_id == user_id),
        RuleKind.DAILY_ANSWERS: _count(QuizAnswer.user_id == user_id, QuizAnswer.mode == "daily"),
        RuleKind.RIGHT_ANSWERS: _count(QuizAnswer.user_id == user_id, QuizAnswer.correct),
        RuleKind.STREAK_DAYS: select(User.streak_best).where(User.id == user_id).scalar_subquery(),
        RuleKind.STUDY_MINUTES: select(func.coalesce(func.sum(Activity.minutes), 0))
        .where(Activity.user_id == user_id)
        .scalar_subquery(),
        RuleKind.STUDY_SESSIONS: _count(Activity.user_id == user_id, Activity.kind == "study"),
        RuleKind.ACTIVE_DAYS: select(func.count(func.distinct(Activity.local_day)))
        .where(Activity.user_id == user_id)
        .scalar_subquery(),
        RuleKind.CHALLENGES_DONE: _count(ChallengeCompletion.user_id == user_id),
        RuleKind.SKILLS_LEARNED: _count(LearnedSkill.user_id == user_id),
        RuleKind.FREEZES_USED: _count(
            StreakEvent.user_id == user_id, StreakEvent.kind == "freeze_used"
        ),
    }


async def read_figures(
    session: AsyncSession,
    user_id: int,
    kinds: set[RuleKind],
    content: Content,
    *,
    perfect_weeks_needed: int = 1,
) -> Figures:
    """The member's figures for ``kinds`` only: one query, plus the day or skill list when a
    perfect-week or per-category rule could now hold."""
    wanted = set(kinds)
    if RuleKind.PERFECT_WEEKS in wanted:
        wanted.add(RuleKind.ACTIVE_DAYS)
    if RuleKind.SKILLS_LEARNED_IN_CATEGORY in wanted:
        wanted.add(RuleKind.SKILLS_LEARNED)
    queries = _figure_queries(user_id)
    order = [k for k in queries if k in wanted]
    counts: dict[RuleKind, int] = {}
    if order:
        row = (await session.execute(select(*(queries[k] for k in order)))).one()
        counts = {k: int(v or 0) for k, v in zip(order, row, strict=True)}
    if (
        RuleKind.PERFECT_WEEKS in kinds
        and counts.get(RuleKind.ACTIVE_DAYS, 0) >= 7 * perfect_weeks_needed
    ):
        days = await session.scalars(
            select(Activity.local_day).where(Activity.user_id == user_id).distinct()
        )
        counts[RuleKind.PERFECT_WEEKS] = perfect_weeks(days)
    by_category: dict[Category, int] = {}
    if RuleKind.SKILLS_LEARNED_IN_CATEGORY in kinds and counts.get(RuleKind.SKILLS_LEARNED):
        slugs = await session.scalars(
            select(LearnedSkill.skill).where(LearnedSkill.user_id == user_id)
        )
        by_category = dict(
            Counter(content.skills[s].category for s in slugs if s in content.skills)
        )
    return Figures(counts, by_category)


# -- unlocking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unlocked:
    """After a commit: a member whose figures may have moved, and what they unlocked."""

    user_id: int
    guild_id: int | None
    achievements: tuple[str, ...]


Listener = Callable[[Unlocked], None]


class Achievements:
    """The achievement catalogue bound to one database: evaluation, unlocks, listings."""

    def __init__(self, db: Database, clock: Clock, content: Content) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self.catalogue: list[Achievement] = list(content.achievements.values())
        self.category_sizes: dict[Category, int] = dict(
            Counter(s.category for s in content.skills.values())
        )
        self._listeners: list[Listener] = []

    def attach(self) -> None:
        """Make :func:`after` on this database evaluate against this catalogue."""
        _BOUND[self._db.engine.sync_engine] = self

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` (soon, on the event loop) after each commit that touched a member."""
        self._listeners.append(listener)

    def _publish(self, changes: list[Unlocked]) -> None:
        for change in changes:
            for listener in self._listeners:
                try:
                    listener(change)
                except Exception:  # a listener's bug must not break the writer
                    log.exception("achievement listener failed for %s", change)

    async def evaluate(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        guild_id: int | None,
        now: datetime,
        weekly_rank: int | None = None,
    ) -> list[str]:
        """Unlock every achievement the member now meets; the ids that were new, in order."""
        unlocked = set(
            await session.scalars(
                select(AchievementUnlock.achievement_id).where(AchievementUnlock.user_id == user_id)
            )
        )
        locked = [a for a in self.catalogue if a.id not in unlocked]
        if weekly_rank is None:
            locked = [a for a in locked if a.rule.kind != RuleKind.WEEKLY_RANK]
        if not locked:
            return []
        kinds = {a.rule.kind for a in locked}
        weeks = min(
            (a.rule.threshold or 1 for a in locked if a.rule.kind == RuleKind.PERFECT_WEEKS),
            default=1,
        )
        figures = await read_figures(
            session, user_id, kinds, self._content, perfect_weeks_needed=weeks
        )
        if weekly_rank is not None:
            figures = Figures(figures.counts, figures.learned_by_category, weekly_rank)
        met = newly_met(locked, figures, self.category_sizes)
        if not met:
            return []
        statement = (
            insert_for(session, AchievementUnlock)
            .values(
                [
                    {
                        "user_id": user_id,
                        "achievement_id": achievement_id,
                        "guild_id": guild_id,
                        "unlocked_at": now,
                    }
                    for achievement_id in met
                ]
            )
            .on_conflict_do_nothing()
            .returning(AchievementUnlock.achievement_id)
        )
        added = set(await session.scalars(statement))
        return [a for a in met if a in added]

    # -- reading -------------------------------------------------------------------------

    async def of_member(self, user_id: int) -> tuple[int, list[tuple[Achievement, datetime]]]:
        """How many the member unlocked, and the most recent few (newest first)."""
        async with self._db.read() as session:
            return await self.summary(session, user_id)

    async def summary(
        self, session: AsyncSession, user_id: int
    ) -> tuple[int, list[tuple[Achievement, datetime]]]:
        rows = (
            await session.execute(
                select(AchievementUnlock.achievement_id, AchievementUnlock.unlocked_at)
                .where(AchievementUnlock.user_id == user_id)
                .order_by(AchievementUnlock.unlocked_at.desc(), AchievementUnlock.achievement_id)
            )
        ).all()
        known = [
            (self._content.achievements[a], at) for a, at in rows if a in self._content.achievements
        ]
        return len(known), known[:RECENT]

    # -- the weekly podium ---------------------------------------------------------------

    async def sweep_weekly_ranks(self, guild_ids: Iterable[int]) -> int:
        """Unlock rank achievements for the top of each server's last finished week.

        Runs with the hourly sweep; the week is the server's own (Monday 00:00 local).
        """
        deepest = max(
            (a.rule.threshold or 0 for a in self.catalogue if a.rule.kind == RuleKind.WEEKLY_RANK),
            default=0,
        )
        if not deepest:
            return 0
        now = self._clock.now()
        count = 0
        changes: list[Unlocked] = []
        async with self._db.transaction() as session:
            for guild_id in guild_ids:
                timezone = await session.scalar(select(Guild.timezone).where(Guild.id == guild_id))
                if timezone is None:
                    continue
                this_monday = date.fromisoformat(period_keys(now, timezone, 0).week)
                last_week = (this_monday - timedelta(days=7)).isoformat()
                top = list(
                    await session.scalars(
                        select(BoardTotal.user_id)
                        .where(
                            BoardTotal.guild_id == guild_id,
                            BoardTotal.board == "points",
                            BoardTotal.period == "week",
                            BoardTotal.period_key == last_week,
                            BoardTotal.active.is_(True),
                            BoardTotal.value > 0,
                        )
                        .order_by(
                            BoardTotal.value.desc(), BoardTotal.reached_at, BoardTotal.user_id
                        )
                        .limit(deepest)
                    )
                )
                for rank, user_id in enumerate(top, start=1):
                    new = await self.evaluate(
                        session, user_id=user_id, guild_id=guild_id, now=now, weekly_rank=rank
                    )
                    if new:
                        count += len(new)
                        changes.append(Unlocked(user_id, guild_id, tuple(new)))
        self._publish(changes)
        return count


# -- the hook the write paths call ---------------------------------------------------------

_BOUND: weakref.WeakKeyDictionary[Engine, Achievements] = weakref.WeakKeyDictionary()
_PENDING = "achievements.pending"


async def after(
    session: AsyncSession, *, user_id: int, guild_id: int | None, now: datetime
) -> list[str]:
    """Evaluate the member's achievements inside the caller's transaction.

    Call it after writing anything a rule counts. Returns the ids unlocked now; after
    the transaction commits, the catalogue's subscribers hear about the member. A
    database no catalogue is attached to (a bare service in a unit test) unlocks nothing.
    """
    bind: Any = session.bind
    engine = getattr(bind, "sync_engine", bind)
    catalogue = _BOUND.get(engine) if engine is not None else None
    if catalogue is None:
        return []
    new = await catalogue.evaluate(session, user_id=user_id, guild_id=guild_id, now=now)
    pending: list[Unlocked] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        _on_commit(session, catalogue, pending)
    pending.append(Unlocked(user_id, guild_id, tuple(new)))
    return new


def _on_commit(session: AsyncSession, catalogue: Achievements, pending: list[Unlocked]) -> None:
    sync_session = session.sync_session
    loop = asyncio.get_running_loop()

    def committed(_: object) -> None:
        changes = list(pending)
        pending.clear()
        session.info.pop(_PENDING, None)
        loop.call_soon(catalogue._publish, changes)

    def rolled_back(_: object) -> None:
        pending.clear()
        session.info.pop(_PENDING, None)

    event.listen(sync_session, "after_commit", committed, once=True)
    event.listen(sync_session, "after_rollback", rolled_back, once=True)

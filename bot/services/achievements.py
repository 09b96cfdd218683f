"""Achievements: a pure evaluator over a member's figures, and the hook that unlocks them.

The rules live in ``data/achievements.toml`` (``content.achievements``). After anything
that can move a figure (an answer, a study log, a challenge done, a streak update, a
skill learned) the writer calls :func:`after` inside its own transaction; it reads only
the figures that a still-locked achievement needs, and inserts the unlocks with
``ON CONFLICT DO NOTHING`` on the (user, achievement) primary key, so concurrent answers,
retries and repeated sweeps never unlock anything twice. Once the transaction commits,
subscribers (the role-reward sync) hear which member changed and what was unlocked.

``after`` finds the catalogue through the database it writes to (:meth:`Achievements.attach`),
so the write paths need no extra argument; a batched writer calls ``after_many`` once for
the members of its batch (a few statements for all of them).
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import logging
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Achievement, Category, RuleKind
from bot.db.engine import Database
from bot.db.in_list import in_list
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
from bot.db.transaction_hooks import after_transaction
from bot.db.upsert import DialectInsert, insert_rows
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
    return Locked.of(achievements, unlocked, ranked=True).met(figures, category_sizes)


@dataclass(frozen=True)
class Locked:
    """The achievements a member with a given set of unlocks can still unlock, ready to test.

    A batch tests dozens of members against the same candidates, so rather than testing
    each rule with ``holds`` per member, the threshold rules are laid out once as ladders
    (each kind's thresholds in ascending order) and a member's count finds its rung by
    bisection; only rank and whole-category rules go through ``holds``.
    """

    candidates: tuple[Achievement, ...]
    kinds: frozenset[RuleKind]
    perfect_weeks: int
    """The fewest perfect weeks a candidate asks for (1 when none asks)."""
    ladders: dict[RuleKind, tuple[list[int], list[int]]]
    """Per threshold kind: the thresholds, ascending, and each one's candidate index."""
    special: tuple[int, ...]
    """Candidates whose rule is not a plain threshold (rank, a whole category)."""

    @classmethod
    def of(cls, catalogue: Iterable[Achievement], unlocked: Set[str], ranked: bool) -> Locked:
        """The catalogue less ``unlocked`` (rank achievements only for a ``ranked`` member)."""
        candidates = tuple(
            a
            for a in catalogue
            if a.id not in unlocked and (ranked or a.rule.kind != RuleKind.WEEKLY_RANK)
        )
        rungs: dict[RuleKind, list[tuple[int, int]]] = {}
        special = []
        for index, achievement in enumerate(candidates):
            rule = achievement.rule
            if rule.kind in _NOT_THRESHOLDS:
                special.append(index)
            else:
                assert rule.threshold is not None
                rungs.setdefault(rule.kind, []).append((rule.threshold, index))
        weeks = [a.rule.threshold or 1 for a in candidates if a.rule.kind == RuleKind.PERFECT_WEEKS]
        return cls(
            candidates,
            frozenset(a.rule.kind for a in candidates),
            min(weeks, default=1),
            {
                kind: ([t for t, _ in sorted(r)], [i for _, i in sorted(r)])
                for kind, r in rungs.items()
            },
            tuple(special),
        )

    def met(self, figures: Figures, category_sizes: Mapping[Category, int]) -> list[str]:
        """``newly_met(self.candidates, figures, category_sizes)``, by the ladders."""
        found = [i for i in self.special if holds(self.candidates[i], figures, category_sizes)]
        for kind, (thresholds, indexes) in self.ladders.items():
            found += indexes[: bisect.bisect_right(thresholds, figures.counts.get(kind, 0))]
        return [self.candidates[i].id for i in sorted(found)]


_NOT_THRESHOLDS = frozenset({RuleKind.WEEKLY_RANK, RuleKind.SKILLS_LEARNED_IN_CATEGORY})


def perfect_weeks(days: Iterable[date]) -> int:
    """How many Monday-to-Sunday weeks have activity on all seven days."""
    per_week = Counter(day - timedelta(days=day.weekday()) for day in set(days))
    return sum(1 for count in per_week.values() if count == 7)


# -- reading the figures -------------------------------------------------------------------


# Core columns, so the answer path's reads skip the ORM step.
_answer = QuizAnswer.__table__.c
_user = User.__table__.c
_activity = Activity.__table__.c
_done = ChallengeCompletion.__table__.c
_learned = LearnedSkill.__table__.c
_event = StreakEvent.__table__.c
_unlock = AchievementUnlock.__table__.c


def _count(*where: Any) -> Any:
    return select(func.count()).where(*where).scalar_subquery()


def _figure_columns() -> dict[RuleKind, Any]:
    """One figure per counted kind, for the ``users`` row of the outer query (correlated)."""
    user = _user.id
    return {
        RuleKind.ANSWERS: _count(_answer.user_id == user),
        RuleKind.DAILY_ANSWERS: _count(_answer.user_id == user, _answer.mode == "daily"),
        RuleKind.RIGHT_ANSWERS: _count(_answer.user_id == user, _answer.correct),
        RuleKind.STREAK_DAYS: _user.streak_best,
        RuleKind.STUDY_MINUTES: select(func.coalesce(func.sum(_activity.minutes), 0))
        .where(_activity.user_id == user)
        .scalar_subquery(),
        RuleKind.STUDY_SESSIONS: _count(_activity.user_id == user, _activity.kind == "study"),
        RuleKind.ACTIVE_DAYS: select(func.count(func.distinct(_activity.local_day)))
        .where(_activity.user_id == user)
        .scalar_subquery(),
        RuleKind.CHALLENGES_DONE: _count(_done.user_id == user),
        RuleKind.SKILLS_LEARNED: _count(_learned.user_id == user),
        RuleKind.FREEZES_USED: _count(_event.user_id == user, _event.kind == "freeze_used"),
    }


_COUNTED = tuple(_figure_columns())


@functools.cache
def _figures_statement(kinds: tuple[RuleKind, ...]) -> Any:
    """Members' figures for ``kinds``: one row per member, built once per set of kinds."""
    columns = _figure_columns()
    return select(_user.id, *(columns[k] for k in kinds)).where(in_list(_user.id, "users"))


_days_statement = (
    select(_activity.user_id, _activity.local_day)
    .where(in_list(_activity.user_id, "users"))
    .distinct()
)
_learned_statement = select(_learned.user_id, _learned.skill).where(
    in_list(_learned.user_id, "users")
)
_unlocked_statement = select(_unlock.user_id, _unlock.achievement_id).where(
    in_list(_unlock.user_id, "users")
)


async def read_figures(
    session: AsyncSession,
    needs: Mapping[int, Set[RuleKind]],
    content: Content,
    *,
    perfect_weeks_needed: Mapping[int, int] | None = None,
) -> dict[int, Figures]:
    """Each member's figures for the kinds they ``need`` (user id → kinds).

    One query for every member's counts, plus one for the days of those whose perfect-week
    rule could now hold and one for the skills of those with a per-category rule. A
    member may get figures beyond their needs; missing ones count as zero.
    """
    weeks_needed = perfect_weeks_needed or {}
    wanted: set[RuleKind] = set().union(*needs.values())
    if RuleKind.PERFECT_WEEKS in wanted:
        wanted.add(RuleKind.ACTIVE_DAYS)
    if RuleKind.SKILLS_LEARNED_IN_CATEGORY in wanted:
        wanted.add(RuleKind.SKILLS_LEARNED)
    order = tuple(k for k in _COUNTED if k in wanted)
    counts: dict[int, dict[RuleKind, int]] = {user_id: {} for user_id in needs}
    if order:
        rows = await session.execute(_figures_statement(order), {"users": sorted(needs)})
        for user_id, *values in rows:
            counts[user_id] = {k: int(v or 0) for k, v in zip(order, values, strict=True)}
    weekly = sorted(
        u
        for u, kinds in needs.items()
        if RuleKind.PERFECT_WEEKS in kinds
        and counts[u].get(RuleKind.ACTIVE_DAYS, 0) >= 7 * weeks_needed.get(u, 1)
    )
    if weekly:
        days: dict[int, list[date]] = {u: [] for u in weekly}
        for user_id, day in await session.execute(_days_statement, {"users": weekly}):
            days[user_id].append(day)
        for user_id, active in days.items():
            counts[user_id][RuleKind.PERFECT_WEEKS] = perfect_weeks(active)
    by_category: dict[int, Counter[Category]] = {}
    learners = sorted(
        u
        for u, kinds in needs.items()
        if RuleKind.SKILLS_LEARNED_IN_CATEGORY in kinds and counts[u].get(RuleKind.SKILLS_LEARNED)
    )
    if learners:
        by_category = {u: Counter() for u in learners}
        for user_id, slug in await session.execute(_learned_statement, {"users": learners}):
            if slug in content.skills:
                by_category[user_id][content.skills[slug].category] += 1
    return {u: Figures(counts[u], dict(by_category.get(u, {}))) for u in needs}


def _unlock_insert(statement: DialectInsert) -> Any:
    table = AchievementUnlock.__table__
    return statement.on_conflict_do_nothing().returning(table.c.user_id, table.c.achievement_id)


# -- unlocking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unlocked:
    """After a commit: a member whose figures may have moved, and what they unlocked."""

    user_id: int
    guild_id: int | None
    achievements: tuple[str, ...]


Listener = Callable[[Sequence[Unlocked]], None]
"""Hears the members of one commit together (one call per commit, not per member)."""


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
        """Call ``listener`` (soon, on the event loop) after each commit that touched members."""
        self._listeners.append(listener)

    def _publish(self, changes: list[Unlocked]) -> None:
        if not changes:
            return
        for listener in self._listeners:
            try:
                listener(changes)
            except Exception:  # a listener's bug must not break the writer
                log.exception("achievement listener failed for %s", changes)

    async def evaluate(
        self,
        session: AsyncSession,
        members: Sequence[tuple[int, int | None]],
        now: datetime,
        *,
        weekly_ranks: Mapping[int, int] | None = None,
    ) -> dict[int, list[str]]:
        """Unlock every achievement each (user id, guild id) member now meets, all at once.

        A few statements whatever the number of members. Returns the ids that were new,
        per user, in catalogue order. A user listed twice (answers in two servers in one
        batch) is evaluated once, and the unlocks name the first server. Rank achievements
        are considered only for the users in ``weekly_ranks`` (user id → best rank).
        """
        where: dict[int, int | None] = {}
        for user_id, guild_id in members:
            where.setdefault(user_id, guild_id)
        if not where:
            return {}
        ranks = weekly_ranks or {}
        unlocked: dict[int, set[str]] = {u: set() for u in where}
        for user_id, achievement_id in await session.execute(
            _unlocked_statement, {"users": sorted(where)}
        ):
            unlocked[user_id].add(achievement_id)
        # Members of a batch mostly hold the same unlocks (often none): lay each set out once.
        shared: dict[tuple[frozenset[str], bool], Locked] = {}
        locked: dict[int, Locked] = {}
        for user_id in where:
            key = (frozenset(unlocked[user_id]), user_id in ranks)
            still = shared.get(key)
            if still is None:
                still = shared[key] = Locked.of(self.catalogue, *key)
            if still.candidates:
                locked[user_id] = still
        if not locked:
            return {}
        figures = await read_figures(
            session,
            {u: still.kinds for u, still in locked.items()},
            self._content,
            perfect_weeks_needed={u: still.perfect_weeks for u, still in locked.items()},
        )
        met: dict[int, list[str]] = {}
        rows: list[dict[str, Any]] = []
        for user_id, still in locked.items():
            found = figures[user_id]
            if user_id in ranks:
                found = Figures(found.counts, found.learned_by_category, ranks[user_id])
            ids = still.met(found, self.category_sizes)
            if ids:
                met[user_id] = ids
                rows += [
                    {
                        "user_id": user_id,
                        "achievement_id": achievement_id,
                        "guild_id": where[user_id],
                        "unlocked_at": now,
                    }
                    for achievement_id in ids
                ]
        if not rows:
            return {}
        inserted = await insert_rows(
            session, "achievement-unlocks", AchievementUnlock.__table__, rows, _unlock_insert
        )
        added = set(inserted)
        return {u: [a for a in ids if (u, a) in added] for u, ids in met.items()}

    # -- reading -------------------------------------------------------------------------

    async def of_member(self, user_id: int) -> tuple[int, list[tuple[Achievement, datetime]]]:
        """How many the member unlocked, and the most recent few (newest first)."""
        async with self._db.read() as session:
            return await self.summary(session, user_id)

    async def summary(
        self, session: AsyncSession, user_id: int
    ) -> tuple[int, list[tuple[Achievement, datetime]]]:
        """How many achievements the user has, and the latest few with when they were unlocked."""
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
                ranks = {user_id: rank for rank, user_id in enumerate(top, start=1)}
                unlocked = await self.evaluate(
                    session, [(u, guild_id) for u in top], now, weekly_ranks=ranks
                )
                for user_id in top:
                    if new := unlocked.get(user_id):
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
    """``after_many`` for one member; the ids unlocked now."""
    return (await after_many(session, [(user_id, guild_id)], now)).get(user_id, [])


async def after_many(
    session: AsyncSession, members: Sequence[tuple[int, int | None]], now: datetime
) -> dict[int, list[str]]:
    """Evaluate the (user id, guild id) members' achievements inside the caller's transaction.

    Call it after writing anything a rule counts; a batch of members costs a few
    statements, not a few per member. Returns the ids unlocked now, per user; after the
    transaction commits, the catalogue's subscribers hear about each member. A database
    no catalogue is attached to (a bare service in a unit test) unlocks nothing.
    """
    bind: Any = session.bind
    engine = getattr(bind, "sync_engine", bind)
    catalogue = _BOUND.get(engine) if engine is not None else None
    if catalogue is None or not members:
        return {}
    new = await catalogue.evaluate(session, members, now)
    pending: list[Unlocked] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        _on_commit(session, catalogue, pending)
    told: set[int] = set()
    for user_id, guild_id in members:
        first = user_id not in told
        told.add(user_id)
        pending.append(Unlocked(user_id, guild_id, tuple(new.get(user_id, ())) if first else ()))
    return new


def _on_commit(session: AsyncSession, catalogue: Achievements, pending: list[Unlocked]) -> None:
    loop = asyncio.get_running_loop()

    def committed() -> None:
        changes = list(pending)
        pending.clear()
        session.info.pop(_PENDING, None)
        loop.call_soon(catalogue._publish, changes)

    def rolled_back() -> None:
        pending.clear()
        session.info.pop(_PENDING, None)

    after_transaction(session, committed=committed, rolled_back=rolled_back)

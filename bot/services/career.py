"""The career mentor: a member's goal track, this week's plan and their readiness for the role.

It reads the learner model (``MasteryService``) and the career tracks in
``data/tracks.toml``; it writes only the member's goal. No Discord here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Category, Challenge, Level, Skill, SkillTarget, Track
from bot.db.engine import Database
from bot.db.models import Activity, CareerGoal, User
from bot.db.upsert import upsert
from bot.delivery.cadence import Cadence
from bot.delivery.outbox import Due
from bot.services.errors import UserError
from bot.services.mastery import MasteryReport, MasteryService
from bot.services.practice import PracticeService
from bot.services.users import ensure_user

PLAN_KIND = "career-plan"
PLAN_STEPS = 3
PREREQUISITE_MET = 0.6  # demonstrated mastery at which a prerequisite counts as known
WEEKLY_MINUTES_DEFAULT = 180
WEEKLY_DM_AT = time(9, 0)  # Monday morning, the member's time
GAPS_SHOWN = 3


@dataclass(frozen=True)
class PlanStep:
    """One skill to work on this week, and why."""

    skill: Skill
    mastery: float
    target: float
    core: bool
    reason: str


@dataclass(frozen=True)
class WeeklyPlan:
    """This week's plan towards the member's goal track."""

    track: Track
    level: str  # "junior" or "mid": the step the plan aims at
    steps: list[PlanStep]
    reviews: int
    next_review: date | None
    challenge: Challenge | None
    minutes_done: int
    minutes_target: int


@dataclass(frozen=True)
class CategoryReadiness:
    """Mastery in one category of the track's skills, against its junior and mid targets."""

    category: Category
    mastery: float
    junior: float
    mid: float


@dataclass(frozen=True)
class Gap:
    """A skill furthest below the target of the next career step."""

    skill: Skill
    mastery: float
    target: float


@dataclass(frozen=True)
class Readiness:
    """How close a member is to a track's junior and mid-level expectations."""

    track: Track
    overall: float
    categories: list[CategoryReadiness]
    gaps: list[Gap]
    level: str  # the step the gaps are measured against


def _targets(track: Track) -> list[tuple[SkillTarget, bool]]:
    return [(t, True) for t in track.core] + [(t, False) for t in track.recommended]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


class CareerService:
    """Goals, weekly plans and readiness, from the learner model and the career tracks."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        content: Content,
        mastery: MasteryService,
        practice: PracticeService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._content = content
        self._mastery = mastery
        self._practice = practice

    def tracks(self) -> list[Track]:
        """Every career track, in the file's order."""
        return list(self._content.tracks.values())

    def matching(self, text: str) -> list[Track]:
        """The tracks whose name or slug contains ``text`` (what autocomplete offers)."""
        folded = text.strip().casefold()
        return [t for t in self.tracks() if folded in t.name.casefold() or folded in t.slug]

    def track(self, text: str) -> Track:
        """The track typed: its slug, its name, or a part only one track's name or slug holds.

        Otherwise a UserError naming the tracks that part fits, or pointing at
        ``/career tracks``.
        """
        folded = text.strip().casefold()
        exact = self._content.tracks.get(folded) or next(
            (t for t in self.tracks() if t.name.casefold() == folded), None
        )
        if exact is not None:
            return exact
        found = self.matching(text) if folded else []
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(f"`{t.slug}`" for t in found[:5])
            more = " …" if len(found) > 5 else ""
            raise UserError(f"“{text.strip()[:40]}” fits several tracks: {names}{more}. Pick one.")
        raise UserError("There is no such career track; `/career tracks` lists them.")

    # -- goals ---------------------------------------------------------------------------

    async def set_goal(
        self, user_id: int, slug: str, *, weekly_minutes: int | None, weekly_dm: bool | None
    ) -> tuple[Track, int, bool]:
        """Set (or change) the member's one goal; returns it with the weekly target and DM choice."""
        track = self.track(slug)
        if weekly_minutes is not None and not 15 <= weekly_minutes <= 3000:
            raise UserError("A weekly study target is between 15 and 3000 minutes.")
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            current = await session.get(CareerGoal, user_id)
            minutes = weekly_minutes or (
                current.weekly_minutes if current else WEEKLY_MINUTES_DEFAULT
            )
            dm = weekly_dm if weekly_dm is not None else (current.weekly_dm if current else False)
            await upsert(
                session,
                CareerGoal,
                ["user_id"],
                {
                    "user_id": user_id,
                    "track": track.slug,
                    "weekly_minutes": minutes,
                    "weekly_dm": dm,
                    "set_at": now,
                },
                {"track": track.slug, "weekly_minutes": minutes, "weekly_dm": dm, "set_at": now},
            )
        return track, minutes, dm

    async def goal(self, user_id: int) -> tuple[Track, int, bool] | None:
        """The member's goal track, weekly minutes and weekly-DM choice; None without a goal."""
        async with self._db.read() as session:
            row = await session.get(CareerGoal, user_id)
        if row is None or row.track not in self._content.tracks:
            return None
        return self._content.tracks[row.track], row.weekly_minutes, row.weekly_dm

    async def stop_weekly_dm(self, user_id: int) -> None:
        """The weekly plan could not be delivered (DMs closed): stop trying."""
        async with self._db.transaction() as session:
            row = await session.get(CareerGoal, user_id)
            if row is not None:
                row.weekly_dm = False

    async def _goal_or_refuse(self, user_id: int, slug: str | None) -> tuple[Track, int]:
        if slug:
            goal = await self.goal(user_id)
            return self.track(slug), goal[1] if goal else WEEKLY_MINUTES_DEFAULT
        goal = await self.goal(user_id)
        if goal is None:
            raise UserError("Pick a goal first with `/career goal track:` (see `/career tracks`).")
        return goal[0], goal[1]

    # -- the plan --------------------------------------------------------------------------

    async def plan(self, user_id: int, track_slug: str | None = None) -> WeeklyPlan:
        """This week's plan: weakest ready skills first, reviews, a challenge, study time."""
        track, minutes_target = await self._goal_or_refuse(user_id, track_slug)
        report = await self._mastery.mastery_of(user_id)
        level = "junior" if self._below(report, track, "junior") else "mid"
        steps = self._next_steps(report, track, level)
        reviews, next_review = await self._practice.next_review_date(user_id)
        return WeeklyPlan(
            track=track,
            level=level,
            steps=steps,
            reviews=reviews,
            next_review=next_review,
            challenge=self._challenge_for(steps, report.tracks.get(track.slug, 0.0)),
            minutes_done=await self._minutes_this_week(user_id),
            minutes_target=minutes_target,
        )

    @staticmethod
    def _target(target: SkillTarget, level: str) -> float:
        return target.junior if level == "junior" else target.mid

    def _below(self, report: MasteryReport, track: Track, level: str) -> bool:
        return any(report.of(t.skill) < self._target(t, level) for t in track.core)

    @staticmethod
    def _met(report: MasteryReport, slug: str) -> bool:
        """The member knows ``slug`` well enough to build on: marked learned, or quizzed to it."""
        view = report.skills.get(slug)
        return bool(view and (view.claimed or (view.answers and view.mastery >= PREREQUISITE_MET)))

    def _prerequisites_met(self, report: MasteryReport, skill: Skill) -> bool:
        return all(self._met(report, slug) for slug in skill.prerequisites)

    def _next_steps(self, report: MasteryReport, track: Track, level: str) -> list[PlanStep]:
        """The track's skills below target, or for one not ready yet the skills it builds on."""
        candidates: dict[str, PlanStep] = {}
        blocked: list[tuple[Skill, bool]] = []
        for target, core in _targets(track):
            skill = self._content.skills[target.skill]
            needed = self._target(target, level)
            mastery = report.of(skill.slug)
            if mastery >= needed:
                continue
            if self._prerequisites_met(report, skill):
                step = PlanStep(skill, mastery, needed, core, self._reason(report, skill, needed))
                candidates.setdefault(skill.slug, step)
            else:
                blocked.append((skill, core))
        # A prerequisite the track also targets keeps its own step (and target) from above.
        for skill, core in blocked:
            for first in self._first_to_learn(report, skill):
                candidates.setdefault(
                    first.slug,
                    PlanStep(
                        first,
                        report.of(first.slug),
                        PREREQUISITE_MET,
                        core,
                        f"{skill.name} builds on it; {PREREQUISITE_MET:.0%} opens it up",
                    ),
                )
        steps = sorted(candidates.values(), key=lambda s: (not s.core, s.mastery, s.skill.slug))
        return steps[:PLAN_STEPS]

    def _first_to_learn(self, report: MasteryReport, skill: Skill) -> list[Skill]:
        """The unmet prerequisites under ``skill`` (at any depth) whose own are met."""
        ready: list[Skill] = []
        waiting = [self._content.skills[s] for s in skill.prerequisites]
        seen: set[str] = set()
        while waiting:
            candidate = waiting.pop(0)
            if candidate.slug in seen or self._met(report, candidate.slug):
                continue
            seen.add(candidate.slug)
            if self._prerequisites_met(report, candidate):
                ready.append(candidate)
            else:
                waiting += [self._content.skills[s] for s in candidate.prerequisites]
        return ready

    @staticmethod
    def _reason(report: MasteryReport, skill: Skill, needed: float) -> str:
        view = report.skills.get(skill.slug)
        if view is None or not view.answers:
            claimed = " (you marked it learned; the quiz has not seen it yet)" if view else ""
            return f"not practised yet{claimed}; the role asks for {needed:.0%}"
        return (
            f"you answered {view.right} of {view.answers} on {skill.name}: "
            f"{view.mastery:.0%} now, {needed:.0%} needed"
        )

    def _challenge_for(self, steps: list[PlanStep], overall: float) -> Challenge | None:
        """A challenge on this week's skills at the member's level (the same all week)."""
        level = (
            Level.BEGINNER
            if overall < 0.45
            else Level.INTERMEDIATE
            if overall < 0.65
            else Level.ADVANCED
        )
        wanted = {s.skill.slug for s in steps}
        fitting = [c for c in self._content.challenges if wanted & set(c.skills)]
        at_level = [c for c in fitting if c.difficulty == level] or fitting
        if not at_level:
            return None
        year, week, _ = self._clock.now().isocalendar()
        return sorted(at_level, key=lambda c: c.id)[(year * 53 + week) % len(at_level)]

    async def _minutes_this_week(self, user_id: int) -> int:
        async with self._db.read() as session:
            zone = await session.scalar(select(User.timezone).where(User.id == user_id)) or "UTC"
            today = self._clock.now().astimezone(ZoneInfo(zone)).date()
            monday = today - timedelta(days=today.weekday())
            minutes = await session.scalar(
                select(func.coalesce(func.sum(Activity.minutes), 0)).where(
                    Activity.user_id == user_id,
                    Activity.local_day >= monday,
                    Activity.local_day <= today,
                )
            )
        return int(minutes or 0)

    # -- readiness -------------------------------------------------------------------------

    async def readiness(self, user_id: int, track_slug: str | None = None) -> Readiness:
        """Mastery per category of the track's skills, against junior and mid targets."""
        track, _ = await self._goal_or_refuse(user_id, track_slug)
        report = await self._mastery.mastery_of(user_id)
        by_category: dict[Category, list[SkillTarget]] = {}
        for target, _core in _targets(track):
            category = self._content.skills[target.skill].category
            by_category.setdefault(category, []).append(target)
        categories = [
            CategoryReadiness(
                category,
                _mean([report.of(t.skill) for t in targets]),
                _mean([t.junior for t in targets]),
                _mean([t.mid for t in targets]),
            )
            for category, targets in by_category.items()
        ]
        level = "junior" if self._below(report, track, "junior") else "mid"
        gaps = sorted(
            (
                Gap(self._content.skills[t.skill], report.of(t.skill), self._target(t, level))
                for t, _core in _targets(track)
                if report.of(t.skill) < self._target(t, level)
            ),
            key=lambda g: (g.mastery - g.target, g.skill.slug),
        )[:GAPS_SHOWN]
        return Readiness(track, report.tracks.get(track.slug, 0.0), categories, gaps, level)

    # -- the weekly DM -----------------------------------------------------------------------

    async def weekly_dm_due(self, now: datetime) -> list[Due]:
        """Members who asked for their plan by DM, on Monday morning their time."""
        async with self._db.read() as session:
            rows = (
                await session.execute(
                    select(CareerGoal.user_id, User.timezone)
                    .join(User, User.id == CareerGoal.user_id)
                    .where(CareerGoal.weekly_dm.is_(True))
                )
            ).all()
        dues = []
        for user_id, zone in rows:
            occurrence = Cadence(WEEKLY_DM_AT, zone or "UTC", "week", weekday=0).current(now)
            if occurrence is not None:
                dues.append(Due(PLAN_KIND, user_id, None, None, occurrence))
        return dues

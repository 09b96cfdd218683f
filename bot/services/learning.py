"""Learned skills: marking, un-marking, progress per category and learning paths.

"Mark as learned" is the member's own claim. It never feeds the learner model:
demonstrated mastery comes only from answers (``bot.services.mastery``), and
``MasteryService.mastery_of`` reports the claim beside it (``claimed``), not in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Category, Skill
from bot.db.changes import changed_rows
from bot.db.engine import Database
from bot.db.models import LearnedSkill
from bot.db.upsert import insert_ignore
from bot.services import achievements
from bot.services.errors import UserError
from bot.services.users import ensure_user


@dataclass(frozen=True)
class CategoryProgress:
    """How many skills of one category a user has learned."""

    category: Category
    learned: int
    total: int


@dataclass(frozen=True)
class PathStep:
    """One skill on a learning path, with the user's state for it."""

    skill: Skill
    learned: bool
    is_next: bool


class LearningService:
    """Per-user learned skills, and what to learn next."""

    def __init__(self, db: Database, clock: Clock, content: Content) -> None:
        self._db = db
        self._clock = clock
        self._content = content

    def _skill(self, slug: str) -> Skill:
        skill = self._content.skills.get(slug)
        if skill is None:
            raise UserError(f"There is no skill called `{slug}` any more.")
        return skill

    async def mark_learned(self, user_id: int, slug: str) -> bool:
        """Mark a skill learned; False if it already was."""
        self._skill(slug)
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_user(session, user_id, now)
            added = await insert_ignore(
                session, LearnedSkill, user_id=user_id, skill=slug, learned_at=now
            )
            if added:
                await achievements.after(session, user_id=user_id, guild_id=None, now=now)
            return added

    async def unmark_learned(self, user_id: int, slug: str) -> bool:
        """Remove the learned mark; False if there was none."""
        async with self._db.transaction() as session:
            changed = await changed_rows(
                session,
                delete(LearnedSkill).where(
                    LearnedSkill.user_id == user_id, LearnedSkill.skill == slug
                ),
            )
            return bool(changed)

    async def learned(self, user_id: int) -> set[str]:
        """Slugs of every skill the user has learned (skills removed from content are ignored)."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(LearnedSkill.skill).where(LearnedSkill.user_id == user_id)
            )
            return {slug for slug in rows if slug in self._content.skills}

    async def progress(self, user_id: int) -> list[CategoryProgress]:
        """Learned/total per category, in catalogue order."""
        learned = await self.learned(user_id)
        return [
            CategoryProgress(
                category,
                sum(1 for s in self._content.skills_in(category) if s.slug in learned),
                len(self._content.skills_in(category)),
            )
            for category in Category
        ]

    async def path(self, user_id: int, goal: str) -> list[PathStep]:
        """The goal's prerequisites in learning order, marking learned ones and the next step."""
        self._skill(goal)
        learned = await self.learned(user_id)
        steps: list[PathStep] = []
        next_found = False
        for skill in self._content.learning_path(goal):
            done = skill.slug in learned
            ready = all(p in learned for p in skill.prerequisites)
            is_next = not done and ready and not next_found
            next_found = next_found or is_next
            steps.append(PathStep(skill, done, is_next))
        return steps

"""What ``/profile`` shows: streak, points here, achievements and skills, read without writing.

Looking at a member must not create rows for them, so everything here is a read: a
member the bot never met gets an empty card, and a streak whose last day has passed
shows as lapsed without being advanced (``/streak`` does that for its owner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.clock import Clock
from bot.content.schema import Achievement
from bot.db.engine import Database
from bot.db.models import BoardTotal, LearnedSkill, Season, User
from bot.services.achievements import Achievements
from bot.services.localtime import local_day, user_timezone


@dataclass(frozen=True)
class ProfileCard:
    """One member's profile in one server."""

    user_id: int
    known: bool
    streak: int
    best_streak: int
    freezes: int
    points_season: int
    points_all: int
    skills_learned: int
    skills_total: int
    achievements: int
    achievements_total: int
    recent: tuple[tuple[Achievement, datetime], ...]


class MemberCardService:
    """Builds profile cards from what is already stored."""

    def __init__(
        self, db: Database, clock: Clock, achievements: Achievements, skills_total: int
    ) -> None:
        self._db = db
        self._clock = clock
        self._achievements = achievements
        self._skills_total = skills_total

    async def card(self, user_id: int, guild_id: int | None) -> ProfileCard:
        """The member's card; read-only (an unknown member gets zeros)."""
        now = self._clock.now()
        async with self._db.read() as session:
            user = await session.get(User, user_id)
            streak = best = freezes = 0
            if user is not None:
                today = local_day(now, await user_timezone(session, user_id, guild_id))
                alive = user.streak_alive_until is not None and user.streak_alive_until >= today
                streak = user.streak_current if alive else 0
                best, freezes = user.streak_best, user.streak_freezes
            season_points = all_points = 0
            if guild_id is not None:
                season_id = await session.scalar(
                    select(Season.id).where(Season.guild_id == guild_id, Season.ended_at.is_(None))
                )
                rows = await session.execute(
                    select(BoardTotal.period, BoardTotal.value).where(
                        BoardTotal.guild_id == guild_id,
                        BoardTotal.user_id == user_id,
                        BoardTotal.board == "points",
                        (
                            (BoardTotal.period == "all")
                            | (
                                (BoardTotal.period == "season")
                                & (BoardTotal.period_key == str(season_id))
                            )
                        ),
                    )
                )
                for period, value in rows:
                    if period == "all":
                        all_points = int(value)
                    else:
                        season_points = int(value)
            learned = await session.scalar(
                select(func.count()).where(LearnedSkill.user_id == user_id)
            )
            count, recent = await self._achievements.summary(session, user_id)
        return ProfileCard(
            user_id=user_id,
            known=user is not None,
            streak=streak,
            best_streak=best,
            freezes=freezes,
            points_season=season_points,
            points_all=all_points,
            skills_learned=int(learned or 0),
            skills_total=self._skills_total,
            achievements=count,
            achievements_total=len(self._achievements.catalogue),
            recent=tuple(recent),
        )

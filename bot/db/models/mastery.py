"""The learner model's stored state: per member-skill estimates and per-question difficulty.

Both tables are a cache of a replay of ``quiz_answers`` through
``bot.services.mastery_model``; ``python -m bot mastery rebuild`` recomputes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Double, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import UTCDateTime


class SkillMastery(Base):
    """A member's demonstrated ability on one skill (logit scale) and the answers behind it."""

    __tablename__ = "skill_mastery"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)
    theta: Mapped[float] = mapped_column(Double)
    evidence: Mapped[float] = mapped_column(Double)
    answers: Mapped[int] = mapped_column(Integer)
    right: Mapped[int] = mapped_column(Integer)
    last_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuestionDifficulty(Base):
    """A question's difficulty (logit scale), calibrated from every member's answers."""

    __tablename__ = "question_difficulty"

    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    difficulty: Mapped[float] = mapped_column(Double)
    answers: Mapped[int] = mapped_column(Integer)

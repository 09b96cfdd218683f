"""Skills a user has marked as learned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import UTCDateTime


class LearnedSkill(Base):
    """One skill one user has learned; the primary key makes a second mark a no-op."""

    __tablename__ = "learned_skills"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)
    learned_at: Mapped[datetime] = mapped_column(UTCDateTime)

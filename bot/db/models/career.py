"""A member's career goal: the one track the mentor plans towards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import UTCDateTime


class CareerGoal(Base):
    """One goal per member (changeable); ``weekly_minutes`` is their study-time target."""

    __tablename__ = "career_goals"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    track: Mapped[str] = mapped_column(String(40))
    weekly_minutes: Mapped[int] = mapped_column(default=180)
    weekly_dm: Mapped[bool] = mapped_column(default=False)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)

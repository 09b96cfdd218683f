"""Streak events, reminders and weekly challenges."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import IdPK, UTCDateTime


class StreakEvent(Base):
    """A freeze earned or used, a streak ended, or a day bridged by a timezone move."""

    __tablename__ = "streak_events"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    notified: Mapped[bool] = mapped_column(Boolean, default=False)


class Reminder(Base):
    """A member's daily study reminder at a local time, by DM or in a channel."""

    __tablename__ = "reminders"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    remind_at: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(4))
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sent_on: Mapped[date | None] = mapped_column(Date)
    notice: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengeSchedule(Base):
    """Where and when a guild's weekly challenge is posted."""

    __tablename__ = "challenge_schedules"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(BigInteger)
    weekday: Mapped[int] = mapped_column(Integer)
    post_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    paused_reason: Mapped[str | None] = mapped_column(String(200))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengePost(Base):
    """One week's challenge in one guild; at most one per guild and week."""

    __tablename__ = "challenge_posts"
    __table_args__ = (UniqueConstraint("guild_id", "week"),)

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    week: Mapped[date] = mapped_column(Date)
    challenge_id: Mapped[str] = mapped_column(String(40))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengeCompletion(Base):
    """A member's "I did it": once per member, guild and challenge."""

    __tablename__ = "challenge_completions"
    __table_args__ = (UniqueConstraint("user_id", "guild_id", "challenge_id"),)

    id: Mapped[IdPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    challenge_id: Mapped[str] = mapped_column(String(40))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)

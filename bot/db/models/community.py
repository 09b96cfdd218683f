"""Study timer sessions, a guild's recap channel settings, and milestones waiting for a post."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import IdPK, UTCDateTime


class StudySession(Base):
    """A focus session started with ``/study start``; at most one open per member.

    While ``running`` it ends at ``ends_at``; while ``paused`` ``ends_at`` is when an
    abandoned pause ends it. ``elapsed_seconds`` is focus time before ``resumed_at``.
    """

    __tablename__ = "study_sessions"
    __table_args__ = (
        Index(
            "uq_study_sessions_one_open",
            "user_id",
            unique=True,
            sqlite_where=text("state != 'ended'"),
            postgresql_where=text("state != 'ended'"),
        ),
        Index("ix_study_sessions_state_ends", "state", "ends_at"),
    )

    id: Mapped[IdPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    display_name: Mapped[str] = mapped_column(String(100))
    skill: Mapped[str | None] = mapped_column(String(40))
    focus_minutes: Mapped[int] = mapped_column(Integer)
    break_minutes: Mapped[int] = mapped_column(Integer)
    notify: Mapped[str] = mapped_column(String(4))  # "dm" or "here": where the end notice goes
    state: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resumed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    elapsed_seconds: Mapped[int] = mapped_column(Integer, default=0)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    logged_minutes: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(300))


class RecapSettings(Base):
    """Where a guild's milestone and recap posts go, and which of them it wants."""

    __tablename__ = "recap_settings"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(BigInteger)
    milestones: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    weekly: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    paused_reason: Mapped[str | None] = mapped_column(String(200))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_notified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Milestone(Base):
    """A milestone a member reached in a guild, e.g. a 30-day streak; celebrated once.

    ``batch`` is the key of the milestone post that lists it (NULL while waiting,
    ``"before"`` for milestones reached before the guild turned milestone posts on).
    """

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id", "kind", "value"),
        Index("ix_milestones_guild_batch", "guild_id", "batch"),
    )

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[int] = mapped_column(Integer)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)
    batch: Mapped[str | None] = mapped_column(String(10))


class MilestonePing(Base):
    """A member who asked to be pinged in their milestone posts (the default is no ping)."""

    __tablename__ = "milestone_pings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

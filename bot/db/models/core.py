"""The tables every feature stands on: guilds, users, members, the activity log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import IdPK, UTCDateTime


class BotState(Base):
    """Small key/value facts about the deployment, e.g. the hash of the last command sync."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Guild(Base):
    """A Discord server that uses the bot, with its settings."""

    __tablename__ = "guilds"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(Base):
    """A Discord user the bot has met; personal settings live here."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str | None] = mapped_column(String(64))
    timezone_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The streak, cached; always equal to a rebuild from ``activity`` (see services.streaks).
    streak_current: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_best: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_freezes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_through: Mapped[date | None] = mapped_column(Date)
    # The last local day on which activity keeps the streak; the hourly sweep zeroes
    # the streak board for users past it.
    streak_alive_until: Mapped[date | None] = mapped_column(Date, index=True)


class TimezoneUndo(Base):
    """The member's latest timezone change, kept for its undo window (see services.profile).

    ``bridged_days`` lists the streak days (ISO dates, comma-separated) that the change
    bridged, so an undo removes exactly those.
    """

    __tablename__ = "timezone_undo"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    previous_timezone: Mapped[str | None] = mapped_column(String(64))
    previous_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bridged_days: Mapped[str] = mapped_column(String(64), default="", server_default="")


class Member(Base):
    """A user inside one guild: the name shown on boards, and whether they left."""

    __tablename__ = "members"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own too: the key leads with the guild, and a user's memberships are
    # read on every answer (the streak board) and by each cascade from ``users``.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    display_name: Mapped[str] = mapped_column(String(100))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Activity(Base):
    """One thing a user did that counts towards their streak (the source of truth)."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_user_day", "user_id", "local_day"),)

    id: Mapped[IdPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    guild_id: Mapped[int | None] = mapped_column(
        ForeignKey("guilds.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    skill: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(200))
    ref: Mapped[str | None] = mapped_column(String(80))

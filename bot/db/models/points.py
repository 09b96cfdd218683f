"""The points ledger, per-period board totals, and seasons."""

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
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import IdPK, UTCDateTime


class Season(Base):
    """A guild's competition period; at most one is open (ended_at IS NULL) at a time."""

    __tablename__ = "seasons"
    __table_args__ = (
        UniqueConstraint("guild_id", "number"),
        Index(
            "uq_seasons_one_open",
            "guild_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PointsEntry(Base):
    """One award or adjustment. (guild, user, reason, ref) is unique: nothing counts twice."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id", "reason", "ref"),
        Index("ix_points_ledger_guild_time", "guild_id", "created_at"),
    )

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BoardTotal(Base):
    """A member's running total on one board for one period, kept in step with the ledger.

    Boards: ``points`` and ``study`` (minutes). Periods: ``week`` (key: the Monday),
    ``month`` (``YYYY-MM``), ``season`` (the season id) and ``all``. A leaderboard page
    is then one range scan of ``ix_board_totals_rank``.
    """

    __tablename__ = "board_totals"
    __table_args__ = (
        Index(
            "ix_board_totals_rank",
            "guild_id",
            "board",
            "period",
            "period_key",
            "active",
            text("value DESC"),
            "reached_at",
            "user_id",
        ),
        Index("ix_board_totals_user", "user_id"),
    )

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    board: Mapped[str] = mapped_column(String(10), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[int] = mapped_column(BigInteger)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # False while the member has left the guild: they drop off boards without losing points.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ModAudit(Base):
    """What a moderator did: point adjustments, season changes, schedule changes."""

    __tablename__ = "mod_audit"
    __table_args__ = (Index("ix_mod_audit_guild_time", "guild_id", "created_at"),)

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    moderator_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(30))
    target_user_id: Mapped[int | None] = mapped_column(BigInteger)
    # Set when the target deleted their data: "deleted member 3f9a1c", one tag per deletion,
    # so a moderator still sees that several entries were about one (unnamed) person.
    target_label: Mapped[str | None] = mapped_column(String(40))
    amount: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PenaltyCarryover(Base):
    """A negative point adjustment that outlives its member's data deletion, without their id.

    ``digest`` is a keyed hash of (guild, user): the member can be recognised if they come
    back to that guild during the same season, and the penalty is applied again; it cannot
    be turned back into an id without the installation's key. Deleted when the season closes.
    """

    __tablename__ = "penalty_carryovers"
    __table_args__ = (UniqueConstraint("guild_id", "digest"),)

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

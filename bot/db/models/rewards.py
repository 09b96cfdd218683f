"""Achievements unlocked, and role rewards: what moderators configured and what was granted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import IdPK, UTCDateTime


class AchievementUnlock(Base):
    """One achievement one member unlocked; the primary key makes a second unlock impossible."""

    __tablename__ = "achievement_unlocks"
    __table_args__ = (Index("ix_achievement_unlocks_recent", "user_id", "unlocked_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    achievement_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The server where it happened (None: in DMs, or a server since forgotten).
    guild_id: Mapped[int | None] = mapped_column(ForeignKey("guilds.id", ondelete="SET NULL"))
    unlocked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoleReward(Base):
    """A moderator's rule: members who reach a milestone get a role (one rule per role).

    Milestones (``kind``): ``streak`` (a current streak of ``threshold`` days),
    ``season_points`` (``threshold`` points in the open season), ``category`` (``threshold``
    skills learned in ``target``) and ``achievement`` (``target`` unlocked). With
    ``remove_on_lapse`` the role is taken back when the milestone stops holding.
    """

    __tablename__ = "role_rewards"
    __table_args__ = (UniqueConstraint("guild_id", "role_id"),)

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[int] = mapped_column(Integer)
    target: Mapped[str | None] = mapped_column(String(40))
    remove_on_lapse: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the bot could not grant or remove the role last time (shown to moderators).
    problem: Mapped[str | None] = mapped_column(String(200))
    problem_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False until a moderator was shown the problem (after their next /mod command).
    problem_notified: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoleGrant(Base):
    """A role the bot gave a member for a rule; the row exists only once Discord confirmed it."""

    __tablename__ = "role_grants"

    reward_id: Mapped[int] = mapped_column(
        ForeignKey("role_rewards.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)

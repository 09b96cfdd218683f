"""Server question packs: a guild's own questions, its mix setting, and member submissions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import IdPK, UTCDateTime


class PackSettings(Base):
    """A guild's pack settings: the daily/practice mix and the question number counter.

    ``next_number`` only grows, so a number (and the question id ``pack:<guild>:<n>``)
    is never given to a second question, even after its pack is deleted.
    """

    __tablename__ = "pack_settings"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    mix_percent: Mapped[int | None] = mapped_column(SmallInteger)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class Pack(Base):
    """A named pack of questions in one guild."""

    __tablename__ = "packs"
    __table_args__ = (UniqueConstraint("guild_id", "name"),)

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PackQuestion(Base):
    """One question of a guild's pack; its public id is ``pack:<guild_id>:<number>``."""

    __tablename__ = "pack_questions"
    __table_args__ = (
        UniqueConstraint("guild_id", "number"),
        UniqueConstraint("pack_id", "slug"),
        Index("ix_pack_questions_guild_active", "guild_id", "deleted"),
    )

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    pack_id: Mapped[int | None] = mapped_column(
        ForeignKey("packs.id", ondelete="SET NULL"), nullable=True
    )
    number: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(60))
    skill: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[str] = mapped_column(String(12))
    prompt: Mapped[str] = mapped_column(String(400))
    choices: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[int] = mapped_column(SmallInteger)
    explanation: Mapped[str] = mapped_column(String(700))
    source: Mapped[str] = mapped_column(String(500))
    interview: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # A deleted pack's questions stay resolvable for the posts and answers that name them,
    # but are never picked, listed or exported again.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionSubmission(Base):
    """A member's proposed question, waiting for (or past) a moderator's review."""

    __tablename__ = "question_submissions"
    __table_args__ = (Index("ix_question_submissions_guild_status", "guild_id", "status"),)

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))  # pending | approved | rejected
    skill: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[str] = mapped_column(String(12))
    prompt: Mapped[str] = mapped_column(String(400))
    choices: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[int] = mapped_column(SmallInteger)
    explanation: Mapped[str] = mapped_column(String(700))
    source: Mapped[str] = mapped_column(String(500))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str | None] = mapped_column(String(300))
    question_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

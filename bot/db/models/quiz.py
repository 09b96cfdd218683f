"""The quiz: daily schedules and posts, private prompts, answers and FSRS review cards."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Double,
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


class QuizSchedule(Base):
    """A guild's daily quiz: where, when (local time in a timezone), which days, which topics."""

    __tablename__ = "quiz_schedules"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(BigInteger)
    post_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[str] = mapped_column(String(10))
    close_time: Mapped[str | None] = mapped_column(String(5))
    topics: Mapped[str | None] = mapped_column(String(400))
    paused_reason: Mapped[str | None] = mapped_column(String(200))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DailyPost(Base):
    """One day's question in one guild. At most one per guild and local date."""

    __tablename__ = "daily_posts"
    __table_args__ = (UniqueConstraint("guild_id", "local_date"),)

    id: Mapped[IdPK]
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    question_id: Mapped[str] = mapped_column(String(60))
    choice_order: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuizPrompt(Base):
    """A practice or review question shown privately to one user."""

    __tablename__ = "quiz_prompts"

    id: Mapped[IdPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[int | None] = mapped_column(ForeignKey("guilds.id", ondelete="SET NULL"))
    question_id: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str | None] = mapped_column(String(40))
    difficulty: Mapped[str | None] = mapped_column(String(12))
    choice_order: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuizAnswer(Base):
    """Every answer, daily or private. The unique constraints make a second click a no-op."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        UniqueConstraint("prompt_id"),
        Index("ix_quiz_answers_guild_question", "guild_id", "question_id"),
        Index("ix_quiz_answers_post_correct", "post_id", "correct", "answered_at"),
    )

    id: Mapped[IdPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[int | None] = mapped_column(ForeignKey("guilds.id", ondelete="SET NULL"))
    question_id: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(10))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("daily_posts.id", ondelete="CASCADE"))
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_prompts.id", ondelete="CASCADE"))
    choice: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewCard(Base):
    """An FSRS card: one per member and question they have answered (``bot.services.review``).

    ``due`` is when FSRS schedules the next review; ``due_on`` is that moment's date in
    the member's timezone, which is what ``/quiz review`` compares with their today.
    """

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_due", "user_id", "due_on"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    state: Mapped[int] = mapped_column(SmallInteger)
    stability: Mapped[float] = mapped_column(Double)
    difficulty: Mapped[float] = mapped_column(Double)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    last_review: Mapped[datetime] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GuildQuestionUse(Base):
    """A question a guild's daily quiz has used in the current round of its bank."""

    __tablename__ = "guild_question_uses"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)


class AnswerMarker(Base):
    """A daily question answered by someone who has since deleted their data.

    No user id: ``digest`` is a keyed hash of (post, user), enough to refuse a second
    answer after ``/mydata delete`` and nothing more. Deleted when the post closes.
    """

    __tablename__ = "answer_markers"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("daily_posts.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)

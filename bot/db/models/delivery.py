"""The outbox: one row per scheduled post (daily question, weekly challenge, reminder, ...).

A row is *claimed* by one process (``owner``, until ``lease_until``) before anything is
sent, *sent* once the message exists (its id stored), or *failed* / *skipped*. The
unique (kind, subject, period) key makes a second post for the same occurrence
impossible, whichever process or restart tries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import IdPK, UTCDateTime


class Delivery(Base):
    """One occurrence of a scheduled post and where it stands."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "period"),
        Index("ix_deliveries_state", "state", "next_attempt_at"),
    )

    id: Mapped[IdPK]
    kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(10))
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10))
    owner: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

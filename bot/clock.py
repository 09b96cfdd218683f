"""Time, injected: services ask a clock instead of reading the system time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current time, aware and in UTC."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The system's current time in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; for tests and benchmarks."""

    def __init__(self, at: datetime) -> None:
        self._now = self._check(at)

    @staticmethod
    def _check(at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        return at.astimezone(UTC)

    def now(self) -> datetime:
        """The time the clock was set or advanced to."""
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to ``at``."""
        self._now = self._check(at)

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self._now += delta

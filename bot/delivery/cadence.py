"""When a scheduled post is due: a local time in an IANA zone, every day or once a week.

``once`` makes a one-off occurrence (a study session's end, a batch window) whose key
is its instant in Unix seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Period = Literal["day", "week"]
Days = Literal["daily", "weekdays"]


def as_days(stored: str) -> Days:
    """The ``Days`` a schedule row stores as text; ValueError for any other text."""
    if stored == "daily":
        return "daily"
    if stored == "weekdays":
        return "weekdays"
    raise ValueError(f"a schedule's days are 'daily' or 'weekdays', not {stored!r}")


@dataclass(frozen=True)
class Occurrence:
    """One due occurrence: its key (local date or week's Monday), due time and window end (UTC)."""

    local_date: date
    due_at: datetime
    ends_at: datetime
    label: str | None = None  # a key other than the local date (one-off occurrences)

    @property
    def key(self) -> str:
        """The period key stored with the delivery, e.g. ``2026-03-10`` (at most 10 characters)."""
        return self.label or self.local_date.isoformat()


def once(at: datetime, window: timedelta, *, label: str | None = None) -> Occurrence:
    """A one-off occurrence due at ``at`` and deliverable until ``at + window``.

    Its key is ``label`` or ``at`` in Unix seconds (ten digits until the year 2286).
    """
    at = at.astimezone(UTC)
    return Occurrence(at.date(), at, at + window, label or str(int(at.timestamp())))


@dataclass(frozen=True)
class Cadence:
    """Daily (every day or Monday to Friday) or weekly (one weekday) at a local time."""

    at: time
    timezone: str
    period: Period = "day"
    days: Days = "daily"
    weekday: int = 0

    def _local(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=ZoneInfo(self.timezone)).astimezone(UTC)

    def _start_of(self, local_day: date) -> date:
        if self.period == "week":
            return local_day - timedelta(days=local_day.weekday())
        return local_day

    def _candidate(self, start: date) -> Occurrence | None:
        if self.period == "week":
            return Occurrence(
                start,
                self._local(start + timedelta(days=self.weekday), self.at),
                self._local(start + timedelta(days=7), time()),
            )
        if self.days == "weekdays" and start.weekday() >= 5:
            return None
        return Occurrence(
            start, self._local(start, self.at), self._local(start + timedelta(1), time())
        )

    def current(self, now: datetime) -> Occurrence | None:
        """The occurrence whose time has come and whose day (or week) is not over at ``now``."""
        local_day = now.astimezone(ZoneInfo(self.timezone)).date()
        occurrence = self._candidate(self._start_of(local_day))
        if occurrence is None or now < occurrence.due_at:
            return None
        return occurrence

    def today(self, now: datetime) -> Occurrence:
        """The current day's (or week's) occurrence, due at ``now`` whatever the schedule says."""
        start = self._start_of(now.astimezone(ZoneInfo(self.timezone)).date())
        step = timedelta(days=7 if self.period == "week" else 1)
        return Occurrence(start, now, self._local(start + step, time()))

    def next_due(self, now: datetime) -> datetime:
        """The first due time strictly after ``now`` (UTC)."""
        step = timedelta(days=7 if self.period == "week" else 1)
        start = self._start_of(now.astimezone(ZoneInfo(self.timezone)).date())
        for _ in range(9):
            occurrence = self._candidate(start)
            if occurrence is not None and occurrence.due_at > now:
                return occurrence.due_at
            start += step
        raise AssertionError("a cadence is always due within nine periods")

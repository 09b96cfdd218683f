"""When a scheduled post is due: a local time in an IANA zone, every day or once a week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Period = Literal["day", "week"]
Days = Literal["daily", "weekdays"]


@dataclass(frozen=True)
class Occurrence:
    """One due occurrence: its key (local date or week's Monday), due time and window end (UTC)."""

    local_date: date
    due_at: datetime
    ends_at: datetime

    @property
    def key(self) -> str:
        """The period key stored with the delivery, e.g. ``2026-03-10``."""
        return self.local_date.isoformat()


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

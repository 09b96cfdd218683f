"""APScheduler wiring. Jobs are rebuilt from the database at start; the database is the truth.

A job only wakes a service up at the right moment; services decide, from the injected
clock and the database, what is due, so a missed or repeated wake-up changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

Job = Callable[..., Awaitable[Any]]
Days = Literal["daily", "weekdays"]
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Scheduler:
    """A thin, typed face over AsyncIOScheduler for daily and weekly local-time jobs."""

    def __init__(self) -> None:
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        )

    def start(self) -> None:
        """Start firing jobs (needs a running event loop)."""
        if not self._aps.running:
            self._aps.start()

    def shutdown(self) -> None:
        """Stop firing jobs; running jobs are not awaited."""
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def daily(
        self, job_id: str, func: Job, *, at: time, tz: str, days: Days, args: tuple = ()
    ) -> None:
        """Run ``func`` every day (or Monday to Friday) at local time ``at`` in ``tz``."""
        trigger = CronTrigger(
            day_of_week="mon-fri" if days == "weekdays" else "*",
            hour=at.hour,
            minute=at.minute,
            timezone=ZoneInfo(tz),
        )
        self._aps.add_job(func, trigger, id=job_id, args=args, replace_existing=True)

    def weekly(
        self, job_id: str, func: Job, *, weekday: int, at: time, tz: str, args: tuple = ()
    ) -> None:
        """Run ``func`` once a week on ``weekday`` (0 = Monday) at local time ``at`` in ``tz``."""
        trigger = CronTrigger(
            day_of_week=WEEKDAY_NAMES[weekday],
            hour=at.hour,
            minute=at.minute,
            timezone=ZoneInfo(tz),
        )
        self._aps.add_job(func, trigger, id=job_id, args=args, replace_existing=True)

    def every(self, job_id: str, func: Job, *, seconds: int) -> None:
        """Run ``func`` every ``seconds`` seconds."""
        self._aps.add_job(func, IntervalTrigger(seconds=seconds), id=job_id, replace_existing=True)

    def later(self, job_id: str, func: Job, *, seconds: float, args: tuple = ()) -> None:
        """Run ``func`` once, ``seconds`` from now (a retry after a transient failure)."""
        run_at = datetime.now(UTC) + timedelta(seconds=seconds)
        self._aps.add_job(
            func, DateTrigger(run_date=run_at), id=job_id, args=args, replace_existing=True
        )

    def remove(self, job_id: str) -> None:
        """Forget a job; no error if there is none."""
        if self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    def next_run(self, job_id: str, after: datetime) -> datetime | None:
        """When the job fires next after ``after`` (UTC), from its trigger; None if no job."""
        job = self._aps.get_job(job_id)
        if job is None:
            return None
        fire = job.trigger.get_next_fire_time(None, after)
        return fire.astimezone(UTC) if fire else None

    def job(self, job_id: str) -> tuple[Job, tuple] | None:
        """The function and arguments of a job, so tests can fire it as the scheduler would."""
        job = self._aps.get_job(job_id)
        return (job.func, tuple(job.args)) if job else None

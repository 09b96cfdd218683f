"""APScheduler wiring for the bot's periodic jobs (the delivery tick, the heartbeat, sweeps).

A job only wakes a service up; the service decides, from the injected clock and the
database, what is due, so a missed or repeated wake-up changes nothing. What posts on a
schedule is decided by ``bot.delivery``, not by one job per guild.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

Job = Callable[..., Awaitable[Any]]


class Scheduler:
    """A thin, typed face over AsyncIOScheduler for interval jobs."""

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

    def every(self, job_id: str, func: Job, *, seconds: float) -> None:
        """Run ``func`` every ``seconds`` seconds."""
        self._aps.add_job(func, IntervalTrigger(seconds=seconds), id=job_id, replace_existing=True)

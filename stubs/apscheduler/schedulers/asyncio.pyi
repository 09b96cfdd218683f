from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

class Job:
    id: str
    name: str

class AsyncIOScheduler:
    def __init__(
        self,
        gconfig: Mapping[str, Any] = ...,
        *,
        timezone: tzinfo | str = ...,
        job_defaults: Mapping[str, Any] = ...,
    ) -> None: ...
    @property
    def running(self) -> bool: ...
    def start(self, paused: bool = False) -> None: ...
    def shutdown(self, wait: bool = True) -> None: ...
    def add_job(
        self,
        func: Callable[..., Any],
        trigger: IntervalTrigger | None = None,
        args: Iterable[Any] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        id: str | None = None,
        name: str | None = None,
        *,
        replace_existing: bool = False,
    ) -> Job: ...

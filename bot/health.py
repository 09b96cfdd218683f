"""The heartbeat the running bot writes, and the check ``python -m bot health`` runs.

Every ``HEALTH_INTERVAL_SECONDS`` (15 s) the bot records whether its gateway shards
are connected and whether the database accepts a write. The check fails when the
heartbeat is older than ``STALE_AFTER`` or reports either fault, and says which, so a
fault shows within 60 s.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

STALE_AFTER = 45
DATABASE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Heartbeat:
    """One reading of the bot's health."""

    at: float
    gateway: bool
    database: bool
    detail: str = ""


def beat(path: Path, heartbeat: Heartbeat) -> None:
    """Record ``heartbeat`` atomically (the probe never reads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(asdict(heartbeat)))
    partial.replace(path)


def check(path: Path, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one sentence why) from the last heartbeat."""
    try:
        heartbeat = Heartbeat(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return False, f"unhealthy: no heartbeat at {path} (is the bot running?)"
    age = (now if now is not None else time.time()) - heartbeat.at
    if age >= STALE_AFTER:
        return False, f"unhealthy: the last heartbeat is {age:.0f} s old (the bot is stuck or gone)"
    if not heartbeat.gateway:
        return False, "unhealthy: the Discord gateway is disconnected"
    if not heartbeat.database:
        return False, f"unhealthy: the database refuses writes ({heartbeat.detail})"
    return True, "healthy: gateway connected, database writable"

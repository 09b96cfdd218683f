"""A heartbeat file the running bot refreshes, and the check the container health probe runs."""

from __future__ import annotations

import time
from pathlib import Path

from bot.config import PROJECT_ROOT

HEARTBEAT_FILE = PROJECT_ROOT / "var" / "heartbeat"
HEARTBEAT_EVERY = 30
STALE_AFTER = 120


def beat(path: Path = HEARTBEAT_FILE) -> None:
    """Record that the bot is connected right now."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(time.time()))


def healthy(path: Path = HEARTBEAT_FILE, now: float | None = None) -> bool:
    """True when the heartbeat is fresh."""
    try:
        last = float(path.read_text())
    except (OSError, ValueError):
        return False
    return (now if now is not None else time.time()) - last < STALE_AFTER

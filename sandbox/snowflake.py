"""Snowflake ids with real timestamps, unique and increasing, optionally placed on a shard."""

from __future__ import annotations

import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Makes ids like Discord's: ms since the Discord epoch << 22 | worker | increment."""

    def __init__(self, worker_id: int = 1, process_id: int = 0) -> None:
        self._low_bits = ((worker_id & 0x1F) << 17) | ((process_id & 0x1F) << 12)
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        """A fresh id stamped with the current time."""
        return self._make(self._now_ms())

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh id whose guild shard, (id >> 22) % shard_count, is ``shard_id``."""
        ms = max(self._now_ms(), self._last_ms)
        while ms % shard_count != shard_id:
            ms += 1
        return self._make(ms)

    def _now_ms(self) -> int:
        return int(time.time() * 1000) - DISCORD_EPOCH_MS

    def _make(self, ms: int) -> int:
        if ms <= self._last_ms:
            ms = self._last_ms
            self._increment = (self._increment + 1) & 0xFFF
            if self._increment == 0:
                ms += 1
        else:
            self._increment = 0
        self._last_ms = ms
        return (ms << 22) | self._low_bits | self._increment


def snowflake_time_ms(snowflake: int) -> int:
    """Unix time in milliseconds encoded in a snowflake."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS

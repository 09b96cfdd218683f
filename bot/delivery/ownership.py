"""Which process serves a guild: the one whose shards include the guild's shard."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: ``(guild_id >> 22) % shard_count``."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class Ownership:
    """The shards this process runs. Posts without a guild (DMs) belong to shard 0's process."""

    shard_count: int
    shard_ids: Collection[int]

    def owns(self, guild_id: int | None) -> bool:
        """True when ``guild_id``'s shard runs in this process (None: DMs, shard 0's process)."""
        if guild_id is None:
            return 0 in self.shard_ids
        return shard_of(guild_id, self.shard_count) in self.shard_ids

    @property
    def label(self) -> str:
        """A readable name for logs and claims, e.g. ``shards 0,1/4``."""
        return f"shards {','.join(map(str, sorted(self.shard_ids)))}/{self.shard_count}"

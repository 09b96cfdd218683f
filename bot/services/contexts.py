"""Each guild's timezone and open season, as the answer path needs them, kept in memory.

A guild belongs to one process (the one whose shards own it), and its timezone and
seasons change only through that process's own commands, so the code that changes
them (``GuildService.set_timezone``, ``LeaderboardService.new_season``) tells this
cache, and nothing else can make it stale. Values read inside a transaction are kept
only once that transaction commits (each transaction's own: several answer batches may
be open at once), and not if the guild was changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.transaction_hooks import after_transaction
from bot.services import points

LIMIT = 50_000


class GuildContexts:
    """(timezone, open season id) per guild."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._known: dict[int, tuple[str, int]] = {}
        self._changes: dict[int, int] = {}

    async def read(
        self, session: AsyncSession, guild_ids: Iterable[int], now: datetime
    ) -> dict[int, tuple[str, int]]:
        """The guilds' contexts: from memory, else one read in ``session``, kept once it commits."""
        wanted = set(guild_ids)
        found = {gid: self._known[gid] for gid in wanted if gid in self._known}
        missing = wanted - found.keys()
        if missing:
            fetched, started = await points.guild_contexts(session, missing, now)
            found.update(fetched)
            fresh = [
                (gid, context, self._changes.get(gid, 0))
                for gid, context in fetched.items()
                if gid not in started  # a season started in this transaction may roll back
            ]
            if fresh:
                after_transaction(session, committed=lambda: self._keep_read(fresh))
        return found

    def _keep_read(self, read: list[tuple[int, tuple[str, int], int]]) -> None:
        """The transaction that read these committed: keep those whose guild did not change."""
        for gid, context, version in read:
            self.keep(gid, context, version)

    def forget(self, guild_id: int) -> None:
        """The guild's timezone or season changed (call after the change commits)."""
        self._known.pop(guild_id, None)
        self._changes[guild_id] = self._changes.get(guild_id, 0) + 1

    def known(self, guild_id: int) -> tuple[str, int] | None:
        """The guild's context if it is in memory (no database read)."""
        return self._known.get(guild_id)

    def version(self, guild_id: int) -> int:
        """How many times the guild was forgotten: take it before reading, pass it to ``keep``."""
        return self._changes.get(guild_id, 0)

    def keep(self, guild_id: int, context: tuple[str, int], version: int) -> None:
        """Remember a committed context, unless the guild changed since ``version``.

        ``read`` keeps its own this way once their transaction commits; a caller keeps what
        it read elsewhere from committed rows, e.g. in a read-only session.
        """
        if self._changes.get(guild_id, 0) != version:
            return
        if guild_id not in self._known and len(self._known) >= self._limit:
            self._known.clear()
        self._known[guild_id] = context

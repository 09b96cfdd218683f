"""A guild's own settings."""

from __future__ import annotations

from sqlalchemy import update

from bot.clock import Clock
from bot.db.engine import Database
from bot.db.models import Guild
from bot.services.contexts import GuildContexts
from bot.services.localtime import guild_or_utc
from bot.services.timeparse import resolve_timezone
from bot.services.users import ensure_guild


class GuildService:
    """The server timezone (used for leaderboard periods and members without their own)."""

    def __init__(
        self, db: Database, clock: Clock, *, contexts: GuildContexts | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._contexts = contexts or GuildContexts()

    async def set_timezone(self, guild_id: int, text: str) -> str:
        """Save the guild's timezone from what a moderator typed; returns the IANA name saved."""
        zone = resolve_timezone(text)
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, self._clock.now())
            await session.execute(update(Guild).where(Guild.id == guild_id).values(timezone=zone))
        self._contexts.forget(guild_id)
        return zone

    async def timezone(self, guild_id: int) -> str:
        """The guild's IANA timezone (UTC until one is set)."""
        async with self._db.read() as session:
            return await guild_or_utc(session, guild_id)

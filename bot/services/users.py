"""Make sure the rows a user's activity hangs on exist: user, guild, member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BoardTotal, Guild, Member, User
from bot.db.upsert import insert_ignore

NAME_LIMIT = 100


async def ensure_user(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Create the user row on first contact."""
    await insert_ignore(session, User, id=user_id, created_at=now)


async def ensure_guild(session: AsyncSession, guild_id: int, now: datetime) -> None:
    """Create the guild row on first contact (timezone UTC until a moderator sets one)."""
    await insert_ignore(session, Guild, id=guild_id, timezone="UTC", created_at=now)


async def ensure_member(
    session: AsyncSession, guild_id: int, user_id: int, display_name: str, now: datetime
) -> None:
    """Create user, guild and member rows as needed; refresh the name; bring back one who left.

    The common case, a known member with the same name, costs one read.
    """
    name = display_name[:NAME_LIMIT] or str(user_id)
    known = (
        await session.execute(
            select(Member.display_name, Member.left_at).where(
                Member.guild_id == guild_id, Member.user_id == user_id
            )
        )
    ).first()
    if known is None:
        await ensure_user(session, user_id, now)
        await ensure_guild(session, guild_id, now)
        await insert_ignore(
            session,
            Member,
            guild_id=guild_id,
            user_id=user_id,
            display_name=name,
            first_seen_at=now,
        )
        return
    if known.left_at is not None:
        await session.execute(
            update(BoardTotal)
            .where(BoardTotal.guild_id == guild_id, BoardTotal.user_id == user_id)
            .values(active=True)
        )
    if known.left_at is not None or known.display_name != name:
        await session.execute(
            update(Member)
            .where(Member.guild_id == guild_id, Member.user_id == user_id)
            .values(display_name=name, left_at=None)
        )

"""Make sure the rows a user's activity hangs on exist: user, guild, member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BoardTotal, Guild, Member, ModAudit, User
from bot.db.upsert import insert_ignore
from bot.services import forgetting, points
from bot.services.text import clean_text

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
    name = clean_text(display_name)[:NAME_LIMIT] or str(user_id)
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
        added = await insert_ignore(
            session,
            Member,
            guild_id=guild_id,
            user_id=user_id,
            display_name=name,
            first_seen_at=now,
        )
        if added:
            await _joined(session, guild_id, user_id, now)
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


async def _joined(session: AsyncSession, guild_id: int, user_id: int, now: datetime) -> None:
    """A member's first row in a guild: their streak joins its board, an owed penalty returns.

    The streak may predate the membership (a first private quiz answer, a DM study log).
    """
    streak = await session.scalar(select(User.streak_current).where(User.id == user_id))
    if streak:
        await points.set_streak_board(session, user_id, streak, now)
    owed = await forgetting.take_carryover(session, guild_id, user_id)
    if owed is None:
        return
    audit = ModAudit(
        guild_id=guild_id,
        moderator_id=None,
        action="carryover",
        target_user_id=user_id,
        amount=owed.amount,
        detail="penalty carried over from before a data deletion",
        created_at=now,
    )
    session.add(audit)
    await session.flush()
    await points.award(
        session,
        guild_id=guild_id,
        user_id=user_id,
        amount=owed.amount,
        reason="adjust",
        ref=str(audit.id),
        now=now,
    )

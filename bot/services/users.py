"""Make sure the rows a user's activity hangs on exist: user, guild, member."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.in_list import in_list
from bot.db.models import BoardTotal, Guild, Member, ModAudit, User
from bot.db.upsert import insert_ignore, insert_many_ignore
from bot.services import forgetting, points
from bot.services.text import clean_text

NAME_LIMIT = 100


async def ensure_user(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Create the user row on first contact."""
    await insert_ignore(session, User, id=user_id, created_at=now)


async def ensure_guild(session: AsyncSession, guild_id: int, now: datetime) -> None:
    """Create the guild row on first contact (timezone UTC until a moderator sets one)."""
    await insert_ignore(session, Guild, id=guild_id, timezone="UTC", created_at=now)


@dataclass(frozen=True)
class Membership:
    """A user seen inside a guild under a display name."""

    guild_id: int
    user_id: int
    display_name: str


async def ensure_users(session: AsyncSession, user_ids: Iterable[int], now: datetime) -> None:
    """Create the rows of users met for the first time, in one statement."""
    rows = [{"id": u, "created_at": now} for u in sorted(set(user_ids))]
    if rows:
        await insert_many_ignore(session, User, rows)


async def ensure_guilds(session: AsyncSession, guild_ids: Iterable[int], now: datetime) -> None:
    """Create the rows of guilds met for the first time, in one statement."""
    rows = [{"id": g, "timezone": "UTC", "created_at": now} for g in sorted(set(guild_ids))]
    if rows:
        await insert_many_ignore(session, Guild, rows)


async def ensure_member(
    session: AsyncSession, guild_id: int, user_id: int, display_name: str, now: datetime
) -> None:
    """Create user, guild and member rows as needed; refresh the name; bring back one who left."""
    await ensure_members(session, [Membership(guild_id, user_id, display_name)], now)


_member = Member.__table__.c
_user = User.__table__.c
# Built once with list parameters (in_list; Core columns: no ORM step on the answer path).
_members_named = select(
    _member.guild_id, _member.user_id, _member.display_name, _member.left_at
).where(
    in_list(_member.user_id, "users"),
    in_list(_member.guild_id, "guilds"),
)
_streaking = (
    select(_user.id, _user.streak_current)
    .where(in_list(_user.id, "users"), _user.streak_current > 0)
    .order_by(_user.id)
)


async def ensure_members(
    session: AsyncSession, members: Sequence[Membership], now: datetime
) -> None:
    """``ensure_member`` for several members at once.

    The common case, known members with the same names, costs one read.
    """
    wanted = {
        (m.guild_id, m.user_id): clean_text(m.display_name)[:NAME_LIMIT] or str(m.user_id)
        for m in members
    }
    if not wanted:
        return
    known = {
        (row.guild_id, row.user_id): row
        for row in await session.execute(
            _members_named,
            {"users": list({u for _, u in wanted}), "guilds": list({g for g, _ in wanted})},
        )
        if (row.guild_id, row.user_id) in wanted
    }
    missing = [key for key in wanted if key not in known]
    if missing:
        await ensure_users(session, (u for _, u in missing), now)
        await ensure_guilds(session, (g for g, _ in missing), now)
        rows = [
            {"guild_id": g, "user_id": u, "display_name": wanted[g, u], "first_seen_at": now}
            for g, u in missing
        ]
        await insert_many_ignore(session, Member, rows)
        await _joined(session, missing, now)
    for (guild_id, user_id), row in known.items():
        name = wanted[guild_id, user_id]
        if row.left_at is not None:
            await session.execute(
                update(BoardTotal)
                .where(BoardTotal.guild_id == guild_id, BoardTotal.user_id == user_id)
                .values(active=True)
            )
        if row.left_at is not None or row.display_name != name:
            await session.execute(
                update(Member)
                .where(Member.guild_id == guild_id, Member.user_id == user_id)
                .values(display_name=name, left_at=None)
            )


async def _joined(session: AsyncSession, members: list[tuple[int, int]], now: datetime) -> None:
    """Members' first rows in guilds: their streaks join the boards, owed penalties return.

    A streak may predate the membership (a first private quiz answer, a DM study log).
    Two reads for the whole list in the common case (no streaks, no deletions).
    """
    streaks = (
        await session.execute(_streaking, {"users": list({user for _, user in members})})
    ).tuples()
    await points.set_streak_boards(session, list(streaks), now)
    owed = await forgetting.take_carryovers(session, members)
    for (guild_id, user_id), carried in owed.items():
        audit = ModAudit(
            guild_id=guild_id,
            moderator_id=None,
            action="carryover",
            target_user_id=user_id,
            amount=carried.amount,
            detail="penalty carried over from before a data deletion",
            created_at=now,
        )
        session.add(audit)
        await session.flush()
        await points.award(
            session,
            guild_id=guild_id,
            user_id=user_id,
            amount=carried.amount,
            reason="adjust",
            ref=str(audit.id),
            now=now,
        )

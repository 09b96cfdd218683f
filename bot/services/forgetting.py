"""What ``/mydata delete`` keeps so that deleting data does not undo moderation or the quiz.

Nothing here holds a user id. Two facts survive a deletion, each under a keyed hash
(HMAC-SHA256 with a random key kept in ``bot_state``), each only as long as it matters:

- an *answer marker* per open daily question the member had answered (``answer_markers``),
  so the question cannot be answered again after reading the answer; deleted when the
  question closes;
- a *penalty carry-over* per server where the member's point adjustments in the open
  season add up to less than zero (``penalty_carryovers``), applied again if they come
  back to that server in the same season; deleted when the season closes.

Moderator audit entries about the member stay, with the id replaced by a label made up
for this deletion ("deleted member 3f9a1c").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.in_list import in_list
from bot.db.models import (
    AnswerMarker,
    BotState,
    DailyPost,
    ModAudit,
    PenaltyCarryover,
    PointsEntry,
    QuizAnswer,
    Season,
)
from bot.db.upsert import insert_ignore, insert_many_ignore

KEY_NAME = "deletion-key"
ADJUST = "adjust"


async def _key(session: AsyncSession) -> bytes:
    """The installation's hashing key, made on first use."""
    await insert_ignore(session, BotState, key=KEY_NAME, value=secrets.token_hex(32))
    value = await session.scalar(_read_key)
    assert value is not None
    session.info[_KEY_READ] = key = bytes.fromhex(value)
    return key


def _digest(key: bytes, *parts: object) -> str:
    message = ":".join(str(p) for p in parts).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def forget(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Anonymise what must outlive the member's rows; runs before those rows are deleted."""
    label = f"deleted member {secrets.token_hex(3)}"
    await session.execute(
        update(ModAudit)
        .where(ModAudit.target_user_id == user_id)
        .values(target_user_id=None, target_label=label)
    )
    await session.execute(
        update(ModAudit).where(ModAudit.moderator_id == user_id).values(moderator_id=None)
    )
    open_answered = list(
        await session.scalars(
            select(QuizAnswer.post_id)
            .join(DailyPost, DailyPost.id == QuizAnswer.post_id)
            .where(QuizAnswer.user_id == user_id, DailyPost.closed_at.is_(None))
        )
    )
    penalties = [
        (guild_id, season_id, int(total))
        for guild_id, season_id, total in await session.execute(
            select(PointsEntry.guild_id, PointsEntry.season_id, func.sum(PointsEntry.amount))
            .join(Season, Season.id == PointsEntry.season_id)
            .where(
                PointsEntry.user_id == user_id,
                PointsEntry.reason == ADJUST,
                Season.ended_at.is_(None),
            )
            .group_by(PointsEntry.guild_id, PointsEntry.season_id)
        )
        if total is not None and total < 0
    ]
    if not open_answered and not penalties:
        return
    key = await _key(session)
    await insert_many_ignore(
        session,
        AnswerMarker,
        [{"post_id": p, "digest": _digest(key, "answer", p, user_id)} for p in open_answered],
    )
    for guild_id, season_id, total in penalties:
        await insert_ignore(
            session,
            PenaltyCarryover,
            guild_id=guild_id,
            season_id=season_id,
            digest=_digest(key, "penalty", guild_id, user_id),
            amount=total,
            created_at=now,
        )


async def _existing_key(session: AsyncSession) -> bytes | None:
    """The hashing key if any deletion ever made one (nothing to look for otherwise).

    Read once per transaction (an answer batch asks twice): within one, only ``_key``
    can make it, and a key once made never changes.
    """
    if _KEY_READ not in session.info:
        value = await session.scalar(_read_key)
        session.info[_KEY_READ] = bytes.fromhex(value) if value is not None else None
    key: bytes | None = session.info[_KEY_READ]
    return key


_read_key = select(BotState.__table__.c.value).where(BotState.__table__.c.key == KEY_NAME)
_marker = AnswerMarker.__table__.c
# Built once with list parameters (in_list; Core columns: no ORM step on the answer path).
_markers = select(_marker.post_id, _marker.digest).where(
    in_list(_marker.post_id, "posts"),
    in_list(_marker.digest, "digests"),
)
_KEY_READ = "forgetting.key"  # the key as this transaction read it (session.info)


async def answered_before_deletion(
    session: AsyncSession, answers: Collection[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (post id, user id) pairs whose member answered that post before deleting their data.

    The posts are open daily questions; one read of the key and one of the markers cover
    all of them.
    """
    if not answers:
        return set()
    key = await _existing_key(session)
    if key is None:
        return set()
    digests = {_digest(key, "answer", post, user): (post, user) for post, user in answers}
    found = await session.execute(
        _markers, {"posts": list({post for post, _ in answers}), "digests": list(digests)}
    )
    return {digests[digest] for post, digest in found if digests[digest][0] == post}


async def take_carryovers(
    session: AsyncSession, members: Collection[tuple[int, int]]
) -> dict[tuple[int, int], PenaltyCarryover]:
    """Take the penalties that returning members still owe in their guild's open season.

    ``members`` are (guild id, user id) pairs; what they owe is removed from the table and
    returned. One read when no deletion ever happened.
    """
    if not members:
        return {}
    key = await _existing_key(session)
    if key is None:
        return {}
    digests = {_digest(key, "penalty", guild, user): (guild, user) for guild, user in members}
    rows = list(
        await session.scalars(
            select(PenaltyCarryover)
            .join(Season, Season.id == PenaltyCarryover.season_id)
            .where(
                PenaltyCarryover.guild_id.in_({guild for guild, _ in members}),
                PenaltyCarryover.digest.in_(digests),
                Season.ended_at.is_(None),
            )
            .order_by(PenaltyCarryover.id)
        )
    )
    owed = {digests[row.digest]: row for row in rows if digests[row.digest][0] == row.guild_id}
    if owed:
        await session.execute(
            delete(PenaltyCarryover).where(
                PenaltyCarryover.id.in_([row.id for row in owed.values()])
            )
        )
    return owed


async def drop_markers(session: AsyncSession, post_ids: list[int]) -> None:
    """Closed questions need no markers: nobody can answer them any more."""
    if post_ids:
        await session.execute(delete(AnswerMarker).where(AnswerMarker.post_id.in_(post_ids)))


async def drop_carryovers(session: AsyncSession, season_id: int) -> None:
    """A closed season's penalties stay in its standings; nothing is carried further."""
    await session.execute(delete(PenaltyCarryover).where(PenaltyCarryover.season_id == season_id))

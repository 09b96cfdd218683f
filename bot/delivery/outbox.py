"""Claims, leases and outcomes of scheduled posts, in the ``deliveries`` table (no Discord here).

Exactly once is the schema's job: one row per (kind, subject, period). A process
claims the row (``owner`` + ``lease_until``) before it sends; another process may adopt
a claim only once its lease has expired; a row is marked sent in the same
transaction as the feature's own confirmation, and only by its current owner.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.batch import GroupCommit
from bot.db.engine import Database
from bot.db.models import Delivery
from bot.db.upsert import insert_for
from bot.delivery.cadence import Occurrence

Confirm = Callable[[AsyncSession], Awaitable[None]]
BATCH = 64  # claims or confirmations written in one transaction at most


class State(StrEnum):
    """Where a delivery stands."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Due:
    """Something a feed says is due now: which post, for whom, where."""

    kind: str
    subject_id: int
    guild_id: int | None
    channel_id: int | None
    occurrence: Occurrence


@dataclass(frozen=True)
class Claim:
    """A delivery this process holds the lease on."""

    id: int
    kind: str
    subject_id: int
    period: str
    guild_id: int | None
    channel_id: int | None
    claimed_at: datetime
    deadline: datetime
    attempts: int
    resumed: bool

    @property
    def nonce(self) -> str:
        """The message nonce (Discord drops a second create with the same one for a while)."""
        return f"bm{self.id}"

    @classmethod
    def of(cls, row: Delivery, *, resumed: bool) -> Claim:
        """The claim held on a delivery row (``resumed``: taken over after a crash or a lease)."""
        return cls(
            row.id,
            row.kind,
            row.subject_id,
            row.period,
            row.guild_id,
            row.channel_id,
            row.claimed_at,
            row.deadline,
            row.attempts,
            resumed,
        )


@dataclass(frozen=True)
class _Sent:
    """A confirmation waiting for its batch: the claim, its message, the feature's part."""

    claim: Claim
    message_id: int
    confirm: Confirm | None


@dataclass(frozen=True)
class Outcome:
    """The last delivery of a subject, for status lines such as ``/remind show``."""

    period: str
    state: State
    last_error: str | None


class Outbox:
    """The delivery table's state machine: claimed → sent, or failed / skipped / released."""

    def __init__(self, db: Database, clock: Clock, *, owner: str, lease: timedelta) -> None:
        self._db = db
        self._clock = clock
        self.owner = owner
        self._lease = lease
        self._claims = GroupCommit(db, self._claim_batch, max_batch=BATCH)
        self._confirmations = GroupCommit(db, self._sent_batch, max_batch=BATCH)

    def _key(self, due: Due) -> tuple[ColumnElement[bool], ...]:
        return (
            Delivery.kind == due.kind,
            Delivery.subject_id == due.subject_id,
            Delivery.period == due.occurrence.key,
        )

    async def claim(self, due: Due) -> Claim | None:
        """Claim ``due`` for this process; None if it was sent, given up, or is held elsewhere.

        A claim left behind (a crash, a retry waiting for its time) is adopted once its
        lease has expired or when it is this process's own. Concurrent claims are written
        together (one transaction, one multi-row insert), so a fan-out to a thousand
        servers does not queue a thousand transactions on SQLite's one writer.
        """
        result: Claim | None = await self._claims.submit(due)
        return result

    async def _claim_batch(self, session: AsyncSession, dues: Sequence[Due]) -> list[Claim | None]:
        now = self._clock.now()
        lease_until = now + self._lease
        rows = [
            {
                "kind": due.kind,
                "subject_id": due.subject_id,
                "period": due.occurrence.key,
                "guild_id": due.guild_id,
                "state": State.CLAIMED,
                "owner": self.owner,
                "lease_until": lease_until,
                "attempts": 1,
                "next_attempt_at": now,
                "deadline": due.occurrence.ends_at,
                "channel_id": due.channel_id,
                "claimed_at": now,
            }
            for due in dues
        ]
        added = await session.scalars(
            insert_for(session, Delivery).on_conflict_do_nothing().returning(Delivery), rows
        )
        new = {(row.kind, row.subject_id, row.period): row for row in added}
        claims: list[Claim | None] = []
        for due in dues:
            row = new.pop((due.kind, due.subject_id, due.occurrence.key), None)
            if row is not None:
                claims.append(Claim.of(row, resumed=False))
                continue
            adopted = await session.scalar(
                update(Delivery)
                .where(
                    *self._key(due),
                    Delivery.state == State.CLAIMED,
                    Delivery.next_attempt_at <= now,
                    or_(Delivery.owner == self.owner, Delivery.lease_until < now),
                )
                .values(owner=self.owner, lease_until=lease_until, attempts=Delivery.attempts + 1)
                .returning(Delivery)
            )
            claims.append(Claim.of(adopted, resumed=True) if adopted is not None else None)
        return claims

    async def sent(self, claim: Claim, message_id: int, confirm: Confirm | None = None) -> bool:
        """Record the message and run the feature's ``confirm`` in the same transaction.

        False when this process no longer owns the claim (another adopted it) or it was
        already recorded: then nothing is written. Concurrent confirmations are written
        together, like claims.
        """
        recorded: bool = await self._confirmations.submit(_Sent(claim, message_id, confirm))
        return recorded

    async def _sent_batch(self, session: AsyncSession, jobs: Sequence[_Sent]) -> list[bool]:
        messages: dict[int, int] = {}
        for job in jobs:  # the same claim twice in one batch: the first one counts
            messages.setdefault(job.claim.id, job.message_id)
        marked = set(
            await session.scalars(
                update(Delivery)
                .where(
                    Delivery.id.in_(messages),
                    Delivery.state == State.CLAIMED,
                    Delivery.owner == self.owner,
                )
                .values(
                    state=State.SENT,
                    message_id=case(messages, value=Delivery.id),
                    sent_at=self._clock.now(),
                    last_error=None,
                )
                .returning(Delivery.id)
            )
        )
        results = []
        for job in jobs:
            recorded = job.claim.id in marked
            marked.discard(job.claim.id)
            if recorded and job.confirm is not None:
                await job.confirm(session)
            results.append(recorded)
        return results

    async def stop(self) -> None:
        """Write the claims and confirmations still queued; later ones raise ``WriterClosed``."""
        await self._claims.stop()
        await self._confirmations.stop()

    async def _finish(self, claim: Claim, **values: object) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == claim.id, Delivery.state == State.CLAIMED)
                .values(**values)
            )

    async def retry_later(self, claim: Claim, error: str, at: datetime) -> None:
        """Keep the claim but give up the lease until ``at``, when any owner may retry."""
        await self._finish(
            claim, next_attempt_at=at, lease_until=self._clock.now(), last_error=error[:200]
        )

    async def fail(self, claim: Claim, error: str) -> None:
        """The post's window is over without a message: give up for this period."""
        await self._finish(claim, state=State.FAILED, last_error=error[:200])

    async def skip(self, claim: Claim, reason: str) -> None:
        """Nothing to send this period (e.g. the member studied before the reminder)."""
        await self._finish(claim, state=State.SKIPPED, last_error=reason[:200])

    async def release(self, claim: Claim) -> None:
        """Forget a claim known to be unsent (403/404), so the period can be posted later."""
        async with self._db.transaction() as session:
            await session.execute(
                delete(Delivery).where(Delivery.id == claim.id, Delivery.state == State.CLAIMED)
            )

    async def settled(self, kind: str, periods: set[str]) -> set[tuple[int, str]]:
        """(subject, period) pairs of ``kind`` already sent, failed or skipped."""
        if not periods:
            return set()
        async with self._db.read() as session:
            rows = await session.execute(
                select(Delivery.subject_id, Delivery.period).where(
                    Delivery.kind == kind,
                    Delivery.period.in_(periods),
                    Delivery.state != State.CLAIMED,
                )
            )
            return {(subject, period) for subject, period in rows}

    async def overdue(self, kind: str, now: datetime) -> list[Claim]:
        """Claims of ``kind`` still unsent when their period ended (retries ran out of time)."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(Delivery).where(
                    Delivery.kind == kind,
                    Delivery.state == State.CLAIMED,
                    Delivery.deadline <= now,
                )
            )
            return [Claim.of(row, resumed=True) for row in rows]

    async def last(self, kind: str, subject_id: int) -> Outcome | None:
        """The newest delivery of ``kind`` for ``subject_id``."""
        async with self._db.read() as session:
            row = await session.scalar(
                select(Delivery)
                .where(Delivery.kind == kind, Delivery.subject_id == subject_id)
                .order_by(Delivery.period.desc())
                .limit(1)
            )
            return Outcome(row.period, State(row.state), row.last_error) if row else None

    async def forget(self, kind: str, subject_id: int) -> None:
        """Delete a subject's deliveries (a member's data deletion)."""
        async with self._db.transaction() as session:
            await session.execute(
                delete(Delivery).where(Delivery.kind == kind, Delivery.subject_id == subject_id)
            )

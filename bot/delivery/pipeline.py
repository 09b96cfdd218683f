"""The Discord side of scheduled posts: one tick finds what is due, one poster sends it.

Every feature that posts on a schedule registers a ``Feed``. Each tick asks every feed
what is due, keeps what this process's shards own, claims it in the outbox, sends it
with a nonce (so a retry or a second process never makes a second message), retries
transient failures with bounded backoff until the post's window ends, pauses the
feed's schedule on 403/404, and tells moderators.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import asyncpg
import discord
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_delay,
    wait_exponential_jitter,
)

from bot import metrics
from bot.clock import Clock
from bot.delivery.outbox import Claim, Due, Outbox
from bot.delivery.ownership import Ownership
from bot.delivery.pacing import Pacer, send_rate

if TYPE_CHECKING:
    from bot.app import MentorBot

log = logging.getLogger(__name__)

# Posts in flight: a second's worth of requests at the paced rate, so the pacer (every
# request of the bot waits for its slot), not the database round trips of claim, draft
# and confirm, sets the pace of a fan-out.
IN_FLIGHT_SECONDS = 1.0
HISTORY_LIMIT = 500
RETRY_BASE_SECONDS = 30  # a post that failed is tried again after 30 s, 1 min, 2 min, ...
NONCE_LENGTH = 25


def is_transient(error: BaseException) -> bool:
    """Failures worth retrying: the network, Discord's 5xx and 429, timeouts, the database."""
    if isinstance(error, discord.DiscordServerError):
        return True
    if isinstance(error, discord.HTTPException):
        return error.status == 429  # still limited after discord.py's own retries
    # asyncpg's own errors reach us unwrapped when a new connection is refused
    # ("the database is starting up", "not currently accepting connections").
    return isinstance(
        error,
        aiohttp.ClientError
        | asyncio.TimeoutError
        | OSError
        | OperationalError
        | DBAPIError
        | asyncpg.PostgresError,
    )


def reason_of(error: BaseException) -> str:
    """A short, log-safe description of a failure."""
    if isinstance(error, discord.HTTPException):
        return f"HTTP {error.status}: {error.text[:80]}"
    return f"{type(error).__name__}: {str(error)[:120]}"


@dataclass(frozen=True)
class Target:
    """Where to send: a channel (optionally pinging one member), or a member's DMs."""

    channel_id: int | None = None
    user_id: int | None = None
    mention_user_id: int | None = None


@dataclass
class Draft:
    """What to post. ``targets`` are tried in order when one refuses (403/404)."""

    targets: list[Target]
    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    allowed_mentions: discord.AllowedMentions = field(default_factory=discord.AllowedMentions.none)
    marker: str | None = None  # a custom_id prefix that identifies a sent copy in history


class Undeliverable(Exception):
    """Every target refused the message (missing access, unknown channel, closed DMs)."""

    def __init__(self, error: discord.HTTPException) -> None:
        super().__init__(reason_of(error))
        self.error = error


class Feed:
    """What a feature supplies to the pipeline; override what applies."""

    kind: str = ""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def due(self, now_utc: datetime) -> Iterable[Due]:
        """Every occurrence whose time has come and that may still be unsent."""
        return []

    async def draft(self, claim: Claim) -> Draft | None:
        """What to post for ``claim``; None when there is nothing to send this period."""
        return None

    async def confirm(self, session: AsyncSession, claim: Claim, message_id: int) -> None:
        """Record the sent message in the feature's own tables (same transaction)."""

    async def after_sent(self, claim: Claim) -> None:
        """Work that follows a confirmed post (editing older messages, for example)."""

    async def undeliverable(self, claim: Claim, error: Undeliverable) -> None:
        """Every target refused: settle the claim (release or fail it), pause, tell someone."""

    async def gave_up(self, claim: Claim, reason: str) -> None:
        """The window ended with transient failures only."""

    async def sweep(self, now_utc: datetime) -> None:
        """Housekeeping on each tick (closing yesterday's question, for example)."""


class DeliveryPipeline:
    """The bot-owned poster: ticks, ownership, claims, sends, retries and notices."""

    def __init__(
        self,
        bot: MentorBot,
        outbox: Outbox,
        clock: Clock,
        *,
        retry_budget: timedelta,
        nonce_window: timedelta,
        pacer: Pacer,
        global_limit: int,
    ) -> None:
        self._bot = bot
        self.outbox = outbox
        self._clock = clock
        self._retry_budget = retry_budget
        self._nonce_window = nonce_window
        self._feeds: dict[str, Feed] = {}
        self._tick_lock = asyncio.Lock()
        self._global_limit = global_limit
        self._pacer = pacer
        self._slots = asyncio.Semaphore(math.ceil(self._pacer.rate * IN_FLIGHT_SECONDS))
        self.ownership: Ownership | None = None
        self._stopping = False

    def register(self, feed: Feed) -> None:
        """Add a feed; its posts go out from the next tick on."""
        self._feeds[feed.kind] = feed

    def feed(self, kind: str) -> Feed:
        """The feed that sends deliveries of ``kind``."""
        return self._feeds[kind]

    def owns(self, guild_id: int | None) -> bool:
        """True when this process's shards serve ``guild_id`` (None: DMs, shard 0's process)."""
        ownership = self._ownership()
        return ownership is not None and ownership.owns(guild_id)

    def _ownership(self) -> Ownership | None:
        """This process's shards, known once discord.py has decided the shard count."""
        if self.ownership is None and self._bot.shard_count is not None:
            count = self._bot.shard_count
            self.ownership = Ownership(count, frozenset(self._bot.shard_ids or range(count)))
            self._pacer.rate = send_rate(self._global_limit, self.ownership)
            log.info(
                "Delivering posts for %s; requests paced at %.1f a second",
                self.ownership.label,
                self._pacer.rate,
            )
        return self.ownership

    async def stop(self, grace: float) -> None:
        """Take no new ticks, let a running one finish (``grace`` s at most), write what is queued."""
        self._stopping = True
        try:
            async with asyncio.timeout(grace), self._tick_lock:
                pass
        except TimeoutError:
            log.warning("A delivery tick was still running at shutdown; its claims will be adopted")
        await self.outbox.stop()

    # -- ticking ---------------------------------------------------------------------------

    async def tick(self) -> int:
        """Deliver everything due that this process owns; returns how many posts went out."""
        if self._ownership() is None or self._stopping:
            return 0
        async with self._tick_lock:
            now = self._clock.now()
            work: list[tuple[Feed, Due]] = []
            for feed in self._feeds.values():
                try:
                    await feed.sweep(now)
                    await self._give_up_overdue(feed, now)
                    dues = [due for due in await feed.due(now) if self.owns(due.guild_id)]
                    settled = await self.outbox.settled(
                        feed.kind, {due.occurrence.key for due in dues}
                    )
                    work.extend(
                        (feed, due)
                        for due in dues
                        if (due.subject_id, due.occurrence.key) not in settled
                    )
                except Exception as error:
                    if not is_transient(error):
                        raise
                    metrics.DATABASE_ERRORS.labels("delivery").inc()
                    log.warning(
                        "%s: database unavailable (%s); next tick retries",
                        feed.kind,
                        reason_of(error),
                    )
            results = await asyncio.gather(
                *(self.deliver(feed, due) for feed, due in work), return_exceptions=True
            )
            for (feed, due), result in zip(work, results, strict=True):
                if isinstance(result, BaseException):
                    # One broken post must not hold up the others; its claim is adopted
                    # again once its lease expires.
                    log.error(
                        "%s for %s failed unexpectedly", feed.kind, due.subject_id, exc_info=result
                    )
            return sum(1 for r in results if isinstance(r, int))

    async def deliver(self, feed: Feed, due: Due) -> int | None:
        """Claim, send and confirm one due post; returns its message id if this call sent it."""
        async with self._slots:
            try:
                return await self._deliver(feed, due)
            except Exception as error:
                if not is_transient(error):
                    raise
                metrics.DATABASE_ERRORS.labels("delivery").inc()
                log.warning(
                    "%s for %s: database unavailable (%s); next tick retries",
                    feed.kind,
                    due.subject_id,
                    reason_of(error),
                )
                return None

    async def _deliver(self, feed: Feed, due: Due) -> int | None:
        claim = await self.outbox.claim(due)
        if claim is None:
            return None
        draft = await feed.draft(claim)
        if draft is None:
            await self.outbox.skip(claim, "nothing to send")
            metrics.DELIVERIES.labels(feed.kind, "skipped").inc()
            return None
        if claim.resumed and self._clock.now() - claim.claimed_at >= self._nonce_window:
            found = await self._find_sent(claim, draft)
            if found is not None:
                log.info(
                    "%s for %s was already sent before a restart (message %s); recorded it",
                    feed.kind,
                    claim.subject_id,
                    found,
                )
                await self._confirm(feed, claim, found)
                return None
        try:
            message_id = await self._send_with_retries(claim, draft)
        except Undeliverable as refused:
            log.warning("%s %s: %s; pausing", feed.kind, claim.subject_id, refused)
            metrics.DELIVERIES.labels(feed.kind, "paused").inc()
            await feed.undeliverable(claim, refused)
            return None
        except Exception as error:
            if not is_transient(error):
                raise
            await self._postpone(feed, claim, reason_of(error))
            return None
        await self._confirm(feed, claim, message_id)
        log.info(
            "Sent %s for %s (period %s, attempt %d)",
            feed.kind,
            claim.subject_id,
            claim.period,
            claim.attempts,
        )
        return message_id

    async def _give_up_overdue(self, feed: Feed, now: datetime) -> None:
        """Mark failed the claims whose period ended before a retry got through."""
        for claim in await self.outbox.overdue(feed.kind, now):
            if self.owns(claim.guild_id):
                await self._postpone(feed, claim, "its time ran out while retrying")

    async def _postpone(self, feed: Feed, claim: Claim, reason: str) -> None:
        now = self._clock.now()
        if now >= claim.deadline:
            log.error("%s for %s failed for good: %s", feed.kind, claim.subject_id, reason)
            metrics.DELIVERIES.labels(feed.kind, "failed").inc()
            await self.outbox.fail(claim, reason)
            await feed.gave_up(claim, reason)
            return
        wait = min(
            timedelta(seconds=RETRY_BASE_SECONDS * 2 ** min(claim.attempts - 1, 6)),
            claim.deadline - now,
        )
        log.warning(
            "%s for %s failed (%s); retrying at %s", feed.kind, claim.subject_id, reason, now + wait
        )
        metrics.DELIVERIES.labels(feed.kind, "retry").inc()
        await self.outbox.retry_later(claim, reason, now + wait)

    async def _confirm(self, feed: Feed, claim: Claim, message_id: int) -> None:
        async def confirm(session: AsyncSession) -> None:
            await feed.confirm(session, claim, message_id)

        async for attempt in self._retrying(self._retry_budget):
            with attempt:
                recorded = await self.outbox.sent(claim, message_id, confirm)
        if recorded:
            metrics.DELIVERIES.labels(feed.kind, "sent").inc()
            await feed.after_sent(claim)

    def _retrying(self, budget: timedelta) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=wait_exponential_jitter(multiplier=0.5, max=15),
            stop=stop_after_delay(max(budget.total_seconds(), 0.0)),
            before_sleep=_log_retry,
            reraise=True,
        )

    # -- sending -----------------------------------------------------------------------------

    async def _send_with_retries(self, claim: Claim, draft: Draft) -> int:
        budget = min(self._retry_budget, claim.deadline - self._clock.now())
        async for attempt in self._retrying(budget):
            with attempt:
                return await self._send_once(claim, draft)
        raise AssertionError("AsyncRetrying either returns or raises")

    async def _send_once(self, claim: Claim, draft: Draft) -> int:
        refused: discord.HTTPException | None = None
        for index, target in enumerate(draft.targets):
            content, mentions = draft.content, draft.allowed_mentions
            if target.mention_user_id is not None:
                content = f"<@{target.mention_user_id}> {content or ''}"
                mentions = discord.AllowedMentions(users=[discord.Object(target.mention_user_id)])
            extras: dict[str, Any] = {}
            if draft.embed is not None:
                extras["embed"] = draft.embed
            if draft.view is not None:
                extras["view"] = draft.view
            try:
                channel = await self._channel(target)
                message = await channel.send(
                    content=content,
                    allowed_mentions=mentions,
                    nonce=f"{claim.nonce}t{index}"[:NONCE_LENGTH],
                    **extras,
                )
            except (discord.Forbidden, discord.NotFound) as error:
                refused = error
                continue
            return message.id
        assert refused is not None, "a draft has at least one target"
        raise Undeliverable(refused)

    async def _channel(self, target: Target) -> discord.abc.Messageable:
        if target.channel_id is not None:
            return self._bot.get_partial_messageable(target.channel_id)
        assert target.user_id is not None
        user = self._bot.get_user(target.user_id) or await self._bot.fetch_user(target.user_id)
        return await user.create_dm()

    async def _find_sent(self, claim: Claim, draft: Draft) -> int | None:
        """After the nonce window: look for the claimed post in the history since its claim."""
        me = self._bot.user
        after = discord.Object(
            discord.utils.time_snowflake(claim.claimed_at - timedelta(minutes=1))
        )
        for target in draft.targets:
            try:
                channel = await self._channel(target)
                async for message in channel.history(
                    limit=HISTORY_LIMIT, after=after, oldest_first=True
                ):
                    if me is not None and message.author.id != me.id:
                        continue
                    if str(message.nonce or "").startswith(claim.nonce) or _has_marker(
                        message, draft.marker
                    ):
                        return message.id
            except discord.HTTPException as error:
                log.warning("Could not read the history of %s: %s", target, error)
        return None

    # -- notices -----------------------------------------------------------------------------

    async def tell_moderators(self, guild_id: int, moderator_id: int | None, text: str) -> bool:
        """DM the moderator who set the schedule, else post in the server's system channel."""
        if moderator_id is not None:
            try:
                user = self._bot.get_user(moderator_id) or await self._bot.fetch_user(moderator_id)
                await user.send(text)
                return True
            except discord.HTTPException:
                pass
        guild = self._bot.get_guild(guild_id)
        channel = guild.system_channel if guild else None
        if channel is not None:
            try:
                await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
                return True
            except discord.HTTPException:
                pass
        return False


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.warning(
        "Transient failure (%s); retrying in %.1f s", reason_of(error) if error else "?", wait
    )


def _has_marker(message: discord.Message, marker: str | None) -> bool:
    if not marker:
        return False
    return any(
        (getattr(child, "custom_id", None) or "").startswith(marker)
        for row in message.components
        for child in getattr(row, "children", [])
    )

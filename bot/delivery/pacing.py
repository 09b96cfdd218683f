"""Spacing the bot's requests under Discord's global rate limit.

Discord allows a bot token 50 requests a second across every route (interaction
replies aside); a 429 past it costs a round trip and a pause, and discord.py gives up
on a request after five. The pacer hands out slots at a steady rate just under this
process's share of the limit, and every REST request discord.py makes waits for one
(an aiohttp trace hook, awaited before the request goes out), so a fan-out to a
thousand channels runs at the limit instead of into it, and the edits, DMs and
notices around it take their turn.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace

import aiohttp
from yarl import URL

from bot.delivery.ownership import Ownership

# One request a second below the limit: a request that reaches Discord a little late
# (the event loop was busy) lands in the next second's window beside that window's own
# requests, and the bot's other requests (replies to moderators, edits) need some room.
HEADROOM = 1


def send_rate(global_limit: int, ownership: Ownership | None) -> float:
    """This process's requests per second: its shards' share of the limit less headroom."""
    share = 1.0 if ownership is None else len(ownership.shard_ids) / ownership.shard_count
    return (global_limit - HEADROOM) * share


class Pacer:
    """Lets callers through at most ``rate`` times a second, in the order they asked.

    A slot is reserved when asked for, so concurrent callers queue without a lock.
    Real time (monotonic), not the bot's clock: this paces requests, not schedules.
    """

    def __init__(
        self,
        rate: float,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self._now = now
        self._sleep = sleep
        self._next = 0.0

    @property
    def rate(self) -> float:
        """Slots per second (settable: a process learns its share once its shards are known)."""
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("a pacer needs a positive rate")
        self._rate = rate
        self._interval = 1.0 / rate

    async def wait(self) -> None:
        """Return when the caller's slot has come."""
        now = self._now()
        slot = max(self._next, now)
        self._next = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)


def exempt(url: URL) -> bool:
    """Requests outside the global limit: interaction replies and follow-ups (by token)."""
    return "/interactions/" in url.path or "/webhooks/" in url.path


def paced_requests(pacer: Pacer) -> aiohttp.TraceConfig:
    """A trace config (discord.py's ``http_trace``) that makes each request wait its slot."""

    async def on_request_start(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        if not exempt(params.url):
            await pacer.wait()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace

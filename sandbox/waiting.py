"""Event-driven waiting: a change signal and timeouts that say what was awaited."""

# Waits take a ``timeout`` so a miss raises SandboxTimeout naming what was awaited.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sandbox.errors import SandboxTimeout

T = TypeVar("T")


class ChangeSignal:
    """Wakes every waiter whenever something changed; waiters re-check their condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Announce a change (safe to call from synchronous code)."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Return the first truthy ``predicate()``; raise SandboxTimeout naming ``what``."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    result = predicate()
                    if result:
                        return result
                    await self._event.wait()
        except TimeoutError:
            raise SandboxTimeout(f"timed out after {timeout:g}s waiting for {what}") from None


async def within(future: asyncio.Future[T], timeout: float, what: str) -> T:
    """Await a shared future for at most ``timeout`` seconds (without cancelling it)."""
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.shield(future)
    except TimeoutError:
        raise SandboxTimeout(f"timed out after {timeout:g}s waiting for {what}") from None

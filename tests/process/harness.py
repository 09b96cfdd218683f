"""The bot as its own ``python -m bot run`` process against the sandbox, for kill tests.

The process machinery is ``sandbox.processes`` (shared with the benchmarks); this adds
the suite's PostgreSQL server and the daily schedule the tests start from.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.services.daily_quiz import DailyQuizService
from sandbox import processes
from sandbox.harness import shipped_content
from sandbox.processes import BotProcess, bot_env, bot_processes, until_logged
from tests.conftest import POSTGRES_URL

__all__ = [
    "BotProcess",
    "bot_env",
    "bot_processes",
    "process_database",
    "schedule_daily",
    "until_logged",
]


@asynccontextmanager
async def process_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database the bot processes share, on the suite's PostgreSQL server."""
    async with processes.process_database(backend, tmp_path, POSTGRES_URL) as url:
        yield url


async def schedule_daily(database_url: str, guilds: list[tuple[int, int]]) -> None:
    """Daily questions at 00:00 UTC in each (guild, channel), set yesterday: due right now."""
    db = Database(database_url)
    try:
        service = DailyQuizService(
            db, FrozenClock(datetime.now(UTC) - timedelta(days=1)), shipped_content()
        )
        for guild_id, channel_id in guilds:
            await service.set_schedule(
                guild_id=guild_id,
                channel_id=channel_id,
                time_text="00:00",
                timezone_text="UTC",
                days="daily",
                close_text=None,
                moderator_id=1,
            )
    finally:
        await db.close()

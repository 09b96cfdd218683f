"""Exactly-once delivery with the bot as real processes: two shards, kills, resets, outages.

Each test runs ``python -m bot run`` (one or two processes) against the sandbox and a
database of its own, kills or faults it, and checks what reached Discord and what the
database says: one message per guild and day, never two, never none.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import DailyPost, Delivery, QuizAnswer
from bot.sandbox import Guild, Message, Sandbox
from bot.services.reminders import ReminderService
from tests.e2e.harness import populate, started_sandbox
from tests.process.harness import (
    BotProcess,
    bot_env,
    bot_processes,
    process_database,
    schedule_daily,
)


def daily_posts(sandbox: Sandbox, guild: Guild) -> list[Message]:
    return [
        m
        for m in sandbox.channel_messages(guild.general)
        if m.embeds and m.embeds[0].get("title", "").startswith("Daily question")
    ]


async def until(sandbox: Sandbox, predicate: object, what: str, timeout: float = 60) -> None:
    await sandbox.state.changed.wait_for(predicate, timeout, what)  # type: ignore[arg-type]


async def until_logged(bot: BotProcess, text: str, times: int = 1, timeout: float = 60) -> None:
    """Until ``text`` appears ``times`` times in the process's log (it is polled: no event)."""
    async with asyncio.timeout(timeout):
        while bot.logs().count(text) < times:
            assert bot.running, f"{bot.name} exited:\n{bot.logs()[-3000:]}"
            await asyncio.sleep(0.1)


async def db_count(url: str, model: type, *where: object) -> int:
    db = Database(url)
    try:
        async with db.read() as session:
            return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    finally:
        await db.close()


def no_tracebacks(*bots: BotProcess) -> None:
    for bot in bots:
        assert "Traceback" not in bot.logs(), bot.logs()[-4000:]


async def test_two_shard_processes_post_each_question_once_across_a_restart(
    backend: str, tmp_path: Path
) -> None:
    async with (
        started_sandbox(shard_count=2) as sandbox,
        process_database(backend, tmp_path) as url,
    ):
        guilds = [sandbox.add_guild(f"Group {i}", shard=i % 2) for i in range(24)]
        shards = [
            BotProcess(
                bot_env(sandbox, url, tmp_path, SHARD_COUNT="2", SHARD_IDS=str(i)),
                tmp_path,
                f"shard{i}",
            )
            for i in (0, 1)
        ]
        async with bot_processes(*shards):  # both start at once, on an empty database
            await sandbox.wait_until_ready(timeout=120)
            for bot in shards:
                await until_logged(bot, "Caught up after start")
            await schedule_daily(url, [(g.id, g.general.id) for g in guilds])
            await until(
                sandbox,
                lambda: all(daily_posts(sandbox, g) for g in guilds),
                "a daily question in every guild",
            )
            # Restart one process before the next posting minute: kill -9, start again.
            identifies = sandbox.stats.identifies
            assert await shards[0].stop(signal.SIGKILL) == -signal.SIGKILL
            await shards[0].start()
            await until(
                sandbox,
                lambda: sandbox.stats.identifies > identifies
                and sandbox.gateway.is_ready(range(2)),
                "shard 0 back",
                timeout=120,
            )
            await until_logged(shards[0], "Caught up after start", times=2)
            assert shards[1].running
            assert await shards[1].stop() == 0
            assert await shards[0].stop() == 0
        no_tracebacks(*shards)
        assert [len(daily_posts(sandbox, g)) for g in guilds] == [1] * len(guilds)
        assert await db_count(url, Delivery, Delivery.state == "sent") == len(guilds)
        assert await db_count(url, DailyPost, DailyPost.message_id.is_not(None)) == len(guilds)

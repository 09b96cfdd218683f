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
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import DailyPost, Delivery, QuizAnswer
from bot.services.reminders import ReminderService
from sandbox import Guild, Message, Sandbox
from tests.e2e.harness import populate, started_sandbox
from tests.process.harness import (
    BotProcess,
    bot_env,
    bot_processes,
    process_database,
    schedule_daily,
    until_logged,
)


def daily_posts(sandbox: Sandbox, guild: Guild) -> list[Message]:
    return [
        m
        for m in sandbox.channel_messages(guild.general)
        if m.embeds and m.embeds[0].get("title", "").startswith("Daily question")
    ]


async def until(sandbox: Sandbox, predicate: object, what: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    await sandbox.state.changed.wait_for(predicate, timeout, what)  # type: ignore[arg-type]


async def db_count(url: str, model: type, *where: object) -> int:
    db = Database(url)
    try:
        async with db.read() as session:
            return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    finally:
        await db.close()


async def until_all_sent(url: str, expected: int, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Until ``expected`` deliveries are recorded as sent (the database is polled)."""
    async with asyncio.timeout(timeout):
        # Another process writes it: there is no event to wait on.
        while await db_count(url, Delivery, Delivery.state == "sent") < expected:  # noqa: ASYNC110
            await asyncio.sleep(0.5)


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
                lambda: (
                    sandbox.stats.identifies > identifies and sandbox.gateway.is_ready(range(2))
                ),
                "shard 0 back",
                timeout=120,
            )
            await until_logged(shards[0], "Caught up after start", times=2)
            # A post the kill caught between send and confirm is adopted once its lease
            # expires, and recorded without a second message.
            await until_all_sent(url, len(guilds))
            assert shards[1].running
            assert await shards[1].stop() == 0
            assert await shards[0].stop() == 0
        no_tracebacks(*shards)
        assert [len(daily_posts(sandbox, g)) for g in guilds] == [1] * len(guilds)
        assert await db_count(url, Delivery, Delivery.state == "sent") == len(guilds)
        assert await db_count(url, DailyPost, DailyPost.message_id.is_not(None)) == len(guilds)


async def single_bot(
    sandbox: Sandbox, url: str, tmp_path: Path, name: str = "bot", **env: str
) -> BotProcess:
    return BotProcess(bot_env(sandbox, url, tmp_path, **env), tmp_path, name)


async def started(sandbox: Sandbox, bot: BotProcess, times: int = 1) -> None:
    """Until the process is connected and has made its catch-up pass."""
    await until_logged(bot, "Caught up after start", times=times)


async def test_crash_between_claim_and_send_posts_once(backend: str, tmp_path: Path) -> None:
    async with started_sandbox() as sandbox, process_database(backend, tmp_path) as url:
        world = populate(sandbox)
        bot = await single_bot(sandbox, url, tmp_path)
        async with bot_processes(bot):
            await started(sandbox, bot)
            lost = sandbox.inject_fault(
                "POST", f"/channels/{world.guild.general.id}/messages", "hang"
            )
            await schedule_daily(url, [(world.guild.id, world.guild.general.id)])
            await sandbox.wait_for_fault(lost, timeout=60)  # claimed, the send is in the air
            await bot.stop(signal.SIGKILL)
            assert await db_count(url, Delivery, Delivery.state == "claimed") == 1
            assert daily_posts(sandbox, world.guild) == []
            await bot.start()  # adopts the claim once its lease has expired
            await until(sandbox, lambda: daily_posts(sandbox, world.guild), "the daily question")
            await started(sandbox, bot, times=2)
            assert await bot.stop() == 0
        no_tracebacks(bot)
        assert len(daily_posts(sandbox, world.guild)) == 1
        assert await db_count(url, Delivery, Delivery.state == "sent") == 1


async def test_crash_between_send_and_confirm_finds_the_post_behind_newer_messages(
    backend: str, tmp_path: Path
) -> None:
    async with started_sandbox() as sandbox, process_database(backend, tmp_path) as url:
        world = populate(sandbox)
        sandbox.nonce_window = 0  # too late for the nonce: only the history can tell
        bot = await single_bot(sandbox, url, tmp_path, DELIVERY_NONCE_WINDOW_SECONDS="0")
        async with bot_processes(bot):
            await started(sandbox, bot)
            unanswered = sandbox.inject_fault(
                "POST", f"/channels/{world.guild.general.id}/messages", "hang-after"
            )
            await schedule_daily(url, [(world.guild.id, world.guild.general.id)])
            await sandbox.wait_for_fault(unanswered, timeout=60)  # sent, never confirmed
            await bot.stop(signal.SIGKILL)
            assert len(daily_posts(sandbox, world.guild)) == 1
            for n in range(60):
                sandbox.post_as(world.alice, world.guild.general, f"chatting away {n}")
            await bot.start()
            await until_logged(bot, "was already sent before a restart")
            assert await bot.stop() == 0
        no_tracebacks(bot)
        posts = daily_posts(sandbox, world.guild)
        assert len(posts) == 1
        db = Database(url)
        try:
            async with db.read() as session:
                delivery = await session.scalar(select(Delivery))
                post = await session.scalar(select(DailyPost))
        finally:
            await db.close()
        assert delivery is not None and delivery.state == "sent"
        assert post is not None and post.message_id == posts[0].id == delivery.message_id


class Outage:
    """The database refuses the bot for a while: a held lock (SQLite) or closed doors (PostgreSQL)."""

    def __init__(self, backend: str, url: str) -> None:
        self.backend, self.url = backend, url
        self._sqlite: sqlite3.Connection | None = None
        self._pg: asyncpg.Connection | None = None

    async def begin(self) -> None:
        if self.backend == "sqlite":
            self._sqlite = sqlite3.connect(self.url.split("///", 1)[1], isolation_level=None)
            self._sqlite.execute("BEGIN EXCLUSIVE")  # every write waits, then fails
            return
        name = self.url.rsplit("/", 1)[1]
        self._pg = await asyncpg.connect(
            self.url.replace("+asyncpg", "").rsplit("/", 1)[0] + "/test"
        )
        await self._pg.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await self._pg.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )

    async def end(self) -> None:
        if self._sqlite is not None:
            self._sqlite.rollback()
            self._sqlite.close()
        if self._pg is not None:
            name = self.url.rsplit("/", 1)[1]
            await self._pg.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await self._pg.close()


async def test_a_database_outage_at_posting_time_delays_the_post_and_health_says_why(
    backend: str, tmp_path: Path
) -> None:
    async with started_sandbox() as sandbox, process_database(backend, tmp_path) as url:
        world = populate(sandbox)
        # Each write waits out the busy timeout before it fails: keep it short.
        bot = await single_bot(sandbox, url, tmp_path, SQLITE_BUSY_TIMEOUT_SECONDS="2")
        connecting = sandbox.inject_fault("GET", "/gateway/bot", "hold")
        async with bot_processes(bot):
            await sandbox.wait_for_fault(connecting, timeout=60)  # migrated; not yet connected
            await schedule_daily(url, [(world.guild.id, world.guild.general.id)])
            outage = Outage(backend, url)
            await outage.begin()
            try:
                connecting.released.set()  # READY, and the question is due: the database is not
                await until_logged(bot, "database unavailable", timeout=60)
                await until_health(bot, "the database refuses writes")
                # A later tick retries against the outage and still posts nothing.
                await until_logged(bot, "database unavailable", times=2)
                assert daily_posts(sandbox, world.guild) == []
            finally:
                await outage.end()
            await until(sandbox, lambda: daily_posts(sandbox, world.guild), "the daily question")
            await until_health(bot, "healthy: gateway connected")
            assert await bot.stop() == 0
        assert len(daily_posts(sandbox, world.guild)) == 1
        assert await db_count(url, Delivery, Delivery.state == "sent") == 1


async def until_health(bot: BotProcess, expected: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Until ``python -m bot health`` says ``expected`` (a separate probe: polled)."""
    async with asyncio.timeout(timeout):
        while True:
            code, out = await bot.health()
            if expected in out:
                assert (code == 0) == out.startswith("healthy"), out
                return
            await asyncio.sleep(0.5)


async def test_connection_resets_on_a_post_and_on_a_reminder_dm_are_retried_once(
    backend: str, tmp_path: Path
) -> None:
    async with started_sandbox() as sandbox, process_database(backend, tmp_path) as url:
        world = populate(sandbox)
        bot = await single_bot(sandbox, url, tmp_path)
        async with bot_processes(bot):
            await started(sandbox, bot)
            dm = sandbox.state.dm_channel(world.alice)
            for channel_id in (world.guild.general.id, dm.id):
                sandbox.inject_fault("POST", f"/channels/{channel_id}/messages", "reset-after")
            await schedule_reminder(url, world.alice.id, world.guild.id, world.guild.general.id)
            await schedule_daily(url, [(world.guild.id, world.guild.general.id)])
            await until(
                sandbox,
                lambda: daily_posts(sandbox, world.guild) and sandbox.dm_messages(world.alice),
                "the post and the reminder",
            )
            await until_logged(bot, "attempt 1)", times=2)  # both recorded as sent
            assert await bot.stop() == 0
        no_tracebacks(bot)
        assert len(daily_posts(sandbox, world.guild)) == 1
        assert len(sandbox.dm_messages(world.alice)) == 1
        assert bot.logs().count("ServerDisconnectedError") >= 2  # both resets really happened
        assert await db_count(url, Delivery, Delivery.state == "sent") == 2


async def schedule_reminder(url: str, user_id: int, guild_id: int, channel_id: int) -> None:
    """A DM reminder at 00:00 UTC, set yesterday: due now."""
    db = Database(url)
    try:
        service = ReminderService(db, FrozenClock(datetime.now(UTC) - timedelta(days=1)))
        await service.set(
            user_id=user_id,
            time_text="00:00",
            target="dm",
            guild_id=guild_id,
            channel_id=channel_id,
        )
    finally:
        await db.close()


async def test_sigterm_during_a_burst_of_answers_loses_no_reply(
    backend: str, tmp_path: Path
) -> None:
    async with started_sandbox() as sandbox, process_database(backend, tmp_path) as url:
        world = populate(sandbox)
        members = [sandbox.add_user(f"member{i}") for i in range(25)]
        for member in members:
            sandbox.add_member(world.guild, member)
        bot = await single_bot(sandbox, url, tmp_path)
        async with bot_processes(bot):
            await started(sandbox, bot)
            await schedule_daily(url, [(world.guild.id, world.guild.general.id)])
            await until(sandbox, lambda: daily_posts(sandbox, world.guild), "the daily question")
            post = daily_posts(sandbox, world.guild)[0]
            dispatched = sandbox.stats.interactions
            clicks = [
                asyncio.create_task(sandbox.click(post, "A", user=member)) for member in members
            ]
            await until(
                sandbox,
                lambda: sandbox.stats.interactions >= dispatched + len(members),
                "every click dispatched",
            )
            bot.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            results = await asyncio.gather(*clicks, return_exceptions=True)
            assert await asyncio.wait_for(bot.process.wait(), 30) == 0  # type: ignore[union-attr]
        replies = [r for r in results if isinstance(r, Message)]
        assert replies, results
        assert all(
            r.embeds and r.embeds[0]["title"] in ("✅ Right!", "❌ Not quite") for r in replies
        )
        # Every answer that was stored was answered; nothing half-done.
        assert await db_count(url, QuizAnswer) == len(replies)
        assert "Session is closed" not in bot.logs()
        no_tracebacks(bot)


async def test_health_turns_unhealthy_when_the_gateway_is_gone(
    backend: str, tmp_path: Path
) -> None:
    async with started_sandbox() as sandbox, process_database(backend, tmp_path) as url:
        populate(sandbox)
        bot = await single_bot(sandbox, url, tmp_path)
        async with bot_processes(bot):
            await started(sandbox, bot)
            await until_health(bot, "healthy: gateway connected")
            await sandbox.close()  # Discord is gone
            await until_health(bot, "the Discord gateway is disconnected")

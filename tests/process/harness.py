"""The bot as its own ``python -m bot run`` process against the sandbox, for kill tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bot.clock import FrozenClock
from bot.config import PROJECT_ROOT
from bot.db.engine import Database
from bot.services.daily_quiz import DailyQuizService
from sandbox import Sandbox
from sandbox.harness import shipped_content
from tests.conftest import POSTGRES_URL

PYTHON = sys.executable


def bot_env(sandbox: Sandbox, database_url: str, workdir: Path, **values: str) -> dict[str, str]:
    """The environment of a bot process: this sandbox, this database, fast ticks and leases."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "SHARD_"))
    }
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DISCORD_TOKEN=sandbox.token,
        DISCORD_API_BASE=sandbox.api_base,
        DISCORD_GATEWAY_URL=sandbox.gateway_url,
        DATABASE_URL=database_url,
        DELIVERY_TICK_SECONDS="0.5",
        DELIVERY_LEASE_SECONDS="3",
        DELIVERY_RETRY_SECONDS="20",
        HEALTH_INTERVAL_SECONDS="1",
        HEALTH_FILE=str(workdir / f"heartbeat-{uuid.uuid4().hex[:6]}"),
        LOG_LEVEL="INFO",
    )
    env.update(values)
    return env


@dataclass
class BotProcess:
    """One ``python -m bot run``; its output goes to a log file the test can read."""

    env: dict[str, str]
    workdir: Path
    name: str = "bot"
    process: asyncio.subprocess.Process | None = None
    logs_seen: list[str] = field(default_factory=list)

    @property
    def log_file(self) -> Path:
        return self.workdir / f"{self.name}.log"

    async def start(self) -> BotProcess:
        sink = self.log_file.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bot", "run", env=self.env, cwd=self.workdir, stdout=sink, stderr=sink
        )
        sink.close()
        return self

    def logs(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> int:  # noqa: ASYNC109
        """Send ``sig`` and wait for the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def health(self) -> tuple[int, str]:
        """Run ``python -m bot health`` with this process's settings."""
        probe = await asyncio.create_subprocess_exec(
            PYTHON,
            "-m",
            "bot",
            "health",
            env=self.env,
            cwd=self.workdir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(probe.communicate(), 60)
        return probe.returncode or 0, out.decode()


@asynccontextmanager
async def bot_processes(*bots: BotProcess) -> AsyncIterator[tuple[BotProcess, ...]]:
    """Start the processes at the same moment; kill whatever still runs at the end."""
    await asyncio.gather(*(bot.start() for bot in bots))
    try:
        yield bots
    finally:
        for bot in bots:
            if bot.running:
                bot.process.kill()  # type: ignore[union-attr]
                await bot.process.wait()  # type: ignore[union-attr]


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@asynccontextmanager
async def process_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database the bot processes share: a SQLite file or a new PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    name = f"p_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_plain(POSTGRES_URL), timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = await asyncpg.connect(_plain(POSTGRES_URL), timeout=10)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


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

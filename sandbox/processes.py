"""Bots as processes of their own against an in-process sandbox: kill tests and benchmarks.

``BotProcess`` runs ``python -m bot run`` (or any module, e.g. the benchmarks' bare bot)
with ``bot_env``'s settings; its output goes to a log file. ``process_database`` gives the
processes an empty database to share::

    async with started_sandbox() as sandbox, process_database("sqlite", tmp) as url:
        bot = BotProcess(bot_env(sandbox, url, tmp), tmp)
        async with bot_processes(bot):
            await until_logged(bot, "Caught up after start")
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bot.config import PROJECT_ROOT
from sandbox.sandbox import Sandbox

PYTHON = sys.executable
BOT_COMMAND = ("-m", "bot", "run")


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
    """One bot process (``python -m bot run`` unless told); its output goes to a log file."""

    env: dict[str, str]
    workdir: Path
    name: str = "bot"
    command: tuple[str, ...] = BOT_COMMAND
    process: asyncio.subprocess.Process | None = None

    @property
    def log_file(self) -> Path:
        """Where the process's stdout and stderr go."""
        return self.workdir / f"{self.name}.log"

    async def start(self) -> BotProcess:
        """Start the process (its output appended to ``log_file``)."""
        sink = self.log_file.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            PYTHON, *self.command, env=self.env, cwd=self.workdir, stdout=sink, stderr=sink
        )
        sink.close()
        return self

    def logs(self) -> str:
        """Everything the process has written so far."""
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    @property
    def running(self) -> bool:
        """Whether the process has started and not exited."""
        return self.process is not None and self.process.returncode is None

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (Linux ``/proc``)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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
            if bot.process is not None and bot.process.returncode is None:
                bot.process.kill()
                await bot.process.wait()


async def until_logged(bot: BotProcess, text: str, times: int = 1, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Until ``text`` appears ``times`` times in the process's log (it is polled: no event)."""
    async with asyncio.timeout(timeout):
        while bot.logs().count(text) < times:
            assert bot.running, f"{bot.name} exited:\n{bot.logs()[-3000:]}"
            await asyncio.sleep(0.1)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@asynccontextmanager
async def process_database(backend: str, folder: Path, postgres_url: str) -> AsyncIterator[str]:
    """An empty database for bot processes to share, as a URL; dropped afterwards.

    A SQLite file in ``folder``, or a new PostgreSQL database on the server of ``postgres_url``.
    """
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'bot.db'}"
        return
    name = f"p_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_plain(postgres_url), timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = await asyncpg.connect(_plain(postgres_url), timeout=10)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

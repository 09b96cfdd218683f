"""``python -m bot`` as a real process: settings errors, a live run against the sandbox, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from sandbox import Sandbox
from tests.e2e.harness import World

PYTHON = sys.executable


def _env(**values: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "SHARD_"))
    }
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env.update(values)
    return env


async def _cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        PYTHON,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "x", "DATABASE_URL": "mysql://nope"}, "DATABASE_URL uses the driver"),
        (
            {"DISCORD_TOKEN": "x", "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/x"},
            "Cannot open the database",
        ),
        ({"DISCORD_TOKEN": "x", "SHARD_COUNT": "two"}, "SHARD_COUNT"),
        ({"DISCORD_TOKEN": "x", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
    ],
)
async def test_bad_settings_exit_with_one_clear_line(
    tmp_path: Path, values: dict[str, str], expected: str
) -> None:
    code, out, err = await _cli("run", env=_env(**values), cwd=tmp_path)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert "Traceback" not in out + err


async def test_run_against_the_sandbox_then_sigterm(
    sandbox: Sandbox, world: World, tmp_path: Path
) -> None:
    env = _env(
        DISCORD_TOKEN=sandbox.token,
        DISCORD_API_BASE=sandbox.api_base,
        DISCORD_GATEWAY_URL=sandbox.gateway_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
        LOG_LEVEL="DEBUG",
    )
    log_file = tmp_path / "bot.log"
    with log_file.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=sink, stderr=sink
        )
        try:
            await sandbox.wait_until_ready(timeout=60)
            await sandbox.wait_for_commands(timeout=60)
            reply = await sandbox.run_command("help", user=world.alice, guild=world.guild)
            assert reply.embeds[0]["title"] == "Backend Mentor — commands"
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    logs = log_file.read_text()
    assert process.returncode == 0, logs[-2000:]
    assert "Shutting down" in logs
    assert sandbox.token not in logs
    with sqlite3.connect(tmp_path / "live.db") as conn:  # migrated, and closed cleanly
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None


async def test_db_backup_copies_a_live_database(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    env = _env(DATABASE_URL=f"sqlite+aiosqlite:///{source}")
    code, out, _ = await _cli("db", "upgrade", env=env, cwd=tmp_path)
    assert code == 0 and "Database at revision" in out
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("INSERT INTO bot_state (key, value) VALUES ('k', 'v')")
    writer.commit()
    writer.execute("BEGIN IMMEDIATE")  # a writer holds the lock while the backup runs
    writer.execute("INSERT INTO bot_state (key, value) VALUES ('uncommitted', 'x')")
    code, out, err = await _cli("db", "backup", str(tmp_path / "copy.db"), env=env, cwd=tmp_path)
    writer.rollback()
    writer.close()
    assert code == 0, err
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT key FROM bot_state").fetchall() == [("k",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)

"""The console with the real bot: one server and user across sessions, readable markup."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.db.engine import Database
from sandbox import Sandbox
from sandbox.console import Console, Markup, stdin_lines
from sandbox.console_app import build_world
from tests.e2e.harness import running_mentor, started_sandbox


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def session(db: Database, clock: FrozenClock, world_file: Path, *lines: str) -> str:
    """One console session: a fresh sandbox, the same database and world file."""
    async with started_sandbox() as sandbox:
        guild, you = build_world(sandbox, world_file)
        async with running_mentor(sandbox, db, clock):
            out = io.StringIO()
            assert guild.general is not None
            await Console(sandbox, guild, guild.general, you, out).run(_lines(*lines))
            return out.getvalue()


async def test_the_console_keeps_its_server_and_user(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    world_file = tmp_path / "sandbox-world.json"
    first = await session(db, clock, world_file, "/study log minutes: 30")
    assert "Today: 30m" in first
    second = await session(db, clock, world_file, "/study log minutes: 20", "/streak")
    assert "Today: 50m" in second and "you — 1-day streak" in second


async def test_the_console_prints_markup_as_a_client_would(
    db: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    out = await session(
        db,
        clock,
        tmp_path / "world.json",
        "/mod quiz-schedule channel: general time: '09:00' timezone: UTC",
        "/remind set time: '21:00' where: here",
        "/remind show",
    )
    assert "<t:" not in out and "<#" not in out and "<@" not in out
    assert "#general" in out


def test_markup_names_channels_people_and_times() -> None:
    sandbox = Sandbox()
    guild = sandbox.add_guild("g")
    ada = sandbox.add_user("ada")
    assert guild.general is not None
    markup = Markup(sandbox, now=datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    stamp = int(datetime(2026, 3, 10, 10, 0, tzinfo=UTC).timestamp())
    text = markup(f"<#{guild.general.id}> <@{ada.id}> <@!{ada.id}> <t:{stamp}:R> <@1>")
    assert text == "#general @ada @ada in 2 hours @unknown-user"
    assert "2026" in markup(f"<t:{stamp}:F>")


def test_ctrl_c_leaves_while_a_line_is_awaited(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelling the console (what Ctrl-C does) ends it at once, though nobody pressed Enter.

    ``asyncio.run`` waits for its default executor on the way out; the old reader sat
    there in ``input()`` until Enter. The reader is now a daemon thread of its own.
    """
    read_end, write_end = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_end))

    async def main() -> None:
        lines = stdin_lines()
        task = asyncio.create_task(anext(lines))
        await asyncio.sleep(0.2)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 3
    os.close(write_end)

"""Every statement of an answer batch reads through an index, never a whole table.

A scan costs nothing on a test's tiny tables and grows with the server: the streak board's
upsert read all of ``members`` for each answering member until ``members`` had an index
on ``user_id`` (migration 0019). SQLite's ``EXPLAIN QUERY PLAN`` names each table a
statement scans; PostgreSQL's planner rightly scans tables this small, so only SQLite is
asked.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.clock import FrozenClock
from bot.content.catalogue import Content
from bot.db import migrate
from bot.db.engine import Database
from bot.services.container import Services
from sandbox.harness import daily_post

GUILD, CHANNEL = 1, 2
WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


async def test_no_statement_of_an_answer_batch_scans_a_table(
    tmp_path: Path, content: Content
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/plans.db")
    plans: dict[str, list[str]] = {}
    try:
        await migrate.upgrade(db)
        services = Services(db, FrozenClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)), content)
        post = await daily_post(services, GUILD, CHANNEL, date(2026, 12, 1))

        @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
        def _explain(
            conn: Any, _cursor: Any, statement: str, parameters: Any, _c: Any, many: bool
        ) -> None:
            if statement in plans or not statement.lstrip().upper().startswith(WRITES):
                return
            sqlite = conn.connection.dbapi_connection._connection._conn  # the sqlite3 connection
            # An executemany's parameter sets come as a list; a multi-row VALUES as one tuple.
            one = parameters[0] if many and isinstance(parameters, list) else parameters
            rows = sqlite.execute(f"EXPLAIN QUERY PLAN {statement}", one).fetchall()
            plans[statement] = [row[-1] for row in rows]

        # A batch of first answers, then one of answers by members seen before.
        for members in (range(20), range(10, 30)):
            await asyncio.gather(
                *(
                    services.daily.answer(
                        post_id=post.post_id,
                        user_id=1_000 + m,
                        display_name=f"member {m}",
                        position=m % 4,
                        guild_id=GUILD,
                    )
                    for m in members
                )
            )
        await services.answers.stop()
    finally:
        await db.close()
    assert any(s.lstrip().startswith("INSERT INTO board_totals") for s in plans)
    scans = {
        " ".join(s.split())[:120]: [
            step for step in plan if step.startswith("SCAN") and not step.endswith("CONSTANT ROWS")
        ]
        for s, plan in plans.items()
    }
    assert {s: steps for s, steps in scans.items() if steps} == {}

"""The answer writer end to end: batches with repeats and failures, failed commits, concurrency.

Every click goes through the real bot and the sandbox; the faults are real database
faults (a trigger that refuses one member's row, a lock held by another connection).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import delete, func, select, text

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.db import migrate
from bot.db.engine import Database
from bot.db.models import Activity, BoardTotal, PointsEntry, QuizAnswer, QuizPrompt, Season
from bot.db.models.buckets import BOARD_KEY, bucket_sql
from sandbox import Message, Sandbox, User
from tests.conftest import POSTGRES_URL, _drop_postgres_schema, _fresh_postgres_schema, _plain_dsn
from tests.e2e.harness import World, new_season, running_mentor
from tests.e2e.test_daily_quiz import daily_posts, right_letter, schedule_quiz, tick

UNEXPECTED = "Something went wrong on our side"


async def count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def post_question(sandbox: Sandbox, world: World, bot: MentorBot) -> Message:
    await schedule_quiz(sandbox, world)
    await tick(bot)
    return daily_posts(sandbox, world)[0]


def members(sandbox: Sandbox, world: World, n: int, prefix: str = "member") -> list[User]:
    users = [sandbox.add_user(f"{prefix}{i}") for i in range(n)]
    for user in users:
        sandbox.add_member(world.guild, user)
    return users


async def queued(bot: MentorBot, n: int) -> None:
    """Wait until ``n`` answers are waiting in the (held) writer's queue."""
    async with asyncio.timeout(10):
        while bot.services.answers.pending < n:  # noqa: ASYNC110 - the queue has no event to wait on
            await asyncio.sleep(0.005)


def awarded(reply: Any) -> bool:
    """Whether the reply tells the member they earned points."""
    return re.search(r"\+\d+ points", text_of(reply)) is not None


def text_of(reply: Any) -> str:
    """Everything a member reads in a reply (content, embed title and description)."""
    parts = [reply.content or ""]
    for embed in reply.embeds:
        parts += [embed.get("title", ""), embed.get("description", "")]
    return "\n".join(parts)


async def refuse_answers_of(db: Database, user_id: int) -> None:
    """A database rule (a trigger) that refuses this member's answer rows, as a constraint would."""
    async with db.transaction() as session:
        if db.dialect == "sqlite":
            await session.execute(
                text(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON quiz_answers "
                    f"WHEN NEW.user_id = {user_id} BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            await session.execute(
                text(
                    "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.user_id = {user_id} THEN RAISE EXCEPTION 'refused' "
                    "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            await session.execute(
                text(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON quiz_answers "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_one()"
                )
            )


async def test_a_batch_with_a_repeat_and_failing_answers_answers_the_others(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    carol, dave, erin = members(sandbox, world, 3)
    post = await post_question(sandbox, world, mentor)
    right, wrong = await right_letter(mentor, world.guild.id)
    practice = await sandbox.run_command("quiz practice", user=erin, guild=world.guild)
    prompt_id = int(practice.buttons[0].custom_id.split(":")[2])
    await refuse_answers_of(db, dave.id)

    clicks: list[Awaitable[Any]]
    async with mentor.services.answers.held():
        clicks = [
            asyncio.ensure_future(sandbox.click(post, right, user=world.alice)),
            asyncio.ensure_future(sandbox.click(post, wrong, user=world.alice)),
            asyncio.ensure_future(sandbox.click(post, wrong, user=world.bob)),
            asyncio.ensure_future(sandbox.click(post, right, user=carol)),
            asyncio.ensure_future(sandbox.click(post, right, user=dave)),
            asyncio.ensure_future(sandbox.click(practice, "A", user=erin)),
        ]
        await queued(mentor, len(clicks))
        async with db.transaction() as session:  # erin's question vanishes meanwhile
            await session.execute(delete(QuizPrompt).where(QuizPrompt.id == prompt_id))
    alice_first, alice_again, bob, carols, daves, erins = await asyncio.gather(*clicks)

    # Alice clicked twice at once: whichever was queued first counts, the other is told so.
    alice_first, alice_again = sorted(
        (alice_first, alice_again), key=lambda r: r.embeds[0]["title"].startswith("You already")
    )
    assert alice_again.embeds[0]["title"] == "You already answered this one"
    assert not awarded(alice_again)
    first_right = alice_first.embeds[0]["title"] == "✅ Right!"
    assert f"Your answer: {right if first_right else wrong}" in text_of(alice_again)
    assert ("+10 points" if first_right else "+3 points") in text_of(alice_first)
    assert bob.embeds[0]["title"] == "❌ Not quite" and "+3 points" in text_of(bob)
    assert carols.embeds[0]["title"] == "✅ Right!" and "+10 points" in text_of(carols)
    assert UNEXPECTED in daves.content and not daves.embeds
    assert UNEXPECTED in erins.content or "not available any more" in erins.content
    assert not awarded(erins)
    assert all(r.ephemeral for r in (alice_first, alice_again, bob, carols, daves, erins))

    stored = {
        (user_id, correct)
        for user_id, correct in (await _rows(db, select(QuizAnswer.user_id, QuizAnswer.correct)))
    }
    assert stored == {(world.alice.id, first_right), (world.bob.id, False), (carol.id, True)}
    ledger = set(await _rows(db, select(PointsEntry.user_id, PointsEntry.amount)))
    assert ledger == {(world.alice.id, 10 if first_right else 3), (world.bob.id, 3), (carol.id, 10)}
    assert await count(db, Activity) == 3
    assert await count(db, Activity, Activity.user_id.in_([dave.id, erin.id])) == 0
    assert await count(db, BoardTotal, BoardTotal.user_id == dave.id) == 0


async def _rows(db: Database, query: Any) -> list[tuple[Any, ...]]:
    async with db.read() as session:
        return [tuple(row) for row in await session.execute(query)]


# -- a commit that fails ----------------------------------------------------------------------


LOCK_TIMEOUT_MS = 300


@pytest.fixture
async def impatient_db(backend: str, tmp_path: Path) -> AsyncIterator[tuple[Database, str]]:
    """A migrated database that gives up on a held lock after 0.3 s; and where it lives."""
    if backend == "sqlite":
        path = tmp_path / "impatient.db"
        db = Database(f"sqlite+aiosqlite:///{path}", sqlite_busy_timeout_ms=LOCK_TIMEOUT_MS)
        schema = None
        where = str(path)
    else:
        schema, url = await _fresh_postgres_schema()
        patient = Database(url, connect_args={"server_settings": {"search_path": schema}})
        try:
            await migrate.upgrade(patient)  # waits its turn behind other suites' migrations
        finally:
            await patient.close()
        settings = {"search_path": schema, "lock_timeout": f"{LOCK_TIMEOUT_MS}ms"}
        db = Database(url, connect_args={"server_settings": settings})
        where = schema
    if backend == "sqlite":
        await migrate.upgrade(db)
    try:
        yield db, where
    finally:
        await db.close()
        if schema:
            await _drop_postgres_schema(schema)


class HeldLock:
    """Another connection holding the write lock (SQLite) or the answers table (PostgreSQL)."""

    def __init__(self, backend: str, where: str) -> None:
        self.backend, self.where = backend, where
        self._sqlite: sqlite3.Connection | None = None
        self._pg: asyncpg.Connection | None = None

    async def __aenter__(self) -> HeldLock:
        if self.backend == "sqlite":
            self._sqlite = sqlite3.connect(self.where, isolation_level=None)
            self._sqlite.execute("BEGIN IMMEDIATE")
        else:
            self._pg = await asyncpg.connect(_plain_dsn(POSTGRES_URL))
            await self._pg.execute("BEGIN")
            await self._pg.execute(f'LOCK TABLE "{self.where}".quiz_answers IN EXCLUSIVE MODE')
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
        if self._pg is not None:
            await self._pg.execute("ROLLBACK")
            await self._pg.close()


async def test_a_failed_commit_tells_every_member_and_stores_nothing(
    sandbox: Sandbox,
    world: World,
    clock: FrozenClock,
    backend: str,
    impatient_db: tuple[Database, str],
) -> None:
    db, where = impatient_db
    crowd = members(sandbox, world, 8)
    async with running_mentor(sandbox, db, clock) as bot:
        post = await post_question(sandbox, world, bot)
        right, _ = await right_letter(bot, world.guild.id)
        async with HeldLock(backend, where):
            async with bot.services.answers.held():
                clicks = [
                    asyncio.ensure_future(sandbox.click(post, right, user=user)) for user in crowd
                ]
                await queued(bot, len(clicks))
            replies = await asyncio.gather(*clicks)
        for reply in replies:
            assert reply.ephemeral and UNEXPECTED in reply.content, text_of(reply)
            assert not awarded(reply)
        assert await count(db, QuizAnswer) == 0
        assert await count(db, PointsEntry) == 0
        assert await count(db, Activity) == 0
        assert await count(db, BoardTotal) == 0

        # Once the lock is gone the same members can answer, and each is stored once.
        again = await asyncio.gather(*(sandbox.click(post, right, user=u) for u in crowd))
        assert [r.embeds[0]["title"] for r in again] == ["✅ Right!"] * len(crowd)
        assert await count(db, QuizAnswer) == len(crowd)


# -- many at once -------------------------------------------------------------------------------


async def test_fifty_concurrent_clicks_are_each_recorded_once(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    crowd = members(sandbox, world, 50)
    post = await post_question(sandbox, world, mentor)
    right, wrong = await right_letter(mentor, world.guild.id)
    choice = {u.id: (right if i % 3 else wrong) for i, u in enumerate(crowd)}
    # Every member clicks once, and every fifth clicks a second time at the same moment.
    clicks = [(u, choice[u.id]) for u in crowd] + [(u, right) for u in crowd[::5]]
    replies = await asyncio.gather(*(sandbox.click(post, c, user=u) for u, c in clicks))

    assert await count(db, QuizAnswer) == 50
    assert await count(db, Activity) == 50
    assert await count(db, PointsEntry) == 50
    stored = dict(await _rows(db, select(QuizAnswer.user_id, QuizAnswer.correct)))
    assert set(stored) == {u.id for u in crowd}
    titles: dict[int, list[str]] = {}
    for (user, _), reply in zip(clicks, replies, strict=True):
        titles.setdefault(user.id, []).append(reply.embeds[0]["title"])
    for user in crowd:  # one verdict each, and it says what was stored
        verdicts = [t for t in titles[user.id] if t != "You already answered this one"]
        assert verdicts == ["✅ Right!" if stored[user.id] else "❌ Not quite"], titles[user.id]
    board = await _rows(
        db,
        select(func.sum(BoardTotal.value)).where(
            BoardTotal.board == "points", BoardTotal.period == "all"
        ),
    )
    ledger = await _rows(db, select(func.sum(PointsEntry.amount)))
    assert board == ledger
    told = sum(int(m) for r in replies for m in re.findall(r"\+(\d+) points", text_of(r)))
    assert told == ledger[0][0]
    # Batches written at once (two writers on PostgreSQL) kept the rank buckets exact.
    assert await _buckets(db) == await _buckets_recounted(db)


async def _buckets(db: Database) -> set[tuple[Any, ...]]:
    return set(await _rows(db, text("SELECT * FROM board_buckets WHERE members != 0")))


async def _buckets_recounted(db: Database) -> set[tuple[Any, ...]]:
    """What ``board_buckets`` should hold, counted from ``board_totals``."""
    keys = ", ".join(BOARD_KEY)
    return set(
        await _rows(
            db,
            text(
                f"SELECT {keys}, {bucket_sql('value')} AS bucket, count(*) FROM board_totals "
                f"WHERE active AND value > 0 GROUP BY {keys}, bucket"
            ),
        )
    )


async def test_a_slow_write_defers_first_and_follows_up_with_the_verdict(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    post = await post_question(sandbox, world, mentor)
    right, _ = await right_letter(mentor, world.guild.id)
    practice = await sandbox.run_command("quiz practice", user=world.bob, guild=world.guild)
    async with mentor.services.answers.held():  # the writer is slower than Discord's 3 s
        daily = asyncio.ensure_future(sandbox.click(post, right, user=world.alice))
        private = asyncio.ensure_future(sandbox.click(practice, "A", user=world.bob))
        await queued(mentor, 2)
        await asyncio.sleep(3.2)
        assert not daily.done() and not private.done()
        assert await count(db, QuizAnswer) == 0
    verdict, answered = await asyncio.gather(daily, private)
    assert verdict.ephemeral and verdict.embeds[0]["title"] == "✅ Right!"
    assert answered.id == practice.id and answered.buttons[0].label in ("Next question",)
    assert await count(db, QuizAnswer) == 2


async def test_points_follow_a_new_season_at_once(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, clock: FrozenClock
) -> None:
    post = await post_question(sandbox, world, mentor)
    right, _ = await right_letter(mentor, world.guild.id)
    await sandbox.click(post, right, user=world.alice)  # starts season 1
    await sandbox.click(post, right, user=world.bob)  # reads it: now it is in memory
    await new_season(sandbox, world, "Two")
    clock.advance(timedelta(days=1))
    await tick(mentor)
    tomorrow = daily_posts(sandbox, world)[-1]
    right, _ = await right_letter(mentor, world.guild.id)
    await sandbox.click(tomorrow, right, user=world.alice)
    async with db.read() as session:
        seasons = list(
            await session.scalars(
                select(Season.id).where(Season.guild_id == world.guild.id).order_by(Season.number)
            )
        )
        counted = list(
            await session.scalars(select(PointsEntry.season_id).order_by(PointsEntry.id))
        )
    assert len(seasons) == 2 and counted == [seasons[0], seasons[0], seasons[1]]

"""The guild context cache keeps a value only from committed rows, and only if nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db.engine import Database
from bot.services.contexts import GuildContexts
from bot.services.points import open_season
from bot.services.users import ensure_guilds

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_keep_remembers_unless_the_guild_changed_since_the_read_began() -> None:
    contexts = GuildContexts(limit=2)
    before = contexts.version(1)
    contexts.keep(1, ("Europe/Berlin", 4), before)
    assert contexts.known(1) == ("Europe/Berlin", 4)

    stale = contexts.version(1)
    contexts.forget(1)  # e.g. a new season committed while the read was under way
    contexts.keep(1, ("Europe/Berlin", 4), stale)
    assert contexts.known(1) is None
    contexts.keep(1, ("Europe/Berlin", 5), contexts.version(1))
    assert contexts.known(1) == ("Europe/Berlin", 5)

    contexts.keep(2, ("UTC", 1), contexts.version(2))
    contexts.keep(3, ("UTC", 2), contexts.version(3))  # over the limit: starts afresh
    assert (contexts.known(1), contexts.known(2), contexts.known(3)) == (None, None, ("UTC", 2))


async def test_a_transaction_keeps_what_it_read_only_once_it_commits(db: Database) -> None:
    """Two transactions at once: each one's reads are kept on its own commit, not on the other's."""
    async with db.transaction() as session:
        await ensure_guilds(session, [1, 2], NOW)
        for guild in (1, 2):
            await open_season(session, guild, NOW)
    contexts = GuildContexts()
    with pytest.raises(RuntimeError):
        async with db.read() as kept:
            assert (await contexts.read(kept, [1], NOW))[1][0] == "UTC"
            async with db.read() as dropped:
                await contexts.read(dropped, [2], NOW)
                assert contexts.known(1) is None  # not before its transaction commits
                raise RuntimeError("the second transaction fails")
    assert contexts.known(2) is None
    assert contexts.known(1) is None  # the first rolled back too: the error left it

    async with db.read() as kept:
        await contexts.read(kept, [1], NOW)
        async with db.read() as other:
            await contexts.read(other, [2], NOW)
        assert contexts.known(2) is not None and contexts.known(1) is None
    assert contexts.known(1) is not None

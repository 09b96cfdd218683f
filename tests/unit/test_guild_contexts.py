"""The guild context cache keeps a value read outside a transaction only if nothing changed."""

from __future__ import annotations

from bot.services.contexts import GuildContexts


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

"""Code to run when a session's transaction ends: on commit, or on rollback."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession


def after_transaction(
    session: AsyncSession,
    *,
    committed: Callable[[], None],
    rolled_back: Callable[[], None] = lambda: None,
) -> None:
    """Call ``committed`` when the session's transaction commits, ``rolled_back`` if it rolls back.

    Only the first of the two to happen runs, once. Each transaction hears only about
    itself, so state kept this way stays right when several transactions are open at
    once (the answer writer's batches on PostgreSQL).
    """
    sync_session = session.sync_session

    def on_commit(_session: object) -> None:
        event.remove(sync_session, "after_rollback", on_rollback)
        committed()

    def on_rollback(_session: object) -> None:
        event.remove(sync_session, "after_commit", on_commit)
        rolled_back()

    event.listen(sync_session, "after_commit", on_commit, once=True)
    event.listen(sync_session, "after_rollback", on_rollback, once=True)

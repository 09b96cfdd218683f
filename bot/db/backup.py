"""A consistent copy of a live SQLite database, using SQLite's online backup API."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import SettingsError


def _copy(source: Path, target_path: str) -> Path:
    target = Path(target_path).expanduser().absolute()
    if not source.exists():
        raise SettingsError(f"There is no database file at {source} to back up.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
    tmp.replace(target)
    return target


async def backup_sqlite(database_url: str, target: str) -> Path:
    """Copy the SQLite database behind ``database_url`` to ``target`` while it may be in use.

    The backup API copies a consistent snapshot even while the bot writes (WAL mode);
    the copy is written beside the target and renamed, so a crash never leaves half a file.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise SettingsError(
            "db backup works on a SQLite file; for PostgreSQL use pg_dump (see README, 'Backups')."
        )
    return await asyncio.to_thread(_copy, Path(url.database), target)

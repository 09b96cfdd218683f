"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

Every test that asks for ``db`` runs once per backend in ``MENTOR_TEST_BACKENDS``
(default: both). PostgreSQL is never skipped silently: if it is unreachable the
test errors, and CI fails loudly.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.content.catalogue import Content, load_content
from bot.db import migrate
from bot.db.engine import Database

POSTGRES_URL = os.environ.get(
    "MENTOR_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    b.strip()
    for b in os.environ.get("MENTOR_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]

_content: Content | None = None


def shipped_content() -> Content:
    """The content in data/, loaded once per test session."""
    global _content
    if _content is None:
        _content = load_content()
    return _content


@pytest.fixture
def content() -> Content:
    return shipped_content()


def _plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _fresh_postgres_schema() -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_plain_dsn(POSTGRES_URL))
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema, POSTGRES_URL


async def _drop_postgres_schema(schema: str) -> None:
    conn = await asyncpg.connect(_plain_dsn(POSTGRES_URL))
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


async def open_test_database(backend: str, tmp_path: Path) -> tuple[Database, str | None]:
    """A new empty database for ``backend``; returns it and the PostgreSQL schema to drop."""
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"), None
    schema, url = await _fresh_postgres_schema()
    db = Database(url, connect_args={"server_settings": {"search_path": schema}})
    return db, schema


@pytest.fixture
async def empty_db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database (no tables) on the current backend."""
    db, schema = await open_test_database(backend, tmp_path)
    try:
        yield db
    finally:
        await db.close()
        if schema:
            await _drop_postgres_schema(schema)


@pytest.fixture
async def db(empty_db: Database) -> Database:
    """A database migrated to head on the current backend."""
    await migrate.upgrade(empty_db)
    return empty_db

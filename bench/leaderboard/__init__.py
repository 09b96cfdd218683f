"""Leaderboard page benchmark: ``LeaderboardService.page`` on a big guild, SQLite and PostgreSQL.

Run from the repository root::

    .venv/bin/python -m bench.leaderboard                                   # full size
    .venv/bin/python -m bench.leaderboard --members 2000 --ledger-rows 50000 --samples 50

What it builds (deterministic for a given ``--seed``):

* guild A (the one measured, timezone Europe/Berlin): ``--members`` members, 80 % of whom
  ever earned points, 3 % of whom have left (``members.left_at`` set, their
  ``board_totals`` rows inactive); ``--ledger-rows`` ``points_ledger`` rows spread evenly
  over the 183 days before 2026-11-21 12:00 UTC, so weeks, months and two seasons (one
  closed on 2026-09-01, one open) all have their own keys. Activity per member is skewed
  (weight ~ 1/(rank+50)^0.8): a few very active members, a long tail.
* guild B (America/New_York): a tenth of the members and of the ledger rows, on user ids
  of its own, with amounts, study minutes and streaks ten times larger, so a missing
  guild filter would put its members at the top of guild A's pages.
* ``board_totals`` for the points and study boards and every period (week, month,
  season, all), computed from the generated events exactly as ``points.move_board``
  would have kept them: the points board is the sum of the member's ledger rows in that
  period (keys from ``points.period_keys`` in the guild's timezone), the study board the
  sum of the minutes of the study sessions behind the ``study`` ledger rows (each earns
  minutes // 10 points); ``reached_at`` is the time of the last positive change, or of
  the first change when none was positive.
* ``users`` (with ``streak_current`` for the streak board) and ``members`` rows.

Loading: the schema is the project's own (``bot.db.migrate.upgrade`` on a fresh SQLite
file under /tmp and a fresh PostgreSQL schema). The explicit indexes of ``points_ledger``
and ``board_totals`` (on PostgreSQL also their keys and foreign keys) are dropped, the rows
bulk-loaded with the raw driver in one transaction (sqlite3 ``executemany`` with
``journal_mode=OFF, synchronous=OFF``; asyncpg ``copy_records_to_table``), and the
indexes recreated from their exact stored definitions, then ANALYZE (PostgreSQL: VACUUM
ANALYZE, as autovacuum would leave a settled table). The triggers that keep
``board_buckets`` are set aside for the load too (SQLite: dropped and recreated from their
stored text; PostgreSQL: disabled) and the buckets recomputed from the totals with
``bot.db.models.buckets.rebuild_sql``. The schema (and the triggers) are compared before
and after and the load fails loudly if anything differs; SQLite's ``foreign_key_check``
must come back empty (PostgreSQL validates the foreign keys when they are re-added).

Measuring: for each board (points, study, streak) and period (week, month, season, all)
the time of ``page(guild_a, board=..., period=..., page=0, caller_id=...)`` -- a top-10
page plus the caller's own rank -- over ``--samples`` callers: 10 % from the top 1 % of
that board, 80 % drawn uniformly from everyone ranked on it (so mostly middle and
bottom), 10 % any member of the guild (often unranked or departed). Five warm-up calls
per case are not counted. The streak board has no periods; its four rows measure the
same query. Every page is checked (ranks non-decreasing, values non-increasing, no
guild B or departed member), and once per backend each case is compared with the
expected answer computed in Python (top ten, ranks, the caller's rank, has_next); any
mismatch raises. Nothing about time is asserted; the targets (slowest case p95 <= 10 ms
on PostgreSQL, <= 20 ms on SQLite) are only reported.

``--explain`` also prints, for the bottom-ranked caller of each case, every statement
``page`` runs with its plan (EXPLAIN QUERY PLAN / EXPLAIN (ANALYZE, BUFFERS)) and, on
SQLite, its own time.

Modules: ``data`` (generation and expected answers), ``load`` (bulk loading),
``checks`` (page checks), ``timing`` (the measurement), ``explain`` (plans), ``report``
(tables) and ``run`` (the command line). The generator and loaders are also the data of
``bench.recap``; they are re-exported here.
"""

from bench.leaderboard.data import (
    GUILD_A,
    GUILD_B,
    NOW,
    USER_BASE_A,
    USER_BASE_B,
    CheckFailed,
    Expected,
    GuildData,
    expected_boards,
    generate_two_guilds,
)
from bench.leaderboard.load import Load, load_postgres, load_sqlite, naive, sqlite_text

__all__ = [
    "GUILD_A",
    "GUILD_B",
    "NOW",
    "USER_BASE_A",
    "USER_BASE_B",
    "CheckFailed",
    "Expected",
    "GuildData",
    "Load",
    "expected_boards",
    "generate_two_guilds",
    "load_postgres",
    "load_sqlite",
    "naive",
    "sqlite_text",
]

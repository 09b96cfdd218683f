"""How many ranked members each slice of a board's values holds, kept by triggers.

A rank is one plus the number of ranked members (active, value > 0) scoring more than
the caller. Counting them in ``board_totals`` grows with the board; ``board_buckets``
holds one row per value range instead (exact below 32, then 16 ranges per power of
two), so the count is the sum of the few bucket rows above the caller's value plus an
exact count of the members in the caller's own range. Both are bounded however large
the guild grows (at most ~190 bucket rows and one range's members for a board with
values up to 40,000).

Database triggers on ``board_totals`` keep the counts: every writer (point moves,
departures, streak sweeps, cascaded deletes) goes through them, on SQLite (row triggers,
compiled into the statement) and PostgreSQL (statement triggers over the statement's
transition tables, so a batch costs one trigger run, not one per row). The bucket
function lives in the SQL below only: the rank query does not need it (see
``bot.services.leaderboards``), and ``REBUILD`` recomputes the table from
``board_totals`` with the same expression.

SQLite drops triggers when Alembic's batch mode rebuilds ``board_totals``: a
migration that alters that table must recreate them (``trigger_ddl``).
"""

from __future__ import annotations

from sqlalchemy import DDL, BigInteger, ForeignKey, Integer, PrimaryKeyConstraint, String, event
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.models.points import BoardTotal

EXACT_BELOW = 32  # values under this have a bucket each
RANGES_PER_OCTAVE_BITS = 4  # then 2**4 = 16 equal ranges per power of two
TRIGGERS = ("board_buckets_insert", "board_buckets_update", "board_buckets_delete")
BOARD_KEY = ("guild_id", "board", "period", "period_key")


class BoardBucket(Base):
    """Ranked members of one board and period key whose value falls in [bucket, next bucket)."""

    __tablename__ = "board_buckets"
    # The rank's sum reads ``members`` from the key's index alone (an index-only scan).
    __table_args__ = (
        PrimaryKeyConstraint(
            "guild_id", "board", "period", "period_key", "bucket", postgresql_include=["members"]
        ),
    )

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    board: Mapped[str] = mapped_column(String(10), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # lowest value it holds
    members: Mapped[int] = mapped_column(Integer)


def bucket_sql(value: str) -> str:
    """SQL for the bucket of ``value`` (a positive integer expression): its lowest value."""
    whens = " ".join(
        f"WHEN {value} < {1 << (bit + 1)} THEN {value} & {-(1 << (bit - RANGES_PER_OCTAVE_BITS))}"
        for bit in range(EXACT_BELOW.bit_length() - 1, 62)
    )
    return f"CASE WHEN {value} < {EXACT_BELOW} THEN {value} {whens} END"


def _ranked(row: str) -> str:
    return f"({row}.active AND {row}.value > 0)"


def _add(row: str, where: str) -> str:
    """One more member in ``row``'s bucket (an INSERT ... SELECT, so ``where`` can skip it)."""
    keys = ", ".join(BOARD_KEY)
    values = ", ".join(f"{row}.{c}" for c in BOARD_KEY)
    return (
        f"INSERT INTO board_buckets ({keys}, bucket, members) "
        f"SELECT {values}, {bucket_sql(f'{row}.value')}, 1 WHERE {where} "
        f"ON CONFLICT ({keys}, bucket) DO UPDATE SET members = board_buckets.members + 1"
    )


def _remove(row: str, where: str) -> str:
    """One member fewer in ``row``'s bucket (its row exists: the member was counted)."""
    match = " AND ".join(f"{c} = {row}.{c}" for c in BOARD_KEY)
    return (
        f"UPDATE board_buckets SET members = members - 1 "
        f"WHERE {match} AND bucket = {bucket_sql(f'{row}.value')} AND {where}"
    )


def _same_bucket() -> str:
    keys = " AND ".join(f"OLD.{c} = NEW.{c}" for c in BOARD_KEY)
    return (
        f"{_ranked('OLD')} AND {_ranked('NEW')} AND {keys} "
        f"AND {bucket_sql('OLD.value')} = {bucket_sql('NEW.value')}"
    )


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that create the triggers keeping ``board_buckets`` in step."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER board_buckets_insert AFTER INSERT ON board_totals "
            f"WHEN {_ranked('NEW')} BEGIN {_add('NEW', '1')}; END",
            f"CREATE TRIGGER board_buckets_update AFTER UPDATE ON board_totals "
            f"WHEN ({_ranked('OLD')} OR {_ranked('NEW')}) AND NOT ({_same_bucket()}) "
            f"BEGIN {_remove('OLD', _ranked('OLD'))}; {_add('NEW', _ranked('NEW'))}; END",
            f"CREATE TRIGGER board_buckets_delete AFTER DELETE ON board_totals "
            f"WHEN {_ranked('OLD')} BEGIN {_remove('OLD', '1')}; END",
        ]
    return _statement_triggers()


def _counted(rows: str, delta: int) -> str:
    """Each ranked row of the transition table ``rows`` as (key, bucket, ``delta``)."""
    keys = ", ".join(BOARD_KEY)
    bucket = bucket_sql(f"{rows}.value")
    return f"SELECT {keys}, {bucket} AS bucket, {delta} AS delta FROM {rows} WHERE {_ranked(rows)}"


def _net(changes: str) -> str:
    """The net change per bucket of ``changes`` (rows of key, bucket, delta), zeros left out.

    In bucket order, so that concurrent writers lock the bucket rows they share in the
    same order (two answer batches of one guild at once on PostgreSQL): one waits for
    the other instead of the two deadlocking.
    """
    keys = ", ".join(BOARD_KEY)
    return (
        f"SELECT {keys}, bucket, CAST(sum(delta) AS INTEGER) AS delta FROM ({changes}) AS changes "
        f"GROUP BY {keys}, bucket HAVING sum(delta) <> 0 ORDER BY {keys}, bucket"
    )


def _statement_triggers() -> list[str]:
    """PostgreSQL: one trigger run per statement, over its transition tables, set-based.

    A batch of answers moves a few hundred totals in one statement; a row trigger ran a
    PL/pgSQL statement per row (about 40 ms for a batch of 50 answers), these run one.
    An INSERT … ON CONFLICT DO UPDATE fires both the insert and the update trigger, each
    with its own rows. A delete only lowers counts that exist, with an UPDATE: when a
    guild is deleted, its buckets may be gone already (they cascade too).
    """
    keys = ", ".join(BOARD_KEY)
    upsert = (
        f"INSERT INTO board_buckets ({keys}, bucket, members) {{net}} "
        f"ON CONFLICT ({keys}, bucket) DO UPDATE SET members = board_buckets.members + EXCLUDED.members"
    )
    match = " AND ".join(f"board_buckets.{c} = net.{c}" for c in (*BOARD_KEY, "bucket"))
    body = {
        "insert": upsert.format(net=_net(_counted("new_rows", 1))),
        "update": upsert.format(
            net=_net(f"{_counted('new_rows', 1)} UNION ALL {_counted('old_rows', -1)}")
        ),
        "delete": (
            f"UPDATE board_buckets SET members = board_buckets.members + net.delta "
            f"FROM ({_net(_counted('old_rows', -1))}) AS net WHERE {match}"
        ),
    }
    tables = {
        "insert": "NEW TABLE AS new_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
    }
    statements = []
    for name in ("insert", "update", "delete"):
        statements += [
            f"CREATE OR REPLACE FUNCTION board_buckets_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body[name]}; RETURN NULL; END $$",
            f"CREATE TRIGGER board_buckets_{name} AFTER {name.upper()} ON board_totals "
            f"REFERENCING {tables[name]} FOR EACH STATEMENT EXECUTE FUNCTION board_buckets_{name}()",
        ]
    return statements


def drop_ddl(dialect: str) -> list[str]:
    """The statements that drop the triggers (and on PostgreSQL their functions)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
    return [f"DROP TRIGGER IF EXISTS {name} ON board_totals" for name in TRIGGERS] + [
        f"DROP FUNCTION IF EXISTS {name}()" for name in TRIGGERS
    ]


def rebuild_sql() -> list[str]:
    """Recompute ``board_buckets`` from ``board_totals`` (after a bulk load with no triggers)."""
    keys = ", ".join(BOARD_KEY)
    return [
        "DELETE FROM board_buckets",
        f"INSERT INTO board_buckets ({keys}, bucket, members) "
        f"SELECT {keys}, {bucket_sql('value')}, count(*) FROM board_totals "
        f"WHERE {_ranked('board_totals')} GROUP BY {keys}, {bucket_sql('value')}",
    ]


# On the table the triggers watch (created with it by ``create_all``; SQLite and PostgreSQL
# both resolve ``board_buckets`` in a trigger body only when it runs).
for _dialect in ("sqlite", "postgresql"):
    for _statement in trigger_ddl(_dialect):
        event.listen(
            BoardTotal.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )

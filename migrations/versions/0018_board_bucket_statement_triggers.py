"""board buckets on PostgreSQL: statement triggers instead of row triggers

Revision ID: 0018_bucket_statement_triggers
Revises: 0017_board_buckets
Create Date: 2026-12-02 13:50:00

On PostgreSQL the triggers that keep ``board_buckets`` ran one PL/pgSQL statement per
changed total; a batch of answers changes hundreds in one statement. They become
statement triggers over the statement's transition tables (``bot.db.models.buckets``),
which keep the same counts with one set-based statement per write. The counts
themselves do not change, so nothing is rebuilt. SQLite keeps its row triggers.

Downgrade keeps the statement triggers: they maintain exactly what 0017's did.
"""

from collections.abc import Sequence

from alembic import op

from bot.db.models.buckets import drop_ddl, trigger_ddl


revision: str = "0018_bucket_statement_triggers"
down_revision: str | None = "0017_board_buckets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in drop_ddl("postgresql") + trigger_ddl("postgresql"):
        op.execute(statement)


def downgrade() -> None:
    pass

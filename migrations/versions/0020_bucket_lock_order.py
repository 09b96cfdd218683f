"""board buckets on PostgreSQL: the triggers lock bucket rows in bucket order

Revision ID: 0020_bucket_lock_order
Revises: 0019_members_user_index
Create Date: 2026-12-04 18:45:00

The answer writer now writes two batches at once on PostgreSQL, and two batches of one
guild's answers update the same ``board_buckets`` rows from their statement triggers.
The triggers' upserts now take those rows in key and bucket order
(``bot.db.models.buckets``), so one batch waits for the other instead of the two
deadlocking. The counts do not change; SQLite (one writer) keeps its row triggers.

Downgrade keeps the ordered triggers: they maintain exactly what 0018's did.
"""

from collections.abc import Sequence

from alembic import op

from bot.db.models.buckets import drop_ddl, trigger_ddl

revision: str = "0020_bucket_lock_order"
down_revision: str | None = "0019_members_user_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in drop_ddl("postgresql") + trigger_ddl("postgresql"):
        op.execute(statement)


def downgrade() -> None:
    pass

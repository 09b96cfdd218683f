"""members: an index on user_id

Revision ID: 0019_members_user_index
Revises: 0018_bucket_statement_triggers
Create Date: 2026-12-03 14:40:00

``members`` is keyed by (guild_id, user_id), so a lookup by user alone read the whole
table: the streak board's upsert after every answer (``points.set_streak_boards``: one
such lookup per answering member on SQLite), a member's data export and deletion, and
the cascade from ``users``. At 4,000 members that one statement was 87 µs of a 0.5 ms
answer on SQLite, and it grew with the server.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_members_user_index"
down_revision: str | None = "0018_bucket_statement_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.create_index(batch_op.f("ix_members_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_user_id"))

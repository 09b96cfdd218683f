"""board buckets: ranks in a bounded number of index reads

Revision ID: 0017_board_buckets
Revises: 0016_deletion_keeps_moderation
Create Date: 2026-12-02 08:10:00

``board_buckets`` counts each board's ranked members per value range (its key's index
includes ``members`` on PostgreSQL, for index-only sums), kept by triggers
on ``board_totals`` (see ``bot.db.models.buckets``), so a rank no longer counts everyone
above the caller. Filled here from the existing totals.

The trigger SQL is taken from ``bot.db.models.buckets`` (the one definition, also used
by ``create_all``). A later change to the bucket function needs a revision of its own
that drops the triggers, recreates them and rebuilds the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.models.buckets import drop_ddl, rebuild_sql, trigger_ddl


revision: str = "0017_board_buckets"
down_revision: str | None = "0016_deletion_keeps_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "board_buckets",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("board", sa.String(length=10), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"],
            ["guilds.id"],
            name=op.f("fk_board_buckets_guild_id_guilds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "guild_id",
            "board",
            "period",
            "period_key",
            "bucket",
            name=op.f("pk_board_buckets"),
            postgresql_include=["members"],
        ),
    )
    dialect = op.get_bind().dialect.name
    for statement in trigger_ddl(dialect) + rebuild_sql():
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("board_buckets")

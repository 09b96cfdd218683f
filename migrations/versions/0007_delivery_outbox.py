"""delivery outbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:00:00

One table for the state of every scheduled post (claimed by an owner with a lease,
sent, failed or skipped), and the pause bookkeeping the daily quiz already had for
weekly challenges too. Rows of posts already sent are backfilled so an upgrade in
the middle of a posting day never posts that day's question or challenge again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'deliveries',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.BigInteger(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('lease_until', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('deadline', sa.DateTime(), nullable=False),
        sa.Column('channel_id', sa.BigInteger(), nullable=True),
        sa.Column('message_id', sa.BigInteger(), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
        sa.UniqueConstraint('kind', 'subject_id', 'period', name=op.f('uq_deliveries_kind_subject_id_period')),
    )
    op.create_index('ix_deliveries_state', 'deliveries', ['state', 'next_attempt_at'], unique=False)
    with op.batch_alter_table('challenge_schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('pause_notified', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _backfill()


def _backfill() -> None:
    """A sent row for every daily post and challenge post that already has its message."""
    for table, kind, period in (
        ('daily_posts', 'daily', 'local_date'),
        ('challenge_posts', 'challenge', 'week'),
    ):
        op.execute(
            f"INSERT INTO deliveries (kind, subject_id, period, guild_id, state, owner, lease_until,"
            f" attempts, next_attempt_at, deadline, channel_id, message_id, claimed_at, sent_at)"
            f" SELECT '{kind}', guild_id, CAST({period} AS VARCHAR(10)), guild_id, 'sent', 'migration',"
            f" claimed_at, 1, claimed_at, claimed_at, channel_id, message_id, claimed_at, claimed_at"
            f" FROM {table} WHERE message_id IS NOT NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table('challenge_schedules', schema=None) as batch_op:
        batch_op.drop_column('pause_notified')
        batch_op.drop_column('paused_at')
    op.drop_index('ix_deliveries_state', table_name='deliveries')
    op.drop_table('deliveries')

"""timezone undo

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('timezone_undo',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('previous_timezone', sa.String(length=64), nullable=True),
    sa.Column('previous_changed_at', sa.DateTime(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('bridged_days', sa.String(length=64), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_timezone_undo_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_timezone_undo'))
    )


def downgrade() -> None:
    op.drop_table('timezone_undo')

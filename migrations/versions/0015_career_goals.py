"""career goals

Revision ID: 0015_career_goals
Revises: 0013_study_timer
Create Date: 2026-12-02 02:00:00

One career goal (a track from data/tracks.toml) per member, with a weekly study-time
target, for /career plan and /career readiness.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015_career_goals'
down_revision: str | None = '0013_study_timer'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'career_goals',
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('track', sa.String(length=40), nullable=False),
        sa.Column('weekly_minutes', sa.Integer(), nullable=False),
        sa.Column('weekly_dm', sa.Boolean(), nullable=False),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_career_goals_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_career_goals')),
    )


def downgrade() -> None:
    op.drop_table('career_goals')

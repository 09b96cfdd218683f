"""learner model: per member-skill mastery and per-question difficulty

Revision ID: 0010_mastery
Revises: 0008
Create Date: 2026-12-02 01:50:00

Both tables start empty; ``python -m bot mastery rebuild`` fills them from the answers
already stored (the bot does not do it on upgrade, so an upgrade stays quick).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010_mastery'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('skill_mastery',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=False),
    sa.Column('theta', sa.Double(), nullable=False),
    sa.Column('evidence', sa.Double(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('right', sa.Integer(), nullable=False),
    sa.Column('last_answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_mastery_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'skill', name=op.f('pk_skill_mastery'))
    )
    op.create_table('question_difficulty',
    sa.Column('question_id', sa.String(length=60), nullable=False),
    sa.Column('difficulty', sa.Double(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('question_id', name=op.f('pk_question_difficulty'))
    )


def downgrade() -> None:
    op.drop_table('question_difficulty')
    op.drop_table('skill_mastery')

"""deletion keeps moderation honest

Revision ID: 0016_deletion_keeps_moderation
Revises: 0012_rewards
Create Date: 2026-12-02 02:00:00

``/mydata delete`` no longer erases what moderators did: audit entries about the member
stay with the id replaced by a per-deletion label, a negative adjustment of the open
season is carried over under a keyed hash, and open daily questions the member had
answered keep a keyed-hash marker so they cannot be answered again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0016_deletion_keeps_moderation'
down_revision: str | None = '0012_rewards'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('mod_audit') as batch:
        batch.add_column(sa.Column('target_label', sa.String(length=40), nullable=True))
    op.create_table(
        'answer_markers',
        sa.Column('post_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['daily_posts.id'], name=op.f('fk_answer_markers_post_id_daily_posts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('post_id', 'digest', name=op.f('pk_answer_markers')),
    )
    op.create_table(
        'penalty_carryovers',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('season_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_penalty_carryovers_guild_id_guilds'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_penalty_carryovers_season_id_seasons'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_penalty_carryovers')),
        sa.UniqueConstraint('guild_id', 'digest', name=op.f('uq_penalty_carryovers_guild_id_digest')),
    )


def downgrade() -> None:
    op.drop_table('penalty_carryovers')
    op.drop_table('answer_markers')
    with op.batch_alter_table('mod_audit') as batch:
        batch.drop_column('target_label')

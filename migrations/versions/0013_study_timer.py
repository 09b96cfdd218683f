"""study timer, recap settings and milestones

Revision ID: 0013_study_timer
Revises: 0008
Create Date: 2026-12-02 01:45:01

Focus sessions of the study timer (one open per member, by a partial unique index),
where a guild's milestone and recap posts go, milestones waiting for their batched
post, and the members who asked to be pinged in them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013_study_timer'
down_revision: str | None = '0011_packs'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('milestone_pings',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_milestone_pings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_milestone_pings'))
    )
    op.create_table('milestones',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('reached_at', sa.DateTime(), nullable=False),
    sa.Column('batch', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_milestones_guild_id_guilds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_milestones_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
    sa.UniqueConstraint('guild_id', 'user_id', 'kind', 'value', name=op.f('uq_milestones_guild_id_user_id_kind_value'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index('ix_milestones_guild_batch', ['guild_id', 'batch'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_user_id'), ['user_id'], unique=False)

    op.create_table('recap_settings',
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('milestones', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('weekly', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('paused_reason', sa.String(length=200), nullable=True),
    sa.Column('paused_at', sa.DateTime(), nullable=True),
    sa.Column('pause_notified', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_recap_settings_guild_id_guilds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('guild_id', name=op.f('pk_recap_settings'))
    )
    op.create_table('study_sessions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=True),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=True),
    sa.Column('focus_minutes', sa.Integer(), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('notify', sa.String(length=4), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('resumed_at', sa.DateTime(), nullable=False),
    sa.Column('elapsed_seconds', sa.Integer(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('logged_minutes', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_study_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_sessions'))
    )
    with op.batch_alter_table('study_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_study_sessions_state_ends', ['state', 'ends_at'], unique=False)
        batch_op.create_index('uq_study_sessions_one_open', ['user_id'], unique=True, sqlite_where=sa.text("state != 'ended'"), postgresql_where=sa.text("state != 'ended'"))



def downgrade() -> None:
    op.drop_table('study_sessions')
    op.drop_table('recap_settings')
    op.drop_table('milestones')
    op.drop_table('milestone_pings')

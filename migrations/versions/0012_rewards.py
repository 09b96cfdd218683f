"""achievements and role rewards

Revision ID: 0012_rewards
Revises: 0015_career_goals
Create Date: 2026-12-02 02:00:00

Achievements a member unlocked (once each: the primary key), the role rewards moderators
configure (one rule per role), and the roles the bot granted for them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012_rewards'
down_revision: str | None = '0015_career_goals'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'achievement_unlocks',
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('achievement_id', sa.String(length=40), nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=True),
        sa.Column('unlocked_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_achievement_unlocks_guild_id_guilds'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_achievement_unlocks_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'achievement_id', name=op.f('pk_achievement_unlocks')),
    )
    op.create_index('ix_achievement_unlocks_recent', 'achievement_unlocks', ['user_id', 'unlocked_at'], unique=False)
    op.create_table(
        'role_rewards',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('role_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=40), nullable=True),
        sa.Column('remove_on_lapse', sa.Boolean(), nullable=False),
        sa.Column('problem', sa.String(length=200), nullable=True),
        sa.Column('problem_at', sa.DateTime(), nullable=True),
        sa.Column('problem_notified', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_role_rewards_guild_id_guilds'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_rewards')),
        sa.UniqueConstraint('guild_id', 'role_id', name=op.f('uq_role_rewards_guild_id_role_id')),
    )
    op.create_index(op.f('ix_role_rewards_guild_id'), 'role_rewards', ['guild_id'], unique=False)
    op.create_table(
        'role_grants',
        sa.Column('reward_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['reward_id'], ['role_rewards.id'], name=op.f('fk_role_grants_reward_id_role_rewards'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_grants_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('reward_id', 'user_id', name=op.f('pk_role_grants')),
    )
    op.create_index(op.f('ix_role_grants_user_id'), 'role_grants', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_role_grants_user_id'), table_name='role_grants')
    op.drop_table('role_grants')
    op.drop_index(op.f('ix_role_rewards_guild_id'), table_name='role_rewards')
    op.drop_table('role_rewards')
    op.drop_index('ix_achievement_unlocks_recent', table_name='achievement_unlocks')
    op.drop_table('achievement_unlocks')

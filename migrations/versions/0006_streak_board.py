"""streak board

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 06:11:26.227544
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('streak_alive_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_streak_alive_until'), ['streak_alive_until'], unique=False)
    _backfill()


def _backfill() -> None:
    """Fill streak_alive_until and the streak board from the cached streaks."""
    bind = op.get_bind()
    users = sa.table(
        'users',
        sa.column('id', sa.BigInteger()),
        sa.column('streak_current', sa.Integer()),
        sa.column('streak_freezes', sa.Integer()),
        sa.column('streak_through', sa.Date()),
        sa.column('streak_alive_until', sa.Date()),
    )
    members = sa.table(
        'members',
        sa.column('guild_id', sa.BigInteger()),
        sa.column('user_id', sa.BigInteger()),
        sa.column('left_at', sa.DateTime()),
    )
    board = sa.table(
        'board_totals',
        sa.column('guild_id', sa.BigInteger()),
        sa.column('board', sa.String()),
        sa.column('period', sa.String()),
        sa.column('period_key', sa.String()),
        sa.column('user_id', sa.BigInteger()),
        sa.column('value', sa.BigInteger()),
        sa.column('reached_at', sa.DateTime()),
        sa.column('active', sa.Boolean()),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    streaks = bind.execute(
        sa.select(users.c.id, users.c.streak_current, users.c.streak_freezes, users.c.streak_through)
        .where(users.c.streak_current > 0, users.c.streak_through.is_not(None))
    ).all()
    for user_id, current, freezes, through in streaks:
        bind.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(streak_alive_until=through + timedelta(days=1 + freezes))
        )
        for guild_id, left_at in bind.execute(
            sa.select(members.c.guild_id, members.c.left_at).where(members.c.user_id == user_id)
        ).all():
            bind.execute(
                board.insert().values(
                    guild_id=guild_id, board='streak', period='all', period_key='all',
                    user_id=user_id, value=current, reached_at=now, active=left_at is None,
                )
            )


def downgrade() -> None:
    op.execute("DELETE FROM board_totals WHERE board = 'streak'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_streak_alive_until'))
        batch_op.drop_column('streak_alive_until')

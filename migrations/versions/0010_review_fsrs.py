"""review cards: Leitner boxes become FSRS cards

Revision ID: 0010_review_fsrs
Revises: 0010_mastery
Create Date: 2026-12-02 01:55:00

Every Leitner card is kept, with its due date. A card in box N had been scheduled
BOX_DAYS[N] days ahead, so that is its FSRS stability (the interval at which recall
falls to 90%); its difficulty is FSRS's starting difficulty after a miss (6.4133,
``Scheduler._initial_difficulty(Again)`` with the default parameters), its state is
Review, its last review the row's last update, ``reps`` its box (one miss plus a
right review per box climbed) and ``lapses`` 1. Downgrade maps stability back to the
highest box whose interval it reaches.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op


revision: str = '0010_review_fsrs'
down_revision: str | None = '0010_mastery'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOX_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
AFTER_A_MISS = 6.4133
REVIEW_STATE = 2


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def _leitner_table() -> None:
    op.create_table('review_cards',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.String(length=60), nullable=False),
    sa.Column('box', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_cards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'question_id', name=op.f('pk_review_cards'))
    )
    op.create_index('ix_review_cards_due', 'review_cards', ['user_id', 'due_on'], unique=False)


def _fsrs_table() -> None:
    op.create_table('review_cards',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.String(length=60), nullable=False),
    sa.Column('state', sa.SmallInteger(), nullable=False),
    sa.Column('stability', sa.Double(), nullable=False),
    sa.Column('difficulty', sa.Double(), nullable=False),
    sa.Column('due', sa.DateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('last_review', sa.DateTime(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_cards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'question_id', name=op.f('pk_review_cards'))
    )
    op.create_index('ix_review_cards_due', 'review_cards', ['user_id', 'due_on'], unique=False)


TYPES = {
    'user_id': sa.BigInteger(), 'question_id': sa.String(), 'box': sa.Integer(),
    'state': sa.SmallInteger(), 'stability': sa.Double(), 'difficulty': sa.Double(),
    'due': sa.DateTime(), 'due_on': sa.Date(), 'last_review': sa.DateTime(),
    'reps': sa.Integer(), 'lapses': sa.Integer(), 'updated_at': sa.DateTime(),
}


def _read(columns: list[str]) -> list[dict]:
    bind = op.get_bind()
    table = sa.table('review_cards', *(sa.column(c, TYPES[c]) for c in columns))
    return [dict(row._mapping) for row in bind.execute(sa.select(table))]


def _write(rows: list[dict]) -> None:
    if not rows:
        return
    table = sa.table('review_cards', *(sa.column(c, TYPES[c]) for c in rows[0]))
    bind = op.get_bind()
    for start in range(0, len(rows), 1000):
        bind.execute(table.insert(), rows[start:start + 1000])


def upgrade() -> None:
    old = _read(['user_id', 'question_id', 'box', 'due_on', 'updated_at'])
    op.drop_index('ix_review_cards_due', table_name='review_cards')
    op.drop_table('review_cards')
    _fsrs_table()
    cards = []
    for row in old:
        box = min(max(int(row['box']), 1), 5)
        updated = _aware(row['updated_at'])
        cards.append({
            'user_id': row['user_id'],
            'question_id': row['question_id'],
            'state': REVIEW_STATE,
            'stability': float(BOX_DAYS[box]),
            'difficulty': AFTER_A_MISS,
            'due': _naive(datetime.combine(row['due_on'], time(0), tzinfo=UTC)),
            'due_on': row['due_on'],
            'last_review': _naive(updated),
            'reps': box,
            'lapses': 1,
            'updated_at': _naive(updated),
        })
    _write(cards)


def downgrade() -> None:
    old = _read(['user_id', 'question_id', 'stability', 'due_on', 'updated_at'])
    op.drop_index('ix_review_cards_due', table_name='review_cards')
    op.drop_table('review_cards')
    _leitner_table()
    boxes = []
    for row in old:
        reached = [box for box, days in BOX_DAYS.items() if float(row['stability']) >= days]
        boxes.append({
            'user_id': row['user_id'],
            'question_id': row['question_id'],
            'box': max(reached, default=1),
            'due_on': row['due_on'],
            'updated_at': _naive(_aware(row['updated_at'])),
        })
    _write(boxes)

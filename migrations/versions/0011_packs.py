"""server question packs and member submissions

Revision ID: 0011_packs
Revises: 0008
Create Date: 2026-12-02 02:00:00

A guild's own questions (``pack_questions``, grouped in ``packs``), its mix setting
and question counter (``pack_settings``), and the review queue of member-submitted
questions (``question_submissions``). Pack questions are named ``pack:<guild>:<n>``
wherever a question id is stored, so they never collide with the shipped ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011_packs'
down_revision: str | None = '0010_review_fsrs'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'pack_settings',
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('mix_percent', sa.SmallInteger(), nullable=True),
        sa.Column('next_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_pack_settings_guild_id_guilds'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('guild_id', name=op.f('pk_pack_settings')),
    )
    op.create_table(
        'packs',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('created_by', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_packs_created_by_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_packs_guild_id_guilds'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_packs')),
        sa.UniqueConstraint('guild_id', 'name', name=op.f('uq_packs_guild_id_name')),
    )
    op.create_table(
        'pack_questions',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('pack_id', _ID, nullable=True),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.Column('skill', sa.String(length=40), nullable=False),
        sa.Column('difficulty', sa.String(length=12), nullable=False),
        sa.Column('prompt', sa.String(length=400), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('answer', sa.SmallInteger(), nullable=False),
        sa.Column('explanation', sa.String(length=700), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('interview', sa.Boolean(), nullable=False),
        sa.Column('author_id', sa.BigInteger(), nullable=True),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_pack_questions_author_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_pack_questions_guild_id_guilds'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['pack_id'], ['packs.id'], name=op.f('fk_pack_questions_pack_id_packs'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_questions')),
        sa.UniqueConstraint('guild_id', 'number', name=op.f('uq_pack_questions_guild_id_number')),
        sa.UniqueConstraint('pack_id', 'slug', name=op.f('uq_pack_questions_pack_id_slug')),
    )
    op.create_index('ix_pack_questions_guild_active', 'pack_questions', ['guild_id', 'deleted'], unique=False)
    op.create_table(
        'question_submissions',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('channel_id', sa.BigInteger(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('skill', sa.String(length=40), nullable=False),
        sa.Column('difficulty', sa.String(length=12), nullable=False),
        sa.Column('prompt', sa.String(length=400), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('answer', sa.SmallInteger(), nullable=False),
        sa.Column('explanation', sa.String(length=700), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('reviewer_id', sa.BigInteger(), nullable=True),
        sa.Column('reason', sa.String(length=300), nullable=True),
        sa.Column('question_number', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['guild_id'], ['guilds.id'], name=op.f('fk_question_submissions_guild_id_guilds'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_question_submissions_reviewer_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_question_submissions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_submissions')),
    )
    op.create_index('ix_question_submissions_guild_status', 'question_submissions', ['guild_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_question_submissions_guild_status', table_name='question_submissions')
    op.drop_table('question_submissions')
    op.drop_index('ix_pack_questions_guild_active', table_name='pack_questions')
    op.drop_table('pack_questions')
    op.drop_table('packs')
    op.drop_table('pack_settings')

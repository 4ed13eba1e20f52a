"""golden_query: questions with the entry that must answer them, replayed before a change is published

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('golden_query',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=500), nullable=False),
    sa.Column('faq_id', sa.String(length=64), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_golden_query')),
    sa.UniqueConstraint('question', name=op.f('uq_golden_query_question'))
    )


def downgrade() -> None:
    op.drop_table('golden_query')

"""unanswered_queue: wordings staff dealt with, and the query log by outcome and time

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queue_decided',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('decision', sa.Enum('alias', 'new', 'dismissed', name='queuedecision', native_enum=False, length=16), nullable=False),
    sa.Column('faq_id', sa.String(length=64), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_decided')),
    sa.UniqueConstraint('text', name=op.f('uq_queue_decided_text'))
    )
    with op.batch_alter_table('query_log', schema=None) as batch_op:
        batch_op.create_index('ix_query_log_outcome_created', ['outcome', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('query_log', schema=None) as batch_op:
        batch_op.drop_index('ix_query_log_outcome_created')

    op.drop_table('queue_decided')

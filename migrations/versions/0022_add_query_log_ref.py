"""add_query_log_ref: a random name for a query log row, made before it is written (bot.querylog)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('query_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_query_log_ref'), ['ref'])


def downgrade() -> None:
    with op.batch_alter_table('query_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_query_log_ref'), type_='unique')
        batch_op.drop_column('ref')

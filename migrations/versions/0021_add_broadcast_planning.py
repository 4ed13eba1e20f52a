"""add_broadcast_planning: where a broadcast's planning into the outbox stands (push.broadcasts)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_through', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('planning_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.drop_column('planning_until')
        batch_op.drop_column('planned_through')

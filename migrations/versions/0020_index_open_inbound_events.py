"""index_open_inbound_events: a claim reads only the open events, in order, however many finished ones are kept

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

OPEN_SQL = "status IN ('pending', 'answered')"


def upgrade() -> None:
    with op.batch_alter_table('inbound_event', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_event_open_id', ['id'], unique=False,
                              sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL))


def downgrade() -> None:
    with op.batch_alter_table('inbound_event', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_event_open_id')

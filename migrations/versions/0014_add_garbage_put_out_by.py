"""add_garbage_put_out_by: the pack's put-out time on collection days (「朝8時30分までに」)

After it, the next collection day is counted from tomorrow.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('garbage_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('put_out_by', sa.String(length=5), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('garbage_settings', schema=None) as batch_op:
        batch_op.drop_column('put_out_by')

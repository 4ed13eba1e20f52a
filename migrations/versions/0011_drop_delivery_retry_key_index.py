"""drop_delivery_retry_key_index: random retry keys need no unique index on the outbox rows

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_delivery_retry_key'), type_='unique')


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_delivery_retry_key'), ['retry_key'])

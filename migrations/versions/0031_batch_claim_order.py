"""batch_claim_order: the batch claim indexes end with the id, the claims' last sort key

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_batch_due')
        batch_op.drop_index('ix_delivery_batch_lease')
        batch_op.create_index('ix_delivery_batch_due', ['status', 'next_attempt_at', 'id'], unique=False)
        batch_op.create_index('ix_delivery_batch_lease', ['status', 'claimed_until', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_batch_lease')
        batch_op.drop_index('ix_delivery_batch_due')
        batch_op.create_index('ix_delivery_batch_lease', ['status', 'claimed_until'], unique=False)
        batch_op.create_index('ix_delivery_batch_due', ['status', 'next_attempt_at'], unique=False)

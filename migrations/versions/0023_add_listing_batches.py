"""add_listing_batches: a broadcast's batches list their residents instead of one delivery row each

Batches also say the kind of their deliveries (filled in for existing batches from their rows), and the
content they use is indexed (a content is kept while a batch uses it).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resident_ids', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recipients', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_delivery_batch_broadcast_id'), ['broadcast_id'], unique=False)
        batch_op.create_index('ix_delivery_batch_content_hash', ['content_hash'], unique=False)
    op.execute("UPDATE delivery_batch SET kind = (SELECT delivery.kind FROM delivery "
               "WHERE delivery.batch_id = delivery_batch.id LIMIT 1)")


def downgrade() -> None:
    # Batches listing their residents have no delivery rows to fall back on: they are dropped with the columns.
    op.execute("DELETE FROM delivery_batch WHERE resident_ids IS NOT NULL")
    with op.batch_alter_table('delivery_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_batch_content_hash')
        batch_op.drop_index(batch_op.f('ix_delivery_batch_broadcast_id'))
        batch_op.drop_column('recipients')
        batch_op.drop_column('size')
        batch_op.drop_column('resident_ids')
        batch_op.drop_column('broadcast_id')
        batch_op.drop_column('kind')

"""drop_outbox_foreign_keys: outbox rows refer to their batch and content without foreign keys

Their per-row checks doubled the time PostgreSQL needs to plan a million deliveries; the only deletes of
batches and content are guarded (see push/models.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_delivery_content_hash_delivery_content'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_delivery_batch_id_delivery_batch'), type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_delivery_batch_id_delivery_batch'), 'delivery_batch',
                                    ['batch_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_delivery_content_hash_delivery_content'), 'delivery_content',
                                    ['content_hash'], ['content_hash'])

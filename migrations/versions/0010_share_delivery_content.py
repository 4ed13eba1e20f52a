"""share_delivery_content: messages stored once per content; partial outbox indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

WAITING_SINGLE = sa.text("status = 'pending' AND batch_id IS NULL")
SENDING_SINGLE = sa.text("status = 'sending' AND batch_id IS NULL")
IN_BATCH = sa.text("batch_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        'delivery_content',
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('messages', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('content_hash', name=op.f('pk_delivery_content')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("INSERT INTO delivery_content (content_hash, messages, created_at) "
                   "SELECT DISTINCT ON (content_hash) content_hash, messages, created_at FROM delivery "
                   "ORDER BY content_hash, id")
    else:
        op.execute("INSERT INTO delivery_content (content_hash, messages, created_at) "
                   "SELECT content_hash, messages, min(created_at) FROM delivery GROUP BY content_hash")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_due')
        batch_op.drop_index('ix_delivery_lease')
        batch_op.drop_index(batch_op.f('ix_delivery_batch_id'))
        batch_op.drop_column('messages')
        batch_op.create_foreign_key(batch_op.f('fk_delivery_content_hash_delivery_content'), 'delivery_content',
                                    ['content_hash'], ['content_hash'])
    op.create_index('ix_delivery_due', 'delivery', ['next_attempt_at', 'content_hash', 'id'], unique=False,
                    sqlite_where=WAITING_SINGLE, postgresql_where=WAITING_SINGLE)
    op.create_index('ix_delivery_lease', 'delivery', ['claimed_until'], unique=False,
                    sqlite_where=SENDING_SINGLE, postgresql_where=SENDING_SINGLE)
    op.create_index('ix_delivery_batch_id', 'delivery', ['batch_id'], unique=False,
                    sqlite_where=IN_BATCH, postgresql_where=IN_BATCH)
    op.create_index(op.f('ix_delivery_content_hash'), 'delivery', ['content_hash'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_delivery_content_hash'), table_name='delivery')
    op.drop_index('ix_delivery_batch_id', table_name='delivery')
    op.drop_index('ix_delivery_lease', table_name='delivery')
    op.drop_index('ix_delivery_due', table_name='delivery')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_delivery_content_hash_delivery_content'), type_='foreignkey')
        batch_op.add_column(sa.Column('messages', sa.JSON(), nullable=True))
    op.execute("UPDATE delivery SET messages = (SELECT c.messages FROM delivery_content c "
               "WHERE c.content_hash = delivery.content_hash)")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.alter_column('messages', existing_type=sa.JSON(), nullable=False)
        batch_op.create_index(batch_op.f('ix_delivery_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_delivery_lease', ['status', 'claimed_until'], unique=False)
        batch_op.create_index('ix_delivery_due', ['status', 'next_attempt_at', 'content_hash', 'id'], unique=False)
    op.drop_table('delivery_content')

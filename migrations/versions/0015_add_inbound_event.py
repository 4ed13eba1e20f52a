"""add_inbound_event: the durable webhook inbox (bot.models.InboundEvent) replaces processed_event

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OPEN_SQL = "status IN ('pending', 'answered')"


def upgrade() -> None:
    op.create_table('inbound_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'answered', 'done', 'failed', name='inboundstatus',
                                native_enum=False, length=16), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimer', sa.String(length=64), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('messages', sa.JSON(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_event')),
    sa.UniqueConstraint('webhook_event_id', name=op.f('uq_inbound_event_webhook_event_id'))
    )
    with op.batch_alter_table('inbound_event', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_event_open', ['line_user_id', 'event_time', 'id'], unique=False,
                              sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL))
        batch_op.create_index('ix_inbound_event_received_at', ['received_at'], unique=False)
    with op.batch_alter_table('processed_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_event_received_at'))
    op.drop_table('processed_event')


def downgrade() -> None:
    op.create_table('processed_event',
    sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('webhook_event_id', name=op.f('pk_processed_event'))
    )
    with op.batch_alter_table('processed_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_event_received_at'), ['received_at'], unique=False)
    with op.batch_alter_table('inbound_event', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_event_received_at')
        batch_op.drop_index('ix_inbound_event_open')
    op.drop_table('inbound_event')

"""jma_reports: JMA telegrams handled for the city, the pack's [jma] table, the feeds' validators (disaster.jma)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jma_pack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jma_pack'))
    )
    op.create_table('jma_feed_state',
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('last_modified', sa.String(length=100), nullable=False),
    sa.Column('etag', sa.String(length=200), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('url', name=op.f('pk_jma_feed_state'))
    )
    op.create_table('jma_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('family', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('head_title', sa.String(length=300), nullable=False),
    sa.Column('office', sa.String(length=200), nullable=False),
    sa.Column('series', sa.String(length=400), nullable=False),
    sa.Column('info_type', sa.String(length=8), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('in_force', sa.JSON(), nullable=False),
    sa.Column('areas', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('broadcast_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jma_report')),
    sa.UniqueConstraint('key', name=op.f('uq_jma_report_key'))
    )
    with op.batch_alter_table('jma_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jma_report_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_jma_report_series'), ['series'], unique=False)
        batch_op.create_index(batch_op.f('ix_jma_report_url'), ['url'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jma_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jma_report_url'))
        batch_op.drop_index(batch_op.f('ix_jma_report_series'))
        batch_op.drop_index(batch_op.f('ix_jma_report_outcome'))

    op.drop_table('jma_report')
    op.drop_table('jma_feed_state')
    op.drop_table('jma_pack')

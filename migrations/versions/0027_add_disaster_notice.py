"""add_disaster_notice: the city's 避難情報 with their approvals (disaster.notices)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disaster_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('areas', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('office', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('broadcast_id', sa.Integer(), nullable=True),
    sa.Column('lift_broadcast_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disaster_notice'))
    )
    with op.batch_alter_table('disaster_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disaster_notice_status'), ['status'], unique=False)

    op.create_table('disaster_notice_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('approver', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['disaster_notice.id'], name=op.f('fk_disaster_notice_approval_notice_id_disaster_notice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disaster_notice_approval'))
    )
    with op.batch_alter_table('disaster_notice_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disaster_notice_approval_notice_id'), ['notice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('disaster_notice_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disaster_notice_approval_notice_id'))

    op.drop_table('disaster_notice_approval')
    with op.batch_alter_table('disaster_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disaster_notice_status'))

    op.drop_table('disaster_notice')

"""add_shelter_staff: shelter staff's LINE accounts linked by one-time codes (disaster.status)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shelter_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('shelter_name', sa.String(length=200), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_staff'))
    )
    with op.batch_alter_table('shelter_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shelter_staff_line_user_id'), ['line_user_id'], unique=False)

    op.create_table('shelter_staff_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('shelter_name', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_staff_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_shelter_staff_code_code_hash'))
    )


def downgrade() -> None:
    op.drop_table('shelter_staff_code')
    with op.batch_alter_table('shelter_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shelter_staff_line_user_id'))

    op.drop_table('shelter_staff')

"""faq_import: FAQ files uploaded in the console, held for approval before they are published

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('faq_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.Column('replace', sa.Boolean(), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'approved', 'published', 'discarded', name='draftstatus', native_enum=False, length=16), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_import'))
    )


def downgrade() -> None:
    op.drop_table('faq_import')

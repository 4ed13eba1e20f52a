"""faq_drafts: drafts of FAQ changes waiting for approval, each entry's published versions, the console's rules

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_rule',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_console_rule'))
    )
    op.create_table('faq_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('faq_id', sa.String(length=64), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('open', 'approved', 'published', 'discarded', name='draftstatus', native_enum=False, length=16), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_draft'))
    )
    with op.batch_alter_table('faq_draft', schema=None) as batch_op:
        batch_op.create_index('ix_faq_draft_open', ['faq_id', 'status'], unique=False)

    op.create_table('faq_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('faq_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_version')),
    sa.UniqueConstraint('faq_id', 'version', name=op.f('uq_faq_version_faq_id'))
    )


def downgrade() -> None:
    op.drop_table('faq_version')
    with op.batch_alter_table('faq_draft', schema=None) as batch_op:
        batch_op.drop_index('ix_faq_draft_open')

    op.drop_table('faq_draft')
    op.drop_table('console_rule')

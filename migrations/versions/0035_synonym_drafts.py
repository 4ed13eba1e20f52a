"""synonym_drafts: drafts of changes to the synonym table waiting for approval

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('synonym_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('synonyms', sa.JSON(), nullable=False),
    sa.Column('base', sa.JSON(), nullable=True),
    sa.Column('status', sa.Enum('open', 'approved', 'published', 'discarded', name='draftstatus', native_enum=False, length=16), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synonym_draft'))
    )
    with op.batch_alter_table('synonym_draft', schema=None) as batch_op:
        batch_op.create_index('ix_synonym_draft_open', ['term', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('synonym_draft', schema=None) as batch_op:
        batch_op.drop_index('ix_synonym_draft_open')

    op.drop_table('synonym_draft')

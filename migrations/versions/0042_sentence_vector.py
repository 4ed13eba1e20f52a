"""sentence_vector: the FAQ's sentence vectors kept across restarts

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sentence_vector',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_sentence_vector')),
    )


def downgrade() -> None:
    op.drop_table('sentence_vector')

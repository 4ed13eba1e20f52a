"""disaster_rules: the pack's [disaster] rules (how many people approve a notice)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disaster_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_approvals', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disaster_rules'))
    )


def downgrade() -> None:
    op.drop_table('disaster_rules')

"""add_rate_limit_slot: the rate limits every sending process shares (push.models.RateLimitSlot)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limit_slot',
    sa.Column('endpoint', sa.String(length=32), nullable=False),
    sa.Column('next_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('endpoint', name=op.f('pk_rate_limit_slot'))
    )


def downgrade() -> None:
    op.drop_table('rate_limit_slot')

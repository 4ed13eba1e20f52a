"""add_health_data: the city's health section (healthdesk.models.HealthData)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('health_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section', sa.JSON(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_data'))
    )


def downgrade() -> None:
    op.drop_table('health_data')

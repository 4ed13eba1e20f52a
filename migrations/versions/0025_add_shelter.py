"""add_shelter: the city's 指定緊急避難場所 and 指定避難所 with their status (disaster.models.Shelter), and their credit line

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shelter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('hazards', sa.Integer(), nullable=False),
    sa.Column('shares_address', sa.Boolean(), nullable=False),
    sa.Column('accepts', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('crowding', sa.String(length=16), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter')),
    sa.UniqueConstraint('key', name=op.f('uq_shelter_key'))
    )
    op.create_table('shelter_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attribution', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_source'))
    )


def downgrade() -> None:
    op.drop_table('shelter_source')
    op.drop_table('shelter')

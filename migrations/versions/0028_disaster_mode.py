"""disaster_mode: a notice's hazard, and the rich menu the disaster mode last set (disaster.mode, push.notices)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disaster_mode_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rich_menu_alias', sa.String(length=100), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disaster_mode_state'))
    )
    with op.batch_alter_table('disaster_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hazard', sa.String(length=16), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('disaster_notice', schema=None) as batch_op:
        batch_op.drop_column('hazard')

    op.drop_table('disaster_mode_state')

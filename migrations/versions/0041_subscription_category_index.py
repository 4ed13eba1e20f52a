"""subscription: an index by category, for broadcast segments' category terms counted in the database

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_category', ['category', 'resident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_category')

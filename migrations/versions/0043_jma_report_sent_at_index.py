"""jma_report: an index by sent time, so what JMA has in force is read from the last day's telegrams

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jma_report', schema=None) as batch_op:
        batch_op.create_index('ix_jma_report_sent_at', ['sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jma_report', schema=None) as batch_op:
        batch_op.drop_index('ix_jma_report_sent_at')

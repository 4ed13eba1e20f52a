"""query_log: which questions are in the staff's unanswered queue, marked as they are logged

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('query_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_index(batch_op.f('ix_query_log_outcome_created'))
    # The questions logged so far, judged as the queue judges them (faq.unanswered) with the thresholds shipped
    # in faq/thresholds.toml at this revision plus the low-confidence margin 0.1; from now on each question is
    # marked with the policy the bot answered it with.
    op.execute(sa.text(
        "UPDATE query_log SET missed = :yes WHERE normalized_text != '' AND ("
        " outcome = 'fallback'"
        " OR (outcome = 'faq' AND score < CASE WHEN length(normalized_text) <= :short THEN :low_short ELSE :low END)"
        " OR EXISTS (SELECT 1 FROM feedback WHERE feedback.query_log_id = query_log.id"
        "  AND (feedback.helpful = :no OR (feedback.helpful IS NULL AND feedback.chosen_faq_id IS NULL))))"
    ).bindparams(yes=True, no=False, short=5, low_short=0.8, low=0.65))
    with op.batch_alter_table('query_log', schema=None) as batch_op:
        batch_op.create_index('ix_query_log_missed', ['normalized_text', 'created_at'], unique=False,
                              sqlite_where=sa.text('missed = 1'), postgresql_where=sa.text('missed'))


def downgrade() -> None:
    with op.batch_alter_table('query_log', schema=None) as batch_op:
        batch_op.drop_index('ix_query_log_missed', sqlite_where=sa.text('missed = 1'),
                            postgresql_where=sa.text('missed'))
        batch_op.create_index(batch_op.f('ix_query_log_outcome_created'), ['outcome', 'created_at'], unique=False)
        batch_op.drop_column('missed')

"""query_hour: questions counted per hour and outcome for the dashboard, filled from the query log

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('query_hour',
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('intent', 'faq', 'suggest', 'fallback', name='queryoutcome', native_enum=False, length=16), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'outcome', name=op.f('pk_query_hour'))
    )
    # The questions logged so far, counted once (from now on each flush adds its own: faq.stats).
    if op.get_bind().dialect.name == "postgresql":
        hour = "date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:  # SQLite keeps UTC datetimes as text; this is how SQLAlchemy writes an hour's start
        hour = "strftime('%Y-%m-%d %H:00:00.000000', created_at)"
    op.execute(f"INSERT INTO query_hour (hour, outcome, questions) "
               f"SELECT {hour}, outcome, count(*) FROM query_log GROUP BY {hour}, outcome")


def downgrade() -> None:
    op.drop_table('query_hour')

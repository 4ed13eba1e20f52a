"""resident_ids_never_reused: SQLite's resident table gets AUTOINCREMENT (residents.models.Resident)

A broadcast's batches list their residents by id; without AUTOINCREMENT SQLite gives a deleted last
resident's id to the next newcomer. The table is rebuilt (foreign keys are off during migrations, see
env.py, so its children stay). PostgreSQL's sequences never reuse an id: nothing to do there.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-12
"""

from __future__ import annotations

from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table('resident', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table('resident', recreate='always', table_kwargs={'sqlite_autoincrement': False}):
        pass

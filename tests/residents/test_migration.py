"""Migration 0006 on a SQLite file with data: existing rows survive, and reminder users keep their pushes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import db
from db import MIGRATIONS


def test_upgrade_keeps_reminders_and_gives_their_residents_consent(tmp_path):
    """Upgrading to 0006 (and back) deletes no garbage reminder; residents with reminders count as consenting."""
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0005")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO resident (id, line_user_id, status, language, created_at) "
                                   "VALUES (1, 'Ua', 'active', 'ja', CURRENT_TIMESTAMP), "
                                   "(2, 'Ub', 'active', 'ja', CURRENT_TIMESTAMP)"))
        connection.execute(sa.text("INSERT INTO garbage_reminder (resident_id, category) VALUES (1, '燃やせるごみ')"))
    command.upgrade(config, "0006")
    with engine.connect() as connection:
        consented = connection.execute(sa.text("SELECT id FROM resident WHERE consent_at IS NOT NULL")).scalars().all()
        assert consented == [1]
        assert connection.execute(sa.text("SELECT count(*) FROM garbage_reminder")).scalar() == 1
    command.downgrade(config, "0005")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM garbage_reminder")).scalar() == 1
    engine.dispose()

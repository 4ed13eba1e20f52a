"""Models and migrations agree, on whichever database the suite runs."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import db


def test_migrations_match_the_models(database_url):
    """Autogenerate finds nothing to add after upgrading to head."""
    db.import_models()
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.Base.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path):
    """SQLite is set up for several processes: WAL journal and a busy timeout."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()

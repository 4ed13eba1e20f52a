"""Alembic environment: the URL and metadata come from the app (``flask --app app db …``)."""

from __future__ import annotations

from alembic import context

import db
import schema

config = context.config
target_metadata = schema.metadata


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a connection of the app's engine (SQLite needs batch mode to alter tables)."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = db.make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _render_item(type_, obj, autogen_context):
    """Write our UTCDateTime columns as plain timezone-aware DateTime, so revisions need no app import."""
    if type_ == "type" and isinstance(obj, db.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch mode rebuilds tables on SQLite; with foreign keys on, dropping the old table would cascade
        # to its children (e.g. every garbage reminder when `resident` is rebuilt). Set outside a transaction.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, render_item=_render_item)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

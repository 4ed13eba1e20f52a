"""``/healthz`` says the process answers; ``/readyz`` is 200 only when the bot can really serve residents.

The tests that break the database (replace its file, drop a table, stamp an old revision) do so on a
database of their own: a SQLite file, or on PostgreSQL a scratch database beside the test database.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command as alembic_command

import db
import runtime
from app import create_app
from push import heartbeat
from push.models import WorkerHeartbeat
from tests import factories
from tests.conftest import NOW
from tests.conftest import _alembic
from tests.conftest import line_config
from tests.metrics import Delta


def beat_at(app, moment) -> None:
    """Write a push worker's heartbeat at ``moment``."""
    with db.transaction(app) as session:
        heartbeat.beat(session, "worker-a", moment)


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json


class TestHealthz:
    def test_alive_without_asking_the_database(self, app, client):
        """/healthz answers 200 and runs no SQL: it only says the process answers."""
        statements = []
        engine = db.session_factory(app).kw["bind"]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            response = client.get("/healthz")
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200 and response.json == {"status": "ok"} and statements == []


class TestReadyOnTheTestDatabase:
    def test_ready_when_every_check_passes(self, app, client, faq):
        """With the schema at head, the tables readable, the content loaded and a fresh heartbeat: 200."""
        beat_at(app, NOW - timedelta(seconds=5))
        status, body = readyz(client)
        assert status == 200, body
        assert body["status"] == "ready" and body["failed"] == []
        assert set(body["checks"].values()) == {"ok"}

    def test_no_heartbeat_is_not_ready(self, client, faq):
        """No push worker ever beat: 503, and the worker check says so."""
        status, body = readyz(client)
        assert status == 503 and body["failed"] == ["worker"]
        assert "heartbeat" in body["checks"]["worker"]

    def test_a_stale_heartbeat_is_not_ready(self, app, client, faq):
        """A heartbeat older than WORKER_HEARTBEAT_MAX_AGE_SECONDS (60 s by default) makes /readyz 503."""
        beat_at(app, NOW - timedelta(seconds=61))
        status, body = readyz(client)
        assert status == 503 and body["failed"] == ["worker"]
        assert "61 s ago" in body["checks"]["worker"]

    def test_the_most_recent_of_several_workers_counts(self, app, client, faq):
        """One live worker is enough, whatever the silent ones left behind."""
        with db.transaction(app) as session:
            heartbeat.beat(session, "worker-old", NOW - timedelta(hours=2))
            heartbeat.beat(session, "worker-new", NOW - timedelta(seconds=1))
        assert readyz(client)[0] == 200

    def test_a_deployment_without_a_worker_says_so(self, database_url, line_api, faq):
        """WORKER_HEARTBEAT_MAX_AGE_SECONDS = 0: no heartbeat is asked for, and the check says why."""
        app = create_app({**line_config(database_url, line_api.url), "WORKER_HEARTBEAT_MAX_AGE_SECONDS": 0},
                         clock=lambda: NOW)
        try:
            status, body = readyz(app.test_client())
        finally:
            db.session_factory(app).kw["bind"].dispose()
        assert status == 200 and body["checks"]["worker"].startswith("not expected")

    def test_content_is_loaded_by_the_check(self, database_url, line_api, faq):
        """A new process's first /readyz builds the FAQ matcher (the check warms it up)."""
        app = create_app({**line_config(database_url, line_api.url), "WORKER_HEARTBEAT_MAX_AGE_SECONDS": 0},
                         clock=lambda: NOW)
        try:
            with Delta(("bot_matcher_build_seconds_count", {})) as delta:
                assert readyz(app.test_client())[0] == 200
        finally:
            db.session_factory(app).kw["bind"].dispose()
        assert delta.moved == [1]

    def test_content_that_fails_to_load_is_not_ready(self, app, client, faq, monkeypatch):
        """A cache that cannot be built (a broken matcher) makes /readyz 503 and names it."""
        beat_at(app, NOW)

        def broken(session, counters=None, *, wait=None):
            raise RuntimeError("index file unreadable")

        monkeypatch.setattr(runtime.of(app).caches["faq.index"], "get", broken)
        status, body = readyz(client)
        assert status == 503 and body["failed"] == ["content"]
        assert body["checks"]["content"].startswith("faq.index: RuntimeError")

    def test_readiness_reads_take_no_write_lock(self, app, client, faq, database_url):
        """/readyz answers while another connection holds SQLite's write lock (its reads take none)."""
        if not database_url.startswith("sqlite"):
            pytest.skip("SQLite's write lock")
        beat_at(app, NOW)
        client.get("/readyz")  # content loaded first
        locker = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=0)
        try:
            locker.execute("BEGIN IMMEDIATE")
            status, _body = readyz(client)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert status == 200


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """A database of this test's own, migrated to the latest revision (dropped afterwards on PostgreSQL)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        alembic_command.upgrade(_alembic(url), "head")
        yield url
        return
    base = sa.make_url(database_url)
    name = f"{base.database}_scratch_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    alembic_command.upgrade(_alembic(url), "head")
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def scratch_app(scratch_url, line_api):
    """The app on the scratch database, with a fresh worker heartbeat (so only what a test breaks fails)."""
    app = create_app(line_config(scratch_url, line_api.url), clock=lambda: NOW)
    beat_at(app, NOW)
    yield app
    db.session_factory(app).kw["bind"].dispose()


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    engine.dispose()


class TestBrokenDatabase:
    def test_a_healthy_scratch_database_is_ready(self, scratch_app):
        """The scratch app is ready before anything is broken (so each failure below is the breakage's)."""
        assert readyz(scratch_app.test_client())[0] == 200

    def test_a_replaced_database_file_is_not_ready(self, tmp_path, line_api):
        """The earlier failure: the database file replaced by an empty one. Every webhook fails with
        "no such table", and /readyz says 503 (the schema has no migration) while /healthz stays 200."""
        path = tmp_path / "bot.sqlite3"
        url = f"sqlite:///{path}"
        alembic_command.upgrade(_alembic(url), "head")
        app = create_app({**line_config(url, line_api.url), "TESTING": False}, clock=lambda: NOW)
        client = app.test_client()
        beat_at(app, NOW)
        assert readyz(client)[0] == 200
        replacement = tmp_path / "empty.sqlite3"
        sqlite3.connect(replacement).close()
        os.replace(replacement, path)
        db.session_factory(app).kw["bind"].dispose()  # new connections open the new file
        raw = factories.body(factories.text_event("住民票"))
        webhook = client.post("/callback", data=raw, content_type="application/json",
                              headers={"X-Line-Signature": factories.sign(raw)})
        assert webhook.status_code == 500
        status, body = readyz(client)
        assert status == 503 and body["failed"] == ["schema"]
        assert "no such table" in body["checks"]["schema"]
        assert body["checks"]["tables"] == "skipped"
        assert client.get("/healthz").status_code == 200
        db.session_factory(app).kw["bind"].dispose()

    def test_a_dropped_table_is_not_ready(self, scratch_app, scratch_url):
        """A table the webhook needs gone (the schema still says latest): 503 naming the table."""
        execute(scratch_url, "DROP TABLE inbound_event")
        status, body = readyz(scratch_app.test_client())
        assert status == 503 and body["failed"] == ["tables"]
        assert body["checks"]["tables"].startswith("inbound_event: ")

    def test_a_missing_column_is_not_ready(self, scratch_app, scratch_url):
        """A table without a column the app reads is as unreadable as a missing table."""
        execute(scratch_url, "ALTER TABLE conversation DROP COLUMN expires_at")
        status, body = readyz(scratch_app.test_client())
        assert status == 503 and body["checks"]["tables"].startswith("conversation: ")

    def test_an_old_revision_is_not_ready(self, scratch_app, scratch_url):
        """A database stamped at an older revision (``db upgrade`` not run): 503 naming both revisions."""
        alembic_command.stamp(_alembic(scratch_url), "0012")
        status, body = readyz(scratch_app.test_client())
        assert status == 503 and body["failed"] == ["schema"]
        assert "at 0012, expected" in body["checks"]["schema"]

    def test_an_unreachable_database_is_not_ready(self, tmp_path, line_api):
        """A database that cannot be opened: 503, the database check failed and the rest skipped."""
        url = f"sqlite:///{tmp_path / 'missing-folder' / 'bot.sqlite3'}"
        app = create_app(line_config(url, line_api.url), clock=lambda: NOW)
        status, body = readyz(app.test_client())
        assert status == 503 and body["failed"] == ["database"]
        assert body["checks"]["schema"] == "skipped"

    def test_the_heartbeat_table_is_read_as_written(self, scratch_app, scratch_url):
        """A heartbeat written by one process is what another process's /readyz reads (one row per worker)."""
        with db.transaction(scratch_app) as session:
            heartbeat.beat(session, "worker-a", NOW + timedelta(seconds=1))
            assert session.scalar(sa.select(sa.func.count()).select_from(WorkerHeartbeat)) == 1
        assert readyz(scratch_app.test_client())[0] == 200


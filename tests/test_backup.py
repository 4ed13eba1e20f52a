"""``db backup`` and ``db restore``: an online copy of the SQLite database, and bringing it back."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

import db
from app import create_app
from faq.models import FaqEntry
from tests import chat


def sqlite_app(path):
    """An app on its own SQLite file (whatever database the suite runs on), migrated to the latest schema."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "k"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app


def faq_count(app) -> int:
    with db.transaction(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(FaqEntry))


@pytest.fixture
def live(tmp_path):
    """The demo pack in a SQLite database that is still in use."""
    app = sqlite_app(tmp_path / "live.sqlite3")
    chat.load_demo_pack(app)
    yield app
    db.session_factory(app).kw["bind"].dispose()


def test_backup_copies_every_row(live, tmp_path):
    """The backup holds the same FAQ entries as the live database."""
    result = live.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT count(*) FROM faq_entry").fetchone()[0] == faq_count(live) > 0


def test_backup_does_not_wait_for_a_reader(live, tmp_path):
    """A backup taken while another process holds a read transaction completes (online backup)."""
    url = db.session_factory(live).kw["bind"].url.database
    reader = sqlite3.connect(url, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM faq_entry").fetchone()
    try:
        result = live.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "copy.sqlite3")])
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert result.exit_code == 0, result.output


def test_writes_go_on_while_the_backup_runs(live, tmp_path):
    """A write committed by another connection during the backup is not blocked past the busy timeout."""
    url = db.session_factory(live).kw["bind"].url.database
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with sqlite3.connect(url, timeout=5) as writer:
                writer.execute("UPDATE faq_entry SET category = category")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    result = live.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "copy.sqlite3")])
    thread.join()
    assert result.exit_code == 0, result.output
    assert errors == []


def test_backup_never_overwrites_a_file(live, tmp_path):
    """An existing target file is refused, not overwritten."""
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"keep me")
    result = live.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert result.exit_code != 0 and "exists" in result.output
    assert target.read_bytes() == b"keep me"


def test_restore_brings_back_the_backup(live, tmp_path):
    """After a restore into an emptied database, the bot answers from the restored FAQ."""
    backup = tmp_path / "copy.sqlite3"
    assert live.test_cli_runner().invoke(args=["db", "backup", str(backup)]).exit_code == 0
    expected = faq_count(live)
    fresh = sqlite_app(tmp_path / "fresh.sqlite3")
    assert faq_count(fresh) == 0
    result = fresh.test_cli_runner().invoke(args=["db", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert faq_count(fresh) == expected
    answer = fresh.test_cli_runner().invoke(args=["ask", "住民票がほしい", "--json"])
    assert answer.exit_code == 0 and '"kind": "faq"' in answer.output


def test_restore_refuses_a_file_that_is_not_a_backup(live, tmp_path):
    """A file that is not a SQLite database of this app is refused and the database is left as it was."""
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    before = faq_count(live)
    result = live.test_cli_runner().invoke(args=["db", "restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "not a backup" in result.output
    assert faq_count(live) == before


def test_restore_refuses_another_apps_database(live, tmp_path):
    """A SQLite file without this app's schema revision is refused."""
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    result = live.test_cli_runner().invoke(args=["db", "restore", str(other), "--yes"])
    assert result.exit_code != 0 and "not a backup" in result.output


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    """On PostgreSQL the command explains that pg_dump is the tool (no connection is needed to say so)."""
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none",
                      "SECRET_KEY": "k"})
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output

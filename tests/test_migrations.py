"""Models and migrations agree, on whichever database the suite runs."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import db
import schema


def test_migrations_match_the_models(database_url):
    """Autogenerate finds nothing to add after upgrading to head."""
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, schema.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path):
    """SQLite is set up for several processes: WAL journal and a busy timeout."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_sharing_delivery_content_keeps_queued_messages_both_ways(tmp_path):
    """0010 moves each delivery's messages into one shared content row, and its downgrade puts them back."""
    from alembic import command

    from tests.conftest import _alembic

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    config = _alembic(url)
    command.upgrade(config, "0009")
    engine = db.make_engine(url)
    messages = '[{"type": "text", "text": "お知らせ"}]'
    with engine.begin() as connection:
        for n in (1, 2):
            connection.execute(sa.text(
                "INSERT INTO delivery (key, line_user_id, kind, messages, content_hash, personal, retry_key, "
                "send_after, status, attempts, next_attempt_at, created_at) VALUES (:key, :user, 'test', :messages, "
                "'h1', 0, :retry, '2026-11-20 03:00:00', 'pending', 0, '2026-11-20 03:00:00', '2026-11-20 03:00:00')"),
                {"key": f"k{n}", "user": f"U{n}", "messages": messages, "retry": f"{n:032x}"})
    command.upgrade(config, "0010")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT content_hash, messages FROM delivery_content")).all() == [
            ("h1", messages)]
    command.downgrade(config, "0009")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT messages FROM delivery ORDER BY key")).scalars().all() == [
            messages, messages]
    engine.dispose()


def test_existing_batches_get_the_kind_of_their_rows(tmp_path):
    """0023 gives each existing batch the kind of its delivery rows (quiet hours claim emergency batches by it)."""
    from alembic import command

    from tests.conftest import _alembic

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    config = _alembic(url)
    command.upgrade(config, "0022")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO delivery_batch (id, retry_key, content_hash, status, attempts, next_attempt_at, created_at) "
            "VALUES (7, :retry, 'h1', 'pending', 0, '2026-11-20 03:00:00', '2026-11-20 03:00:00')"),
            {"retry": f"{7:032x}"})
        connection.execute(sa.text(
            "INSERT INTO delivery (key, line_user_id, kind, content_hash, personal, retry_key, send_after, status, "
            "attempts, next_attempt_at, created_at, batch_id) VALUES ('k1', 'U1', 'emergency', 'h1', 0, :retry, "
            "'2026-11-20 03:00:00', 'pending', 0, '2026-11-20 03:00:00', '2026-11-20 03:00:00', 7)"),
            {"retry": f"{1:032x}"})
    command.upgrade(config, "0023")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT id, kind FROM delivery_batch")).all() == [(7, "emergency")]
    command.downgrade(config, "0022")
    engine.dispose()


def test_rebuilding_the_resident_table_keeps_its_rows_and_their_children(tmp_path):
    """0024 rebuilds SQLite's resident table (AUTOINCREMENT): residents, children and reminders all stay."""
    from alembic import command

    from residents.models import Child
    from residents.models import GarbageReminder
    from residents.models import Resident
    from tests.conftest import _alembic

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    config = _alembic(url)
    command.upgrade(config, "0023")
    engine = db.make_engine(url)
    with engine.begin() as connection:  # the models' columns are those of 0023 (0024 changes no column)
        connection.execute(sa.insert(Resident).values(id=7, line_user_id="U7"))
        connection.execute(sa.insert(Child).values(resident_id=7, due_date=date(2027, 3, 5)))
        connection.execute(sa.insert(GarbageReminder).values(resident_id=7, category="燃やせるごみ"))
    command.upgrade(config, "0024")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT id, line_user_id FROM resident")).all() == [(7, "U7")]
        assert connection.execute(sa.text("SELECT count(*) FROM child WHERE resident_id = 7")).scalar() == 1
        assert connection.execute(sa.text("SELECT count(*) FROM garbage_reminder")).scalar() == 1
        assert "AUTOINCREMENT" in connection.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE name = 'resident'")).scalar()
    engine.dispose()


def test_questions_logged_before_the_missed_mark_are_marked_as_the_queue_judged_them(tmp_path):
    """0040 marks fallbacks, weak direct answers (short queries against their higher bar), suggestions none
    fitted and answers rated unhelpful; a confident answer, a chosen suggestion and an emptied text stay unmarked."""
    from alembic import command

    from tests.conftest import _alembic

    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    config = _alembic(url)
    command.upgrade(config, "0039")
    engine = db.make_engine(url)
    rows = [(1, "ねこの里親", "fallback", None), (2, "住民票の紙がほしい", "faq", 0.6), (3, "住民票の写しがほしい", "faq", 0.9),
            (4, "住民票", "faq", 0.75), (5, "ごみぶくろ", "suggest", 0.4), (6, "粗大ごみ予約", "suggest", 0.4),
            (7, "犬の登録をしたい", "faq", 0.9), (8, "", "fallback", None)]
    with engine.begin() as connection:
        for id_, text, outcome, score in rows:
            connection.execute(sa.text(
                "INSERT INTO query_log (id, normalized_text, outcome, score, created_at) "
                "VALUES (:id, :text, :outcome, :score, '2026-11-20 03:00:00')"),
                {"id": id_, "text": text, "outcome": outcome, "score": score})
        connection.execute(sa.text(
            "INSERT INTO feedback (query_log_id, chosen_faq_id, helpful, created_at) VALUES "
            "(5, NULL, NULL, '2026-11-20 03:00:00'), (6, '7', NULL, '2026-11-20 03:00:00'), "
            "(7, '7', false, '2026-11-20 03:00:00')"))
    command.upgrade(config, "0040")
    with engine.connect() as connection:
        marked = connection.execute(sa.text("SELECT id FROM query_log WHERE missed ORDER BY id")).scalars().all()
    assert marked == [1, 2, 4, 5, 7]
    command.downgrade(config, "0039")
    engine.dispose()

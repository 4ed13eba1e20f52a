"""Database wiring: read transactions never take SQLite's write lock and refuse to write; pooled PostgreSQL
connections are pinged only after they were idle."""

from __future__ import annotations

import contextlib
import os
import threading
import time

import pytest
import sqlalchemy as sa

import db
from bot import inbox
from bot.models import InboundEvent
from faq.models import FaqEntry
from tests import factories
from tests.conftest import NOW
from tests.transactions import write_transactions


@pytest.fixture
def writer(app):
    """A write transaction held open on another connection (on SQLite: holding the write lock)."""
    connection = db.session_factory(app).kw["bind"].connect()
    transaction = connection.begin()
    connection.execute(sa.text("SELECT 1"))
    yield connection
    transaction.rollback()
    connection.close()


def test_a_read_transaction_does_not_wait_for_a_writer(app, writer):
    """While another connection holds a write transaction, a read transaction answers at once."""
    started = time.perf_counter()
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 0
    assert time.perf_counter() - started < 1.0


def test_healthz_answers_while_a_writer_holds_the_database(app, client, writer):
    """/healthz reads without the write lock: it answers 200 while a long write is in progress."""
    started = time.perf_counter()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert time.perf_counter() - started < 1.0


def test_metrics_answers_while_a_writer_holds_the_database(app, client, writer):
    """/metrics reads without the write lock too."""
    started = time.perf_counter()
    assert client.get("/metrics").status_code == 200
    assert time.perf_counter() - started < 1.0


def test_a_read_transaction_refuses_to_write(app):
    """An INSERT in a read transaction raises ReadOnlyError and stores nothing."""
    with pytest.raises(db.ReadOnlyError), db.read_transaction(app) as session:
        session.execute(sa.insert(FaqEntry).values(faq_id="x", question="q", answer="a"))
    with db.transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 0


def test_an_orm_flush_in_a_read_session_is_refused(app):
    """Adding an object through a read session fails on flush."""
    with pytest.raises(db.ReadOnlyError), db.read_transaction(app) as session:
        session.add(FaqEntry(faq_id="y", question="q", answer="a"))
        session.flush()


def test_write_transactions_still_take_the_write_lock_first(app, writer):
    """A second writer waits for the first (BEGIN IMMEDIATE) instead of failing later mid-transaction."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL locks rows, not the database")
    engine = sa.create_engine(app.config["DATABASE_URL"], connect_args={"timeout": 0.2})
    try:
        with pytest.raises(sa.exc.OperationalError, match="locked"), engine.connect() as other:
            other.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        engine.dispose()


def _sqlite_only(app) -> None:
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL locks rows, not the database")


def test_a_writer_gets_in_between_another_writers_back_to_back_transactions(app):
    """While another process commits 50 ms write transactions with only a few ms between them (a broadcast
    being planned), a short write transaction waits well under a second each time instead of the busy
    handler's 100 ms naps missing every gap until it times out."""
    _sqlite_only(app)
    import threading

    url = app.config["DATABASE_URL"]
    hog_engine, engine = db.make_engine(url), db.make_engine(url)
    stop = threading.Event()

    def hog() -> None:
        while not stop.is_set():
            with hog_engine.begin() as connection:
                started = time.perf_counter()
                while time.perf_counter() - started < 0.05:
                    connection.execute(sa.text("UPDATE broadcast SET note = note WHERE id = 0"))
            time.sleep(0.004)

    thread = threading.Thread(target=hog)
    thread.start()
    waits = []
    try:
        time.sleep(0.1)
        for _ in range(15):
            started = time.perf_counter()
            with engine.begin() as connection:
                connection.execute(sa.text("UPDATE broadcast SET note = note WHERE id = 0"))
            waits.append(time.perf_counter() - started)
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join()
        hog_engine.dispose()
        engine.dispose()
    assert max(waits) < 1.0, waits


def test_waiting_for_the_write_lock_still_times_out(app, writer):
    """A writer that never gets the lock fails with "database is locked" after the timeout, and its
    connection keeps SQLite's busy timeout for other statements."""
    _sqlite_only(app)
    engine = sa.create_engine(app.config["DATABASE_URL"])  # without the app's begin event
    try:
        with engine.connect() as connection:
            started = time.perf_counter()
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                db._begin_immediate(connection.connection.driver_connection, timeout=0.2)
            assert 0.2 <= time.perf_counter() - started < 2.0
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


def test_threads_of_one_process_take_turns_trying_for_the_write_lock(app, writer):
    """While the write lock is held elsewhere, four threads that want it try one at a time, not all at once:
    together they try about as often as one thread alone would."""
    _sqlite_only(app)
    engine = sa.create_engine(app.config["DATABASE_URL"], poolclass=sa.pool.NullPool)
    tries = []

    def wait_for_lock(timeout: float) -> None:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            raw.set_trace_callback(lambda statement: tries.append(statement) if "IMMEDIATE" in statement else None)
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                db._begin_immediate(raw, timeout=timeout)

    try:
        wait_for_lock(0.3)
        alone = len(tries)
        tries.clear()
        threads = [threading.Thread(target=wait_for_lock, args=(0.3,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        engine.dispose()
    assert alone > 20
    assert len(tries) < 1.5 * alone, (len(tries), alone)


def test_write_chunks_commits_each_step_in_a_transaction_of_its_own(app):
    """write_chunks runs the step until it says there is nothing left, one committed transaction each."""
    factory = db.session_factory(app)
    steps = []

    def step(session) -> bool:
        steps.append(1)
        session.execute(sa.insert(FaqEntry).values(faq_id=f"c{len(steps)}", question="q", answer="a"))
        return len(steps) < 3

    with write_transactions(factory) as committed:
        assert db.write_chunks(factory, step) == 3
    assert committed == [1, 1, 1]


def test_a_failing_chunk_keeps_the_chunks_committed_before_it(app):
    """A step that raises rolls back its own chunk only; the earlier chunks stay committed."""
    factory = db.session_factory(app)
    done = []

    def step(session) -> bool:
        session.execute(sa.insert(FaqEntry).values(faq_id=f"f{len(done)}", question="q", answer="a"))
        done.append(1)
        if len(done) == 3:
            raise RuntimeError("the process was killed")
        return True

    with pytest.raises(RuntimeError):
        db.write_chunks(factory, step)
    with db.read_transaction(app) as session:
        assert session.scalars(sa.select(FaqEntry.faq_id).order_by(FaqEntry.faq_id)).all() == ["f0", "f1"]


def test_a_writer_waiting_for_the_lock_gets_in_between_two_chunks(app):
    """A write transaction that starts waiting while a chunked bulk write holds SQLite's lock commits before
    the bulk write's last chunk (instead of waiting behind all of them)."""
    _sqlite_only(app)
    import threading

    factory = db.session_factory(app)
    waiting = threading.Event()
    chunks = []

    def other_writer() -> None:
        waiting.wait(30)
        with factory.begin() as session:
            session.execute(sa.insert(FaqEntry).values(faq_id="other", question="q", answer="a"))

    def step(session) -> bool:
        chunks.append(1)
        session.execute(sa.insert(FaqEntry).values(faq_id=f"bulk{len(chunks):02d}", question="q", answer="a"))
        waiting.set()
        time.sleep(0.02)  # a chunk's work, holding the lock
        return len(chunks) < 10

    thread = threading.Thread(target=other_writer)
    thread.start()
    try:
        db.write_chunks(factory, step)
    finally:
        thread.join()
    with db.read_transaction(app) as session:
        order = session.scalars(sa.select(FaqEntry.faq_id).order_by(FaqEntry.id)).all()
    assert order.index("other") < len(order) - 1, order


def test_a_statement_connection_commits_its_statement_by_itself_on_postgresql(app, database_url):
    """On PostgreSQL the statement of ``statement_connection`` commits without a transaction around it (no
    BEGIN and COMMIT round trips): another connection sees it before the block ends."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: on SQLite a statement connection is a write transaction")
    with db.statement_connection(app) as connection:
        inbox.accept(connection, [factories.text_event("こんにちは")], NOW)
        with db.read_transaction(app) as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 1


def _count_inbox(app) -> int:
    with db.read_transaction(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(InboundEvent))


@pytest.fixture
def held(app, database_url):
    """A ``HeldStatementConnection`` of ``app`` (PostgreSQL only) and the list of its engine's checkouts."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: on SQLite a held statement connection is a write transaction each time")
    checkouts = []
    sa.event.listen(db.session_factory(app).kw["bind"], "checkout",
                    lambda dbapi_connection, _record, _proxy: checkouts.append(dbapi_connection))
    return db.HeldStatementConnection(app), checkouts


def test_a_held_statement_connection_commits_each_statement_when_its_block_ends(app):
    """Each block's statement is committed when the block ends (on SQLite a write transaction each)."""
    statements = db.HeldStatementConnection(app)
    for text in ("ひとつ", "ふたつ"):
        with statements() as connection:
            inbox.accept(connection, [factories.text_event(text)], NOW)
        assert _count_inbox(app) == ("ひとつ", "ふたつ").index(text) + 1


def test_a_held_statement_connection_keeps_its_connection_between_statements(app, held):
    """On PostgreSQL two statements in a row use one connection, taken from the pool once."""
    statements, checkouts = held
    for text in ("ひとつ", "ふたつ"):
        with statements() as connection:
            inbox.accept(connection, [factories.text_event(text)], NOW)
    assert len(checkouts) == 1
    assert _count_inbox(app) == 2


def test_a_held_statement_connection_gives_back_a_connection_whose_statement_failed(app, held):
    """After a statement fails, the next one runs on a connection taken from the pool again."""
    statements, checkouts = held
    with pytest.raises(sa.exc.ProgrammingError), statements() as connection:
        connection.execute(sa.text("SELECT * FROM no_such_table"))
    with statements() as connection:
        inbox.accept(connection, [factories.text_event("つぎ")], NOW)
    assert len(checkouts) == 2
    assert _count_inbox(app) == 1


def test_a_held_statement_connection_is_taken_again_after_sitting_idle(app, held, monkeypatch):
    """A connection idle longer than PING_AFTER_IDLE goes back to the pool: the next is taken (and pinged)."""
    statements, checkouts = held
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    for text in ("ひとつ", "ふたつ"):
        with statements() as connection:
            inbox.accept(connection, [factories.text_event(text)], NOW)
    assert len(checkouts) == 2


def test_a_held_statement_connection_is_closed_when_the_engine_is_disposed(app, held):
    """Disposing of the engine closes the held connection too (it is checked out, so the pool alone would not)."""
    statements, checkouts = held
    with statements() as connection:
        inbox.accept(connection, [factories.text_event("ひとつ")], NOW)
    db.session_factory(app).kw["bind"].dispose()
    assert checkouts[0].closed


def test_a_held_statement_connection_in_a_forked_child_leaves_its_parents_alone(app, held, monkeypatch):
    """In a forked child (another pid) the parent's held connection is neither used nor closed."""
    statements, checkouts = held
    with statements() as connection:
        inbox.accept(connection, [factories.text_event("ひとつ")], NOW)
    parent = os.getpid()
    monkeypatch.setattr(db.os, "getpid", lambda: parent + 1)
    try:
        with statements() as connection:
            inbox.accept(connection, [factories.text_event("ふたつ")], NOW)
        assert len(checkouts) == 2
        assert not checkouts[0].closed
    finally:
        for inherited in db._INHERITED:
            inherited.invalidate()
            inherited.close()
        db._INHERITED.clear()


@pytest.fixture
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no server to lose a connection to")
    return database_url


@contextlib.contextmanager
def _connection_killed_in_pool(url: str):
    """An engine whose one pooled connection's server side has ended; yields (engine, that backend's pid)."""
    engine, killer = db.make_engine(url), db.make_engine(url)
    try:
        with engine.connect() as connection:
            pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as other:
            # Waits up to 5 s for the backend to end, so that the next use of its connection finds it gone.
            assert other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()
        yield engine, pid
    finally:
        engine.dispose()
        killer.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def test_a_pooled_connection_idle_too_long_is_pinged_and_replaced_when_dead(pg_url, monkeypatch):
    """A pooled PostgreSQL connection whose server side ended while it was idle past the limit is found
    dead by the ping before use: the transaction gets a new connection and succeeds."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    with _connection_killed_in_pool(pg_url) as (engine, pid):
        assert _backend(engine) != pid


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_url, monkeypatch):
    """Back-to-back transactions reuse the pooled connection without a round trip to ping it."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    engine = db.make_engine(pg_url)
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi_connection: pings.append(dbapi_connection))
    try:
        for _ in range(3):
            with engine.begin() as connection:
                connection.execute(sa.text("SELECT 1"))
        assert pings == []
    finally:
        engine.dispose()


def test_a_connection_lost_within_the_idle_limit_fails_one_transaction_only(pg_url, monkeypatch):
    """Unpinged, a connection whose server side ended fails the transaction that uses it; the next one gets
    a new connection (SQLAlchemy replaces the pool's connections on a disconnect)."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    with _connection_killed_in_pool(pg_url) as (engine, pid):
        with pytest.raises(sa.exc.OperationalError), engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        assert _backend(engine) != pid

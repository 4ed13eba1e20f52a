"""Database wiring: the declarative Base, the engine, the session for each request or command, and ``db …``.

Domain code receives a ``Session``; only this module creates engines. SQLite gets WAL and a busy
timeout so that gunicorn workers and push workers can share one file; PostgreSQL needs nothing extra.

Two kinds of transaction. A write transaction (``transaction``, ``get_session``, ``session_factory``) takes
SQLite's write lock when it begins, trying for it every millisecond so that it never starves behind a
writer that commits short transactions back to back (``_begin_immediate``). A read transaction
(``read_transaction``, ``read_session``, ``read_only``) never does: on SQLite it begins deferred and, in WAL
mode, reads a snapshot while a writer works, so health checks, metrics and other reads never wait behind a
long write nor make writers wait.
A read transaction refuses to write (``ReadOnlyError``), on every database.

Bulk writes (planning a day, purges, retention) go through ``write_chunks``: many short write transactions
instead of one long one, with a pause between them on SQLite so that a webhook waiting for the lock goes
first. A webhook then waits at most about one chunk behind them.
"""

from __future__ import annotations

import contextlib
import enum
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask import current_app
from flask import g
from flask.cli import AppGroup
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 5000
# While SQLite's write lock is held elsewhere, a writer tries again this often (seconds) until the busy
# timeout: short enough to take any gap between another writer's transactions (see ``_begin_immediate``).
SQLITE_LOCK_POLL = 0.001
# On SQLite, seconds a bulk writer waits at least between two of its short transactions (``write_chunks``): a
# writer waiting for the lock tries again every ``SQLITE_LOCK_POLL`` and takes it in the gap. PostgreSQL locks
# rows and needs no pause.
CHUNK_PAUSE = 0.004
# ... and at least this share of the time its last transaction took, so that writers that queued behind a
# chunk (webhooks, the answer processes) take their turns before the next one. A chunk of planning takes about
# 20 ms: a webhook waits about that long at most; a share of 1.0 made planning a day for a million residents
# take 80 s instead of 51 s (README: Figures).
CHUNK_YIELD = 0.25
READ_ONLY = "bot_read_only"  # execution option of the engines behind read transactions
# A pooled PostgreSQL connection idle longer than this is pinged before it is used again (``_ping_when_idle``).
PING_AFTER_IDLE = 1.0
_LAST_USED = "bot_last_used"  # key in a pooled connection's ``info``: when it was connected or last returned
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")  # statements that write begin so
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    """Base class of every model; constraint names follow Alembic's naming guide."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware; the default for created/updated columns."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware datetime stored as UTC on every backend (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_column(cls: type[enum.Enum]) -> sa.Enum:
    """A column type storing ``cls`` members by their value as plain strings (no native DB enum)."""
    return sa.Enum(cls, native_enum=False, length=16, values_callable=lambda members: [m.value for m in members])


def one_of(column: sa.ColumnElement, name: str, *, postgres: bool, values: list | None = None
           ) -> sa.ColumnElement[bool]:
    """``column`` is one of the list bound as ``name`` (or given as ``values``): one array parameter on
    PostgreSQL (``= ANY``), an expanding ``IN (…)`` elsewhere. A thousand values stay one parameter where
    the database allows it."""
    if postgres:
        return column == sa.any_(sa.bindparam(name, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(sa.bindparam(name, values, expanding=True))


class ReadOnlyError(sa.exc.InvalidRequestError):
    """A statement that writes was run in a read transaction."""


def make_engine(url: str) -> sa.Engine:
    """Create an engine for ``url``; SQLite connections get WAL, a busy timeout and foreign keys.

    Statement parameters are hidden from logs and error messages (``hide_parameters``): they hold residents'
    LINE user ids and what they wrote, and a database error is logged with its message. Connections opened
    through ``read_only`` refuse statements that write.
    """
    engine = _make_engine(url)

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes(connection, _cursor, statement, _parameters, context, _executemany):
        if connection.get_execution_options().get(READ_ONLY) and (
                statement.lstrip()[:7].upper().startswith(WRITES) or context is not None and (
                    context.isinsert or context.isupdate or context.isdelete)):
            raise ReadOnlyError(f"a read transaction may not write: {statement[:60]}")

    return engine


def _make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                                  hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions start (savepoints work).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits only.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
                return  # ``autocommit()``: each statement stands alone, and a read takes no write lock
            # A write transaction takes the write lock up front: a WAL reader cannot be upgraded to a
            # writer once another process has committed, so a deferred transaction that writes would fail
            # with SQLITE_BUSY instead of waiting its turn. A read transaction never writes (its
            # connections refuse to): it begins deferred and reads a snapshot without taking any lock that
            # writers wait for.
            if connection.get_execution_options().get(READ_ONLY):
                connection.exec_driver_sql("BEGIN")
            else:
                _begin_immediate(connection.connection.driver_connection)

        return engine
    engine = sa.create_engine(url, hide_parameters=True)
    _ping_when_idle(engine, idle=PING_AFTER_IDLE)
    return engine


def _ping_when_idle(engine: sa.Engine, *, idle: float,
                    clock: Callable[[], float] = time.monotonic) -> None:
    """Ping a pooled connection of ``engine`` before it is used again only when it has been idle more than
    ``idle`` seconds; one that does not answer is replaced by a new connection (up to three tries).

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: a round trip to the server for every transaction,
    a tenth of the push sender's time while it claims the next batches back to back. A connection used a
    moment ago is very likely alive; should the server restart in that moment, the transaction that uses it
    fails, and SQLAlchemy then replaces every connection of the pool (its optimistic handling).
    """

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record):
        record.info[_LAST_USED] = clock()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        record.info[_LAST_USED] = clock()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy):
        if clock() - record.info.get(_LAST_USED, float("-inf")) <= idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError("the pooled connection did not answer a ping") from error


# The one thread of this process that is trying for SQLite's write lock (see ``_begin_immediate``); a new
# lock in a forked child, where the thread that held it does not exist.
_WAITING = threading.Lock()
os.register_at_fork(after_in_child=lambda: globals().update(_WAITING=threading.Lock()))


def _begin_immediate(raw: sqlite3.Connection, *, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000,
                     poll: float = SQLITE_LOCK_POLL, clock: Callable[[], float] = time.monotonic) -> None:
    """Begin a write transaction on a SQLite connection (the driver's own), waiting up to ``timeout`` for
    the write lock by trying again every ``poll`` seconds; raises ``OperationalError`` ("database is
    locked") after that.

    SQLite's own busy handler backs off to sleeping 100 ms between tries, so a webhook waiting behind a
    writer that commits short transactions back to back (a broadcast being planned in chunks) could miss
    every gap between them and wait seconds, or time out. Trying every millisecond takes the first gap:
    the wait is bounded by one of the other writer's transactions. The tries go to the driver directly:
    through SQLAlchemy each refused one cost a wrapped exception, and a dozen waiting threads spent the
    processes' time on those instead of on the requests.

    Within a process, one thread at a time tries (``_WAITING``); the others wait on that lock, which costs
    them nothing, and each takes its turn as soon as the one before it has begun its transaction. Eight
    threads each trying every millisecond spent a third of the process's time on the tries.
    """
    deadline = clock() + timeout
    if not _WAITING.acquire(timeout=max(timeout, 0.0)):
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
    try:
        _try_begin_immediate(raw, deadline, poll, clock)
    finally:
        _WAITING.release()


def _try_begin_immediate(raw: sqlite3.Connection, deadline: float, poll: float, clock: Callable[[], float]
                         ) -> None:
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _locked(error) or clock() >= deadline:
                    raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
            time.sleep(poll)
    finally:
        raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _locked(error: sqlite3.OperationalError) -> bool:
    """True when SQLite failed because another connection holds the lock (SQLITE_BUSY)."""
    return getattr(error, "sqlite_errorname", "") == "SQLITE_BUSY" or "locked" in str(error)


def init_app(app: Flask, url: str) -> None:
    """Create the engine and session factory for ``app``, close the request session on teardown, and
    register the ``db`` commands."""
    engine = make_engine(url)
    app.extensions["db"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["db_read"] = read_only(app.extensions["db"])
    app.teardown_appcontext(_close_session)
    app.cli.add_command(db_cli)


def forget_connections(app: Flask, *, inherited: bool) -> None:
    """Drop the database connections of ``app``'s pool, so that no connection is shared across a fork: a
    process closes its own (``inherited=False``); a forked child drops the ones it inherited without closing
    them (``inherited=True``: closing would end the parent's sessions)."""
    session_factory(app).kw["bind"].dispose(close=not inherited)


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    """The session factory of ``app`` (default: the current app)."""
    return (app or current_app).extensions["db"]


def read_only(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """A session factory like ``factory`` whose transactions only read: they never take SQLite's write lock
    and refuse to write. It shares ``factory``'s connection pool."""
    engine = factory.kw["bind"]
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}),
                        **{name: value for name, value in factory.kw.items() if name != "bind"})


def read_factory(app: Flask | None = None) -> sessionmaker[Session]:
    """The read-only session factory of ``app`` (default: the current app)."""
    return (app or current_app).extensions["db_read"]


def read_session() -> Session:
    """A read-only session for the current request or command, opened on first use (see ``read_only``)."""
    if "db_read_session" not in g:
        g.db_read_session = read_factory()()
    return g.db_read_session


def writer_beside(session: Session) -> sa.Engine | None:
    """The engine to write on in short transactions of its own while ``session`` reads, or None.

    Only a session on an autocommit connection that may write (warming up) has one: it holds no transaction,
    so a write beside it cannot wait on a lock it holds itself (on SQLite, a request's write transaction
    would), and it is not read-only (a cache's background rebuild is: a request may wait for it while it
    holds the write lock).
    """
    bind = session.get_bind()
    if not isinstance(bind, sa.Connection):
        return None
    options = bind.get_execution_options()
    if options.get("isolation_level") != "AUTOCOMMIT" or options.get(READ_ONLY):
        return None
    return bind.engine


def is_read_only(session: Session) -> bool:
    """Whether ``session`` is in a read transaction (its statements cannot change a row)."""
    return bool(session.connection().get_execution_options().get(READ_ONLY))


def load_for_reading(session: Session, column: sa.orm.InstrumentedAttribute, keys: Collection[str], *,
                     held: bool = False) -> set[str]:
    """Load the rows whose ``column`` (unique) is one of ``keys`` in one statement and keep them, or None for
    a key without a row, for ``loaded`` to hand out for the rest of this read transaction (where no row can
    be added or removed behind them); returns the keys that have a row.

    ``held``: the keys' rows are those of events this process holds (see ``remember``), which no other writer
    touches meanwhile; they are then kept in a write transaction too."""
    if not (held or is_read_only(session)):
        raise ValueError("rows are kept in memory only in a read transaction, or for events held")
    entity = column.class_
    rows = {getattr(row, column.key): row for row in session.scalars(
        sa.select(entity).where(column.in_(sa.bindparam("keys", expanding=True))), {"keys": list(keys)})}
    session.info.setdefault(("loaded", entity), {}).update({key: rows.get(key) for key in keys})
    return set(rows)


def loaded(session: Session, entity: type, key: str) -> tuple[bool, Any]:
    """``(True, row or None)`` when ``load_for_reading`` loaded ``key`` of ``entity`` in this session or
    ``remember`` noted it (a row deleted since no longer counts), else ``(False, None)``: the caller reads
    the database."""
    kept = session.info.get(("loaded", entity))
    if kept is None or key not in kept:
        return False, None
    row = kept[key]
    if row is None:
        return True, None
    state = sa.inspect(row)
    if state.deleted or state.was_deleted or row in session.deleted:
        return True, None  # deleted in this session
    return (True, row) if state.persistent or state.pending else (False, None)


def remember(session: Session, entity: type, key: str, row: Any) -> None:
    """Note what this session knows of ``key`` of ``entity`` (its row, or None: no row) for ``loaded`` to
    hand out: after reading it in a transaction where no other writer touches it (the event's own resident
    and step, while its processor holds the claim), or after adding it."""
    session.info.setdefault(("loaded", entity), {})[key] = row


@contextlib.contextmanager
def read_transaction(app: Flask | None = None) -> Iterator[Session]:
    """A session in one read transaction (see ``read_only``), ended and closed afterwards."""
    with read_factory(app)() as session, session.begin():
        yield session


def get_session() -> Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    for name in ("db_session", "db_read_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()


@contextlib.contextmanager
def transaction(app: Flask | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error, then closed."""
    with session_factory(app)() as session, session.begin():
        yield session


@contextlib.contextmanager
def statement_connection(app: Flask | None = None) -> Iterator[sa.Connection]:
    """A connection for one write statement that commits by itself: on PostgreSQL in autocommit mode, which
    spares the round trips of BEGIN and COMMIT (a third of a hot path's cost); on SQLite a write transaction
    without an ORM session, committed at the end. On PostgreSQL two statements would commit one by one: only
    for one."""
    engine = session_factory(app).kw["bind"]
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


class HeldStatementConnection:
    """``statement_connection`` for a caller that runs its statements one at a time (the webhook's group
    commit): on PostgreSQL the autocommit connection is kept between statements instead of being taken from
    the pool and given back around each one (the checkout and its reset cost as much CPU as the insert).

    A held connection goes back to the pool when its statement failed, when it sat idle longer than
    ``PING_AFTER_IDLE`` (the next one is pinged at checkout, as any) and when the engine is disposed; a
    forked child never uses or returns its parent's. On SQLite: ``statement_connection``.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._held: sa.Connection | None = None
        self._owner = os.getpid()
        self._last_used = float("-inf")
        self._lock = threading.Lock()  # the caller's statements are one at a time; dispose may come from anywhere

    @contextlib.contextmanager
    def __call__(self) -> Iterator[sa.Connection]:
        engine = session_factory(self._app).kw["bind"]
        if engine.dialect.name != "postgresql":
            with statement_connection(self._app) as connection:
                yield connection
            return
        connection = self._take(engine)
        try:
            yield connection
        except BaseException:
            connection.close()
            raise
        with self._lock:
            self._held, self._last_used = connection, time.monotonic()

    def _take(self, engine: sa.Engine) -> sa.Connection:
        with self._lock:
            held, self._held = self._forget(), None
        if held is not None and (held.engine is not engine or held.invalidated
                                 or time.monotonic() - self._last_used > PING_AFTER_IDLE):
            held.close()
            held = None
        if held is None:
            if not event.contains(engine, "engine_disposed", self._disposed):
                event.listen(engine, "engine_disposed", self._disposed)
            held = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return held

    def _forget(self) -> sa.Connection | None:
        """The held connection if it is this process's; a forked child keeps its parent's untouched (the
        collector would return it to a pool, on the parent's socket)."""
        if self._owner != os.getpid():
            if self._held is not None:
                _INHERITED.append(self._held)
                self._held = None
            self._owner = os.getpid()
        return self._held

    def _disposed(self, _engine: sa.Engine) -> None:
        with self._lock:
            held, self._held = self._forget(), None
        if held is not None:
            held.invalidate()  # closes it: given back, it would go to the pool the engine has just dropped
            held.close()


_INHERITED: list[sa.Connection] = []  # held connections a forked child found: its parent's, never touched


def write_chunks(factory: sessionmaker[Session], step: Callable[[Session], bool], *,
                 pause: float = CHUNK_PAUSE, share: float = CHUNK_YIELD) -> int:
    """Run ``step`` again and again, each time in a short write transaction of its own, until it returns False
    (nothing left to do); returns how many transactions were committed.

    Each ``step`` does one chunk of a bulk write and commits it, so that no write transaction is long: on
    SQLite, between two chunks the writer waits ``pause`` seconds or ``share`` times as long as its last
    chunk took, whichever is longer, so that the writers waiting for the lock (webhooks, the inbox, the push
    sender) take it first and wait at most about one chunk each. A ``step`` that raises rolls
    its own chunk back; the chunks committed before it stay, so the work must be resumable (idempotent,
    or recording how far it came).
    """
    sqlite = factory.kw["bind"].dialect.name == "sqlite"
    committed, took = 0, 0.0
    while True:
        if committed and sqlite:
            time.sleep(max(pause, share * took))
        started = time.monotonic()
        with factory.begin() as session:
            more = step(session)
        took = time.monotonic() - started
        committed += 1
        if not more:
            return committed


@contextlib.contextmanager
def autocommit(app: Flask | None = None) -> Iterator[sa.Connection]:
    """A connection on which each statement stands alone: reads never wait for SQLite's write lock."""
    engine = session_factory(app).kw["bind"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


# ---- ``flask --app app db …``: the schema, through Alembic ---------------------------------------------------

db_cli = AppGroup("db", help="Database schema.")


def alembic_config() -> AlembicConfig:
    """Alembic's configuration for the current app's database."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = session_factory().kw["bind"].url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the schema to REVISION (default: the latest)."""
    alembic_command.upgrade(alembic_config(), revision)
    click.echo(f"database at {revision}")


@db_cli.command("check")
def db_check() -> None:
    """Fail if the models have changes that no migration covers."""
    alembic_command.check(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="Short name of the change, e.g. add_shelter.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    alembic_command.revision(alembic_config(), message=message, autogenerate=True)


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Copy the SQLite database to PATH while the bot keeps running (SQLite's online backup).

    The copy is consistent as of one moment; residents are not locked out while it is written (the
    backup works in steps and lets other connections in between). PostgreSQL: use ``pg_dump`` (README).
    """
    url = session_factory().kw["bind"].url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("db backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)")
    if path.exists():
        raise click.ClickException(f"{path} exists; give a new file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = _sqlite_copy(Path(url.database), path)
    click.echo(f"backed up {pages} pages to {path}")


@db_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def db_restore(path: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup at PATH (stop the web and push processes first).

    The backup is checked first (it must be a SQLite database of this app); then its pages are copied over
    the current database in one step, so a reader never sees half of each. Run ``db upgrade`` afterwards
    when the backup comes from an older version.
    """
    url = session_factory().kw["bind"].url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("db restore restores SQLite backups; for PostgreSQL use pg_restore or psql")
    revision = _backup_revision(path)
    if not yes:
        click.confirm(f"Replace {url.database} with {path} (schema {revision})?", abort=True)
    session_factory().kw["bind"].dispose()
    pages = _sqlite_copy(path, Path(url.database))
    click.echo(f"restored {pages} pages from {path} (schema {revision}); run db upgrade if it is older")


BACKUP_PAGES_PER_STEP = 1024  # ~4 MB per step; other connections get the database between steps


def _sqlite_copy(source: Path, target: Path) -> int:
    """Copy the SQLite database ``source`` into ``target`` with the online backup API; returns the pages."""
    pages = 0

    def progress(_status: int, _remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    with contextlib.closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as src, \
            contextlib.closing(sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as dst:
        src.backup(dst, pages=BACKUP_PAGES_PER_STEP, progress=progress, sleep=0.005)
    return pages


def _backup_revision(path: Path) -> str:
    """The schema revision recorded in the backup at ``path``; ClickException when it is not one of ours."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a backup of this app ({error})") from None
    if row is None:
        raise click.ClickException(f"{path} has no schema revision; not a backup of this app")
    return row[0]

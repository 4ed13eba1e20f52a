"""Probes of what reaches the database: the write transactions an operation commits and the rows each one
changed, and the statements run inside a block."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import event

import db


@contextlib.contextmanager
def write_transactions(factory) -> Iterator[list[int]]:
    """While open, records each committed write transaction of ``factory``'s engine as the rows its
    INSERT/UPDATE/DELETE statements changed (read transactions are left out)."""
    engine: sa.Engine = factory.kw["bind"]
    committed: list[int] = []
    changing: dict[int, int] = {}

    def after_execute(connection, _cursor, _statement, _parameters, context, _executemany) -> None:
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            key = id(connection)
            changing[key] = changing.get(key, 0) + max(context.rowcount or 0, 0)

    def begin(connection) -> None:
        changing[id(connection)] = 0

    def commit(connection) -> None:
        changed = changing.pop(id(connection), 0)
        if not connection.get_execution_options().get(db.READ_ONLY):
            committed.append(changed)

    listeners = (("after_cursor_execute", after_execute), ("begin", begin), ("commit", commit))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield committed
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


@contextlib.contextmanager
def statements(session) -> Iterator[list[str]]:
    """While open, records the SQL statements run on the engine of ``session``."""
    run: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:
        run.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield run
    finally:
        event.remove(engine, "before_cursor_execute", note)

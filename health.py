"""``/healthz`` (the process answers), ``/readyz`` (it can serve residents) and ``/metrics`` (Prometheus).

``/readyz`` answers 200 only when every check passes, else 503; its JSON body gives each check's result:

* ``database``: a connection opens and answers;
* ``schema``: the database is at the latest migration (``alembic_version`` against the migration scripts);
* ``tables``: every table of the app can be read, with each of its columns;
* ``content``: the per-process content the webhook uses (the FAQ matcher, the garbage catalog, the city,
  the health desk) is loaded, or loads now (a change being built beside it does not make it unready);
* ``worker``: a push worker's heartbeat is younger than ``WORKER_HEARTBEAT_MAX_AGE_SECONDS`` (0: the
  deployment runs none, and this check only says so).

Its reads never take SQLite's write lock (``db.autocommit``). ``/metrics`` reads only the counters kept in
memory (``metrics``), never the database; with ``METRICS_TOKEN`` set it asks for that bearer token.
"""

from __future__ import annotations

import functools
import hmac

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint
from flask import Response
from flask import request
from sqlalchemy.orm import Session

import db
import metrics
import runtime
import schema
from push import heartbeat

bp = Blueprint("health", __name__)

OK = "ok"
SKIPPED = "skipped"  # not checked, because a check it depends on failed
NOT_EXPECTED = "not expected (WORKER_HEARTBEAT_MAX_AGE_SECONDS = 0)"
MAX_DETAIL = 200


def init_app(app) -> None:
    """Serve ``/healthz``, ``/readyz`` and ``/metrics``."""
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz():
    """200 while the process answers requests; it asks nothing of the database (see ``/readyz``)."""
    return {"status": OK}


@bp.get("/readyz")
def readyz():
    """200 when the bot can answer residents, else 503; the body names each check and what failed."""
    checks = readiness()
    failed = [name for name, result in checks.items() if result not in (OK, SKIPPED, NOT_EXPECTED)]
    ready = all(result in (OK, NOT_EXPECTED) for result in checks.values())
    return {"status": "ready" if ready else "unavailable", "checks": checks, "failed": failed}, 200 if ready else 503


@bp.get("/metrics")
def metrics_view():
    """Every metric in the Prometheus text format, from memory; 401 without the token when one is set."""
    token = runtime.current().settings.metrics_token
    if token and not _bearer_matches(request.headers.get("Authorization", ""), token):
        return Response("401 Unauthorized\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"',
                                                    "Content-Type": "text/plain; charset=utf-8"})
    return Response(metrics.render(), 200, {"Content-Type": metrics.CONTENT_TYPE})


def readiness() -> dict[str, str]:
    """Each check's result by name: ``ok``, ``skipped``, or why it failed (see the module docstring)."""
    rt = runtime.current()
    checks = dict.fromkeys(("database", "schema", "tables", "content", "worker"), SKIPPED)
    try:
        with db.autocommit() as connection:
            connection.execute(sa.text("SELECT 1"))
            checks["database"] = OK
            checks["schema"] = _schema(connection)
            if checks["schema"] != OK:
                return checks
            checks["tables"] = _tables(connection)
            if checks["tables"] != OK:
                return checks
            checks["content"] = _content(connection, rt)
            checks["worker"] = _worker(connection, rt)
    except sa.exc.SQLAlchemyError as error:
        failing = next(name for name, result in checks.items() if result == SKIPPED)
        checks[failing] = _detail(error)
    return checks


@functools.cache
def latest_revisions() -> frozenset[str]:
    """The head revisions of the migration scripts (read once per process)."""
    return frozenset(ScriptDirectory(str(db.MIGRATIONS)).get_heads())


def _schema(connection: sa.Connection) -> str:
    try:
        current = frozenset(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    except sa.exc.SQLAlchemyError as error:
        return f"no migration recorded ({_detail(error)})"
    expected = latest_revisions()
    if current != expected:
        return f"at {', '.join(sorted(current)) or 'nothing'}, expected {', '.join(sorted(expected))}: run db upgrade"
    return OK


def _tables(connection: sa.Connection) -> str:
    for table in schema.metadata.sorted_tables:
        try:
            connection.execute(sa.select(table).limit(1)).all()
        except sa.exc.SQLAlchemyError as error:
            return f"{table.name}: {_detail(error)}"
    return OK


def _content(connection: sa.Connection, rt: runtime.Runtime) -> str:
    with Session(bind=connection) as session:
        for name, cache in rt.caches.items():
            try:
                cache.get(session, wait=rt.settings.content_swap_wait_seconds)
            except Exception as error:  # any failure to load means the webhook cannot answer
                return f"{name}: {_detail(error)}"
    return OK


def _worker(connection: sa.Connection, rt: runtime.Runtime) -> str:
    max_age = rt.settings.worker_heartbeat_max_age_seconds
    if max_age <= 0:
        return NOT_EXPECTED
    last = heartbeat.last_beat(connection)
    if last is None:
        return "no push worker has written a heartbeat"
    age = (rt.now() - last).total_seconds()
    if age > max_age:
        return f"last heartbeat {age:.0f} s ago (allowed {max_age:g} s)"
    return OK


def _detail(error: BaseException) -> str:
    """A short reason: the error's class and the first line of its message."""
    inner = error.orig if isinstance(error, sa.exc.DBAPIError) and error.orig is not None else error
    first_line = (str(inner).strip().splitlines() or [""])[0]
    return f"{type(inner).__name__}: {first_line}"[:MAX_DETAIL]


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

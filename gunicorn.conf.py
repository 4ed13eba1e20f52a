"""gunicorn's settings for the bot (``gunicorn --config gunicorn.conf.py``; bin/serve and the Dockerfile use it).

Measured on a 2-core machine (README: Figures): the web workers only store events and answer 200 (well under
LINE's 2 s); answer processes forked from the master answer the events after. How many web processes and
threads depends on the database (``app.web_processes``: one with 8 threads on PostgreSQL, two with 4 on
SQLite) unless ``WEB_WORKERS`` and ``WEB_THREADS`` say. The app is loaded and its caches warmed once in the
master (``preload_app``), so a worker starts with the FAQ matcher, garbage catalog, city and health desk
built, shared with the master copy-on-write; no database connection crosses the fork. Environment: ``BIND``,
``WEB_WORKERS``, ``WEB_THREADS``.
"""

from __future__ import annotations

import os

import app
import runtime

wsgi_app = "app:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
_processes, _threads = app.web_processes(app.database_url())  # by database, unless the environment says
workers = int(os.environ.get("WEB_WORKERS") or _processes)
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or _threads)  # per worker; the webhook waits only on the database
preload_app = True  # load and warm once in the master (see the hooks below)
# LINE gives up on a webhook after 2 s and redelivers it; ours answer in milliseconds. A worker silent for
# 10 s is killed and replaced: twice SQLite's 5 s busy timeout, so one waiting for the write lock is spared.
timeout = 10
graceful_timeout = 10  # a stopping worker finishes its requests (and inbox threads their event) this long
keepalive = 5  # seconds an idle keep-alive connection (a proxy's, LINE's) is kept open
accesslog = "-"  # one line per request on stdout (no bodies, no query strings with residents' data)
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'


def _flask_app(server_or_worker):
    return server_or_worker.app.wsgi()


_answerers = None  # the answer processes the master started (bot.answerers), seen by the workers it forks


def when_ready(server) -> None:
    """Master, before any worker is forked: warm the caches, close the master's connections, freeze the heap
    (``runtime.settle_heap``), then start the answer processes (INBOX_PROCESSES; they share the warm caches). Not
    preloaded, the master has no app: each worker then answers with its own inbox threads."""
    global _answerers
    if server.cfg.preload_app:
        flask_app = _flask_app(server)
        runtime.warm(flask_app)
        app.forget_connections(flask_app, inherited=False)
        runtime.settle_heap()
        _answerers = app.start_answerers(flask_app, close=[listener.sock for listener in server.LISTENERS])


def on_exit(server) -> None:
    """Master, on its way out (after the workers): stop the answer processes, each after its event."""
    if _answerers is not None:
        _answerers.stop()


def post_fork(server, worker) -> None:
    """Worker, right after the fork: drop any connection inherited from the master."""
    if server.cfg.preload_app:
        app.forget_connections(_flask_app(server), inherited=True)


def post_worker_init(worker) -> None:
    """Worker, before it accepts requests: warm the caches when not preloaded; start the inbox threads."""
    flask_app = worker.wsgi
    if not worker.cfg.preload_app:
        runtime.warm(flask_app)
        runtime.settle_heap()
    app.start_workers(flask_app, answer_processes=_answerers is not None)


def child_exit(server, worker) -> None:
    """Master, after a worker exited: forget its live-only metrics (PROMETHEUS_MULTIPROC_DIR)."""
    import metrics

    metrics.mark_process_dead(worker.pid)

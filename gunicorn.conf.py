"""gunicorn's settings for the bot (``gunicorn --config gunicorn.conf.py``; bin/serve and the Dockerfile use it).

Measured on a 2-core machine (README: Figures): two worker processes with a few threads each. The webhook
only stores events and answers 200 (well under LINE's 2 s); each process's inbox threads answer the events
after. The app is loaded and its caches warmed once in the master (``preload_app``), so a worker starts
with the FAQ matcher, garbage catalog, city and health desk built, shared with the master copy-on-write;
no database connection crosses the fork. Environment: ``BIND``, ``WEB_WORKERS``, ``WEB_THREADS``.
"""

from __future__ import annotations

import os

wsgi_app = "app:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))  # one per core: the answer path is CPU-bound Python
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))  # per worker; the webhook waits only on the database
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
    (``app.settle_heap``), then start the answer processes (INBOX_PROCESSES; they share the warm caches). Not
    preloaded, the master has no app: each worker then answers with its own inbox threads."""
    global _answerers
    if server.cfg.preload_app:
        import app

        flask_app = _flask_app(server)
        app.warm(flask_app)
        app.forget_connections(flask_app, inherited=False)
        app.settle_heap()
        _answerers = app.start_answerers(flask_app, close=[listener.sock for listener in server.LISTENERS])


def on_exit(server) -> None:
    """Master, on its way out (after the workers): stop the answer processes, each after its event."""
    if _answerers is not None:
        _answerers.stop()


def post_fork(server, worker) -> None:
    """Worker, right after the fork: drop any connection inherited from the master."""
    if server.cfg.preload_app:
        import app

        app.forget_connections(_flask_app(server), inherited=True)


def post_worker_init(worker) -> None:
    """Worker, before it accepts requests: warm the caches when not preloaded; start the inbox threads."""
    import app

    flask_app = worker.wsgi
    if not worker.cfg.preload_app:
        app.warm(flask_app)
        app.settle_heap()
    app.start_workers(flask_app, answer_processes=_answerers is not None)


def child_exit(server, worker) -> None:
    """Master, after a worker exited: forget its live-only metrics (PROMETHEUS_MULTIPROC_DIR)."""
    import metrics

    metrics.mark_process_dead(worker.pid)

"""gunicorn.conf.py's hooks: caches warmed before a worker takes traffic, no connection across a fork, inbox
threads started in each worker, a dead worker's metrics forgotten."""

from __future__ import annotations

import gc
import importlib.util
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

import db
import metrics
import runtime
from app import create_app
from tests.conftest import line_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def conf():
    """gunicorn.conf.py loaded as a module."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fresh_app(database_url, line_api, faq):
    """An app as a server process loads it: nothing built yet, inbox threads set."""
    app = create_app({**line_config(database_url, line_api.url), "INBOX_THREADS": 1, "INBOX_PROCESSES": 0})
    yield app
    app.extensions["bot"].inbox.stop(timeout=5)
    db.session_factory(app).kw["bind"].dispose()


def server_for(app, *, preload: bool):
    return SimpleNamespace(cfg=SimpleNamespace(preload_app=preload), app=SimpleNamespace(wsgi=lambda: app),
                           LISTENERS=[])


def pool_connections(app) -> int:
    return db.session_factory(app).kw["bind"].pool.checkedin()


def test_the_settings_preload_and_answer_within_lines_budget(conf):
    """The documented settings: preloaded app, worker timeout above SQLite's busy timeout, an access log."""
    assert conf.preload_app is True
    assert conf.wsgi_app == "app:create_app()"
    assert conf.timeout * 1000 > db.SQLITE_BUSY_TIMEOUT_MS
    assert conf.accesslog == "-"


def test_the_master_builds_every_cache_before_forking_and_keeps_no_connection(conf, fresh_app):
    """when_ready (preloaded) builds the matcher, catalogs, city and desk, then closes the pool."""
    caches = runtime.of(fresh_app).caches
    assert caches and not any(cache.ready for cache in caches.values())
    conf.when_ready(server_for(fresh_app, preload=True))
    assert all(cache.ready for cache in caches.values())
    assert pool_connections(fresh_app) == 0


def load_conf():
    """gunicorn.conf.py evaluated again, with the environment as it is now."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf_now", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_web_processes_follow_the_database(monkeypatch):
    """Without WEB_WORKERS and WEB_THREADS: one web process of 8 threads on PostgreSQL, two of 4 on SQLite."""
    monkeypatch.delenv("WEB_WORKERS", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://bot@db.invalid/bot")
    postgres = load_conf()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///bot.sqlite3")
    sqlite = load_conf()
    assert (postgres.workers, postgres.threads, sqlite.workers, sqlite.threads) == (1, 8, 2, 4)


def test_web_workers_and_threads_in_the_environment_win(monkeypatch):
    """WEB_WORKERS and WEB_THREADS set the web processes and threads whatever the database."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://bot@db.invalid/bot")
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "5")
    conf = load_conf()
    assert (conf.workers, conf.threads) == (3, 5)


def test_the_master_freezes_the_warm_heap_before_forking(conf, fresh_app):
    """when_ready (preloaded) leaves what warming built in the permanent generation, and the youngest
    generation collected less often than Python's default."""
    gc.unfreeze()
    conf.when_ready(server_for(fresh_app, preload=True))
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] > 700


def test_a_forked_worker_drops_the_connections_it_inherited(conf, fresh_app):
    """post_fork empties the pool (without closing the parent's connections)."""
    with db.session_factory(fresh_app).kw["bind"].connect() as connection:
        inherited = connection.connection.dbapi_connection
    assert pool_connections(fresh_app) == 1
    conf.post_fork(server_for(fresh_app, preload=True), SimpleNamespace())
    assert pool_connections(fresh_app) == 0
    inherited.close()  # the parent's to close; here parent and child are one process


def test_a_worker_not_preloaded_warms_itself_and_starts_its_inbox_threads(conf, fresh_app):
    """post_worker_init builds the caches when the master did not, and starts the inbox threads."""
    conf.post_worker_init(SimpleNamespace(cfg=SimpleNamespace(preload_app=False), wsgi=fresh_app))
    assert all(cache.ready for cache in runtime.of(fresh_app).caches.values())
    assert [thread.is_alive() for thread in fresh_app.extensions["bot"].inbox._workers] == [True]


def test_warming_an_unreadable_database_is_logged_not_fatal(conf, tmp_path, line_api, caplog):
    """A database without the schema: the server still starts; the caches are built on first use."""
    app = create_app({**line_config(f"sqlite:///{tmp_path / 'empty.sqlite3'}", line_api.url), "INBOX_PROCESSES": 0})
    with caplog.at_level(logging.WARNING):
        conf.when_ready(server_for(app, preload=True))
    assert "app.warm_failed" in caplog.messages
    assert not any(cache.ready for cache in runtime.of(app).caches.values())


def test_a_worker_that_exits_has_its_metrics_forgotten(conf, monkeypatch):
    """child_exit hands the worker's pid to the metrics' multiprocess clean-up."""
    dead = []
    monkeypatch.setattr(metrics, "mark_process_dead", dead.append)
    conf.child_exit(SimpleNamespace(), SimpleNamespace(pid=4242))
    assert dead == [4242]

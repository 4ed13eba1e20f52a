"""The application factory: the one place the settings are read and the packages are wired together."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import tomllib
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
import bot
import city
import db
import disaster
import faq
import garbage
import health
import healthdesk
import logconfig
import push
import residents
import runtime
import security
from bot import answerers
from bot import preview
from messaging.client import ConsoleLineClient
from messaging.client import LineClient
from messaging.client import SdkLineClient
from settings import Settings

log = logging.getLogger(__name__)

# Each package wires itself in: its caches, routes and commands. Order matters only for the caches the
# bot reads (city, faq, garbage) being registered before it.
PACKAGES = (city, faq, garbage, disaster, healthdesk, residents, push, bot, admin, health, security)


def create_app(
    test_config: dict | None = None,
    *,
    line_client: LineClient | None = None,
    clock: runtime.Clock | None = None,
) -> Flask:
    """Build the app: read the settings, open the database, then let each package wire itself in.

    ``line_client`` and ``clock`` replace the real LINE client and the system clock (tests, ``chat``).
    """
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config = _read_config(app, test_config)
    settings = Settings.from_mapping(config)
    app.config.update(config)
    logconfig.configure(settings.log_level)
    if settings.proxy_hops > 0:  # the client's address and scheme as the proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)  # type: ignore[method-assign]

    db.init_app(app, settings.database_url)
    if line_client is None:
        line_client = SdkLineClient.from_settings(settings) if settings.line_mode else ConsoleLineClient()
    if not settings.line_mode:
        log.info("bot.console_mode: no LINE credentials; /callback answers 503 and replies are printed")
    app.extensions[runtime.KEY] = runtime.Runtime(
        settings=settings,
        line=line_client,
        clock=clock or (lambda: datetime.now(UTC)),
        timezone=ZoneInfo(settings.bot_timezone),
    )
    for package in PACKAGES:
        package.init_app(app)
    app.extensions[admin.PREVIEW] = preview.preview  # the console's test page answers as the bot would
    return app


def _read_config(app: Flask, test_config: dict | None) -> dict:
    """Merge the defaults, instance/config.toml, .env and the environment (later wins), or the test config."""
    config = Settings.defaults()
    if test_config is None:
        toml_path = Path(app.instance_path) / "config.toml"
        if toml_path.exists():
            config.update(tomllib.loads(toml_path.read_text(encoding="utf-8")))
        env_path = Path(app.root_path) / ".env"
        if env_path.exists():
            config.update({k: v for k, v in dotenv_values(env_path).items() if k in config and v is not None})
        config.update({k: os.environ[k] for k in Settings.names() if k in os.environ})
    else:
        config.update(test_config)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'bot.sqlite3'}"
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    return config


def _instance_secret(path: Path) -> str:
    """A random secret kept in the instance folder, created once and shared by every process."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


# ---- serving: what gunicorn.conf.py's hooks call ---------------------------------------------------------


def forget_connections(app: Flask, *, inherited: bool) -> None:
    """Drop the database connections of this process's pool, so that no connection is shared across a fork.

    The master closes its own after warming (``inherited=False``); a forked worker drops the ones it may
    have inherited without closing them (``inherited=True``: closing would end the parent's sessions).
    """
    db.forget_connections(app, inherited=inherited)


def web_processes(database_url: str) -> tuple[int, int]:
    """The web worker processes, and threads per process, that serve the bot best on two cores with the
    database at ``database_url`` (gunicorn.conf.py's defaults).

    On PostgreSQL one process with 8 threads: the database works in processes of its own on the same
    cores, and one web process groups more webhooks per insert (``bot.inbox.GroupAccept``) and leaves the
    answer processes more of the CPU (benchmark at 400 webhooks/s offered, 2026-12-04: 775–878 accepted
    and 319–354 answered per second, every reply within 2 s, against 649–684 and 253–285 with 1,000 or
    more replies late with two processes). On SQLite two processes with 4 threads: the insert runs in the
    web process itself, and two accept 958–1,064 per second against about 600 with one."""
    if database_url.startswith("postgresql"):
        return 1, 8
    return 2, 4


def database_url() -> str:
    """The database URL the app will use, read as ``create_app`` reads its settings (for gunicorn.conf.py,
    before the app is loaded)."""
    return _read_config(Flask(__name__, instance_relative_config=True), None)["DATABASE_URL"]


def start_workers(app: Flask, *, answer_processes: bool = False) -> None:
    """Start this process's inbox threads (after the fork: threads do not survive one), so that events
    left behind are answered even before this process receives a webhook; with ``answer_processes``
    running (``start_answerers``), leave every event to them instead."""
    if answer_processes:
        app.extensions["bot"].inbox.leave_to_answerers()
    elif runtime.of(app).settings.inbox_threads > 0:
        app.extensions["bot"].inbox.start()


def start_answerers(app: Flask, *, close: Iterable[socket.socket] = ()) -> answerers.Answerers | None:
    """Start the answer processes (``bot.answerers``) unless ``INBOX_PROCESSES`` is 0 or the app is in console
    mode (no webhook, so no events); ``close``: sockets they must not keep. Call it in a process without
    threads or open connections (gunicorn's master)."""
    settings = runtime.of(app).settings
    if settings.inbox_processes <= 0 or not settings.line_mode:
        return None
    return answerers.start(app, close=close)

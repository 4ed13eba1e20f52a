"""The application factory: the one place configuration is read and the packages are wired together."""

from __future__ import annotations

import logging
import os
import secrets
import tomllib
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from flask import Flask
from linebot.v3 import WebhookParser

import cli
import db
import logconfig
from bot import webhook
from bot.service import BotServices
from city.service import CityCache
from faq.policy import AnswerPolicy
from faq.store import MatcherCache
from garbage.catalog import CatalogCache
from health import bp as health_bp
from messaging.client import ConsoleLineClient
from messaging.client import LineClient
from messaging.client import SdkLineClient

log = logging.getLogger(__name__)

THRESHOLDS = Path(__file__).resolve().parent / "faq" / "thresholds.toml"

# Every setting, with its default; each can come from instance/config.toml, .env or the environment.
DEFAULTS: dict[str, object] = {
    "DATABASE_URL": "",  # empty: sqlite:///<instance folder>/bot.sqlite3
    "LINE_CHANNEL_SECRET": "",
    "LINE_CHANNEL_ACCESS_TOKEN": "",
    "LINE_API_HOST": "",  # empty: LINE's own servers
    "BOT_TIMEZONE": "Asia/Tokyo",
    "SECRET_KEY": "",  # empty: generated once into the instance folder
    "WEBHOOK_MAX_BYTES": 1_000_000,
    # Empty: the calibrated value in faq/thresholds.toml (see faq.policy.AnswerPolicy).
    "MATCH_ANSWER_AT": "",
    "MATCH_ANSWER_AT_SHORT": "",
    "MATCH_MIN_MARGIN": "",
    "MATCH_SUGGEST_AT": "",
    "MATCH_SUGGEST_AT_SHORT": "",
    "MATCH_SHORT_CHARS": "",
    "LOG_LEVEL": "INFO",
    "RESIDENT_PURGE_AFTER_DAYS": 30,  # residents blocked longer than this are deleted (`residents purge`)
    "PUSH_KEEP_DAYS": 30,  # finished deliveries are deleted after this many days
    # Push outbox (push/cli.py): client-side limits per endpoint (LINE's 2,000/s for push; multicast held to
    # 200/s until LINE's limit after its 2025-04-23 change is confirmed), requests in flight, claim lease,
    # garbage reminder hour.
    "PUSH_RATE_PER_SECOND": 2000,
    "PUSH_MULTICAST_RATE_PER_SECOND": 200,
    "PUSH_SEND_CONCURRENCY": 4,
    "PUSH_LEASE_SECONDS": 300,
    "PUSH_REMINDER_HOUR": 18,
    "PUSH_QUIET_HOURS": "21:00-08:00",  # local; no non-emergency push then (empty: off)
}


def create_app(
    test_config: dict | None = None,
    *,
    line_client: LineClient | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Flask:
    """Build the app: read the configuration, open the database, wire the bot, CLI and health routes.

    ``line_client`` and ``clock`` replace the real LINE client and the system clock (tests, ``chat``).
    """
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(_read_config(app, test_config))
    logconfig.configure(app.config["LOG_LEVEL"])

    db.init_app(app)
    secret_key = app.config["SECRET_KEY"]
    line_mode = bool(app.config["LINE_CHANNEL_SECRET"] and app.config["LINE_CHANNEL_ACCESS_TOKEN"])
    if line_client is None:
        line_client = SdkLineClient.from_config(app.config) if line_mode else ConsoleLineClient()
    if not line_mode:
        log.info("bot.console_mode: no LINE credentials; /callback answers 503 and replies are printed")
    app.extensions["bot"] = BotServices(
        parser=WebhookParser(app.config["LINE_CHANNEL_SECRET"]) if line_mode else None,
        line=line_client,
        matchers=MatcherCache(),
        catalogs=CatalogCache(),
        cities=CityCache(),
        policy=_answer_policy(app.config),
        secret=secret_key,
        timezone=ZoneInfo(app.config["BOT_TIMEZONE"]),
        clock=clock or (lambda: datetime.now(UTC)),
    )
    app.register_blueprint(webhook.bp)
    app.register_blueprint(health_bp)
    cli.init_app(app)
    return app


def _answer_policy(config: dict) -> AnswerPolicy:
    """The calibrated thresholds, with any ``MATCH_*`` setting taking precedence."""
    values = tomllib.loads(THRESHOLDS.read_text(encoding="utf-8"))
    for key in list(values):
        setting = config.get(f"MATCH_{key.upper()}")
        if setting not in (None, ""):
            values[key] = setting
    return AnswerPolicy.from_mapping(values)


def _read_config(app: Flask, test_config: dict | None) -> dict:
    """Merge defaults, instance/config.toml, .env and the environment (later wins), or the test config."""
    config = dict(DEFAULTS)
    if test_config is None:
        toml_path = Path(app.instance_path) / "config.toml"
        if toml_path.exists():
            config.update(tomllib.loads(toml_path.read_text(encoding="utf-8")))
        env_path = Path(app.root_path) / ".env"
        if env_path.exists():
            config.update({k: v for k, v in dotenv_values(env_path).items() if k in DEFAULTS and v is not None})
        config.update({k: os.environ[k] for k in DEFAULTS if k in os.environ})
    else:
        config.update(test_config)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'bot.sqlite3'}"
    config["WEBHOOK_MAX_BYTES"] = int(config["WEBHOOK_MAX_BYTES"])
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

"""``flask --app app push …``: plan the outbox, send what is due once, or run the worker.

Settings (app config, environment or instance/config.toml): ``PUSH_RATE_PER_SECOND`` and
``PUSH_MULTICAST_RATE_PER_SECOND`` (client-side limits per endpoint), ``PUSH_LEASE_SECONDS`` (how long a
claimed row is a worker's before another may take it), ``PUSH_REMINDER_HOUR`` (local hour of the
garbage reminders).
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import date
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

import db
from bot.service import services
from push import planning
from push.preview_cli import preview_command
from push.ratelimit import RateLimiter
from push.sender import send_due
from push.worker import Worker

log = logging.getLogger(__name__)

push_cli = AppGroup("push", help="Scheduled push: plan deliveries into the outbox and send them.")
push_cli.add_command(preview_command)


def rate_limiter() -> RateLimiter:
    """The client-side rate limit from the app config."""
    config = current_app.config
    return RateLimiter.per_second(push=float(config.get("PUSH_RATE_PER_SECOND") or 100),
                                  multicast=float(config.get("PUSH_MULTICAST_RATE_PER_SECOND") or 100))


def lease() -> timedelta:
    """How long a claim lasts, from the app config."""
    return timedelta(seconds=float(current_app.config.get("PUSH_LEASE_SECONDS") or 300))


def plan(day: date) -> planning.PlanReport:
    """Plan ``day`` (local date) into the outbox, in one transaction."""
    bot = services()
    with db.transaction() as session:
        return planning.plan_day(session, day, catalog=bot.catalogs.get(session), timezone=bot.timezone,
                                 reminder_hour=int(current_app.config.get("PUSH_REMINDER_HOUR") or 18),
                                 rules=city_rules(session))


def city_rules(session) -> list:
    """The loaded pack's life-stage rules (its lifestage.toml), else the default rules."""
    from city.models import Municipality
    from push import lifestage

    pack_path = session.scalar(sa.select(Municipality.pack_path).limit(1))
    rules_file = lifestage.pack_rules_file(pack_path) if pack_path else None
    return lifestage.load_rules(rules_file.read_text(encoding="utf-8")) if rules_file else lifestage.default_rules()


@push_cli.command("plan")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The local date to plan (default: today in BOT_TIMEZONE).")
def plan_command(day) -> None:
    """Plan a day's deliveries (life-stage messages, the evening's garbage reminders) into the outbox."""
    bot = services()
    chosen = day.date() if day else bot.clock().astimezone(bot.timezone).date()
    report = plan(chosen)
    click.echo(f"planned {chosen.isoformat()}")
    for line in report.lines():
        click.echo(line)


@push_cli.command("send-due")
@click.option("--limit", default=10_000, show_default=True, help="Most deliveries to handle in this pass.")
def send_due_command(limit: int) -> None:
    """Send what is due now, once, print the report and exit."""
    bot = services()
    report = send_due(db.session_factory(), bot.line, bot.clock(), limit=limit, rate=rate_limiter(),
                      lease=lease())
    for line in report.lines():
        click.echo(line)


@push_cli.command("worker")
@click.option("--idle", default=1.0, show_default=True, help="Seconds to sleep when nothing is due.")
@click.option("--no-plan", is_flag=True, help="Only send; leave planning to another process or to cron.")
def worker_command(idle: float, no_plan: bool) -> None:
    """Plan each day and send due deliveries until SIGTERM or SIGINT (the current request finishes first)."""
    bot = services()
    stop = threading.Event()

    def planner(day: date) -> None:
        report = plan(day)
        log.info("push.planned", extra={"day": day.isoformat(), "added": sum(report.added.values())})

    def on_signal(signum, _frame) -> None:
        log.info("push.worker.stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        Worker(db.session_factory(), bot.line, clock=bot.clock, timezone=bot.timezone, rate=rate_limiter(),
               lease=lease(), idle=idle, planner=None if no_plan else planner, stop=stop).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("worker stopped")

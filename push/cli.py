"""``flask --app app push …``: plan the outbox, send what is due once, or run the worker.

Settings (app config, environment or instance/config.toml): ``PUSH_RATE_PER_SECOND`` and
``PUSH_MULTICAST_RATE_PER_SECOND`` (client-side limits per endpoint), ``PUSH_LEASE_SECONDS`` (how long a
claimed row is a worker's before another may take it), ``PUSH_SEND_CONCURRENCY`` (requests in flight at
once), ``PUSH_REMINDER_HOUR`` (local hour of the
garbage reminders), ``PUSH_QUIET_HOURS`` (local period without non-emergency push, default
``21:00-08:00``; empty turns it off).

``push broadcast …`` creates, approves, cancels, lists and shows broadcasts to segments (see
``push.broadcasts`` and ``push.segments``); ``push plan`` and ``push worker`` start approved ones when due.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

import db
from bot.service import services
from push import broadcasts
from push import planning
from push import quiet as quiet_hours
from push import segments
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
    return RateLimiter.per_second(push=float(config["PUSH_RATE_PER_SECOND"]),
                                  multicast=float(config["PUSH_MULTICAST_RATE_PER_SECOND"]))


def concurrency() -> int:
    """How many requests a worker keeps in flight, from the app config."""
    return max(1, int(current_app.config["PUSH_SEND_CONCURRENCY"]))


def lease() -> timedelta:
    """How long a claim lasts, from the app config."""
    return timedelta(seconds=float(current_app.config.get("PUSH_LEASE_SECONDS") or 300))


def quiet() -> quiet_hours.QuietHours | None:
    """The quiet hours from the app config (None: off)."""
    return quiet_hours.parse(current_app.config.get("PUSH_QUIET_HOURS", quiet_hours.DEFAULT))


def plan_broadcasts(now: datetime) -> list[broadcasts.PlanOutcome]:
    """Start the broadcasts due at ``now``, after checking the month's LINE quota, in one transaction."""
    bot = services()
    with db.transaction() as session:
        outcomes = broadcasts.plan_broadcasts(session, now, timezone=bot.timezone,
                                              quota=broadcasts.line_quota(bot.line), quiet=quiet())
    for outcome in outcomes:
        log.info("push.broadcast.planned", extra={"broadcast": outcome.broadcast_id, "started": outcome.started,
                                                  "reach": outcome.reach, "note": outcome.note})
    return outcomes


def plan(day: date) -> planning.PlanReport:
    """Plan ``day`` (local date) into the outbox, in one transaction."""
    bot = services()
    with db.transaction() as session:
        return planning.plan_day(session, day, catalog=bot.catalogs.get(session), timezone=bot.timezone,
                                 reminder_hour=int(current_app.config.get("PUSH_REMINDER_HOUR") or 18),
                                 rules=city_rules(session))


def housekeeping(now) -> tuple[int, int]:
    """Once a day: forget finished deliveries after ``PUSH_KEEP_DAYS`` and residents blocked for longer than
    ``RESIDENT_PURGE_AFTER_DAYS``; returns (deliveries, residents) deleted."""
    from push.outbox import purge_finished
    from residents import service as residents

    keep = timedelta(days=int(current_app.config.get("PUSH_KEEP_DAYS") or 30))
    grace = timedelta(days=int(current_app.config.get("RESIDENT_PURGE_AFTER_DAYS") or 30))
    with db.transaction() as session:
        deliveries = purge_finished(session, now - keep)
        gone = residents.purge_blocked(session, now, grace)
    log.info("push.housekeeping", extra={"deliveries": deliveries, "residents": gone})
    return deliveries, gone


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
    """Plan a day's deliveries (life-stage messages, the evening's garbage reminders) into the outbox.

    Approved broadcasts due now are started too (after the quota check).
    """
    bot = services()
    chosen = day.date() if day else bot.clock().astimezone(bot.timezone).date()
    report = plan(chosen)
    click.echo(f"planned {chosen.isoformat()}")
    for line in report.lines():
        click.echo(line)
    for outcome in plan_broadcasts(bot.clock()):
        state = f"started, {outcome.reach} recipients" if outcome.started else outcome.note
        click.echo(f"  broadcast {outcome.broadcast_id}: {state}")


@push_cli.command("send-due")
@click.option("--limit", default=10_000, show_default=True, help="Most deliveries to handle in this pass.")
def send_due_command(limit: int) -> None:
    """Send what is due now, once, print the report and exit."""
    bot = services()
    report = send_due(db.session_factory(), bot.line, bot.clock(), limit=limit, rate=rate_limiter(),
                      lease=lease(), quiet=quiet(), timezone=bot.timezone, concurrency=concurrency())
    for line in report.lines():
        click.echo(line)


@push_cli.command("worker")
@click.option("--idle", default=1.0, show_default=True, help="Seconds to sleep when nothing is due.")
@click.option("--no-plan", is_flag=True, help="Only send; leave planning to another process or to cron.")
def worker_command(idle: float, no_plan: bool) -> None:
    """Plan each day, start due broadcasts and send due deliveries until SIGTERM or SIGINT.

    The current request finishes first. Quiet hours (PUSH_QUIET_HOURS) hold non-emergency deliveries.
    """
    bot = services()
    stop = threading.Event()

    def planner(day: date) -> None:
        report = plan(day)
        log.info("push.planned", extra={"day": day.isoformat(), "added": sum(report.added.values())})
        housekeeping(bot.clock())

    def on_signal(signum, _frame) -> None:
        log.info("push.worker.stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        Worker(db.session_factory(), bot.line, clock=bot.clock, timezone=bot.timezone, rate=rate_limiter(),
               lease=lease(), concurrency=concurrency(), idle=idle, planner=None if no_plan else planner, stop=stop,
               broadcaster=None if no_plan else plan_broadcasts, quiet=quiet()).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("worker stopped")


# ---- broadcasts ------------------------------------------------------------------------------------------

broadcast_cli = AppGroup("broadcast", help="""Broadcasts to segments of residents: create, approve, cancel, list, show.

\b
Segments: all | area:NAME | category:NAME | stage:pregnant|infant|preschool|school
          | age:LOW-HIGH (or age:LOW-, age:N), combined with and / or / not and ( ).
Approval: a broadcast whose segment uses `all`, or an emergency one, needs two different
approvers; any other needs one. The creator may approve (and counts as one of the two);
the same name approving twice counts once.
Start: `push plan` or `push worker` starts an approved broadcast once its time has come,
unless its reach exceeds the month's LINE quota left (then it stays approved and `show`
gives the reason). Non-emergency broadcasts wait for the end of quiet hours.""")
push_cli.add_command(broadcast_cli)


def _parse_time(value: str | None) -> datetime:
    bot = services()
    if not value:
        return bot.clock()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO time like 2026-12-01T10:00") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=bot.timezone)
    return moment.astimezone(UTC)


def _fail(error: Exception) -> None:
    raise click.ClickException(str(error))


@broadcast_cli.command("create")
@click.option("--text", required=True, help="The message text (up to 5,000 characters).")
@click.option("--segment", default="all", show_default=True, help="Who gets it: a segment expression.")
@click.option("--at", "at", help="When to send, ISO time; without an offset it is local (BOT_TIMEZONE). "
                                 "Default: as soon as it is approved.")
@click.option("--emergency", is_flag=True, help="An emergency: needs two approvers, ignores quiet hours.")
@click.option("--by", "by", help="Who creates it (kept with the broadcast).")
def broadcast_create(text: str, segment: str, at: str | None, emergency: bool, by: str | None) -> None:
    """Create a draft broadcast; the first line of output is its id alone."""
    bot = services()
    scheduled_at = _parse_time(at)
    try:
        with db.transaction() as session:
            broadcast = broadcasts.create(session, text=text, segment=segment, scheduled_at=scheduled_at,
                                          now=bot.clock(), emergency=emergency, created_by=by)
            needed = broadcasts.required_approvals(broadcast)
            broadcast_id = broadcast.id
    except (broadcasts.BroadcastError, segments.SegmentError) as error:
        _fail(error)
    click.echo(str(broadcast_id))
    click.echo(f"draft; needs {needed} approval{'s' if needed > 1 else ''} "
               f"(push broadcast approve {broadcast_id} --approver NAME)")


@broadcast_cli.command("approve")
@click.argument("broadcast_id", type=int)
@click.option("--approver", required=True, help="The name of the person approving.")
def broadcast_approve(broadcast_id: int, approver: str) -> None:
    """Approve a broadcast as APPROVER (two different people for `all` or emergency broadcasts)."""
    bot = services()
    try:
        with db.transaction() as session:
            broadcast = broadcasts.approve(session, broadcast_id, approver, bot.clock())
            names, needed, status = broadcasts.approvers(broadcast), broadcasts.required_approvals(broadcast), \
                broadcast.status.value
    except broadcasts.BroadcastError as error:
        _fail(error)
    click.echo(f"broadcast {broadcast_id}: {status}; approvals {len(names)}/{needed} ({', '.join(names)})")


@broadcast_cli.command("cancel")
@click.argument("broadcast_id", type=int)
def broadcast_cancel(broadcast_id: int) -> None:
    """Cancel a broadcast that is not done; deliveries not yet handed to a worker are cancelled."""
    bot = services()
    try:
        with db.transaction() as session:
            cancelled = broadcasts.cancel(session, broadcast_id, bot.clock())
    except broadcasts.BroadcastError as error:
        _fail(error)
    click.echo(f"broadcast {broadcast_id}: cancelled ({cancelled} deliveries cancelled)")


@broadcast_cli.command("list")
def broadcast_list() -> None:
    """List broadcasts, newest first: id, status, time (local), segment, approvals and the text's start."""
    bot = services()
    with db.transaction() as session:
        rows = session.scalars(sa.select(broadcasts.Broadcast).order_by(broadcasts.Broadcast.id.desc())).all()
        for b in rows:
            at = b.scheduled_at.astimezone(bot.timezone).strftime("%Y-%m-%d %H:%M")
            flag = " emergency" if b.emergency else ""
            click.echo(f"{b.id}\t{b.status.value}{flag}\t{at}\t{b.segment}\t"
                       f"{len(b.approvals)}/{broadcasts.required_approvals(b)}\t{b.text[:30]}")
    if not rows:
        click.echo("no broadcasts")


@broadcast_cli.command("show")
@click.argument("broadcast_id", type=int)
def broadcast_show(broadcast_id: int) -> None:
    """Show one broadcast with its reach (residents in the segment now) and its deliveries."""
    bot = services()
    now = bot.clock()
    try:
        with db.transaction() as session:
            b = broadcasts.get(session, broadcast_id)
            reach = segments.reach(session, segments.parse(b.segment), now.astimezone(bot.timezone).date())
            lines = [
                f"id: {b.id}",
                f"status: {b.status.value}",
                f"emergency: {'yes' if b.emergency else 'no'}",
                f"segment: {b.segment}",
                f"scheduled: {b.scheduled_at.astimezone(bot.timezone).isoformat()}",
                f"created by: {b.created_by or '-'}",
                f"approvals: {len(b.approvals)}/{broadcasts.required_approvals(b)} "
                f"({', '.join(broadcasts.approvers(b)) or 'none'})",
                f"reach: {reach}",
            ]
            if b.reach is not None:
                lines.append(f"reach when started: {b.reach}")
            counts = broadcasts.delivery_counts(session, b.id)
            if counts:
                lines.append("deliveries: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            if b.note:
                lines.append(f"note: {b.note}")
            lines.append(f"text: {b.text}")
    except broadcasts.BroadcastError as error:
        _fail(error)
    for line in lines:
        click.echo(line)

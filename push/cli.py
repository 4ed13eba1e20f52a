"""``flask --app app push …``: plan the outbox, send what is due once, run the worker, preview life stages.

Settings (``settings.Settings``): ``PUSH_RATE_PER_SECOND`` and ``PUSH_MULTICAST_RATE_PER_SECOND``
(client-side limits per endpoint, shared by every worker through the database, or through Redis where
``RATE_LIMIT_REDIS_URL`` is set), ``PUSH_LEASE_SECONDS`` (how long a claimed row is a worker's before
another may take it; renewed while the worker lives), ``PUSH_SEND_CONCURRENCY`` (requests in flight at
once), ``PUSH_REMINDER_HOUR`` (local hour of the garbage reminders), ``PUSH_QUIET_HOURS`` (local period
without non-emergency push; empty turns it off), ``PUSH_KEEP_DAYS``, ``RESIDENT_PURGE_AFTER_DAYS``,
``QUERY_LOG_KEEP_DAYS`` and ``QUERY_LOG_PSEUDONYM_DAYS`` (the daily housekeeping).

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
from pathlib import Path

import click
import sqlalchemy as sa

import db
import runtime
from faq import retention as query_log
from garbage import catalog as garbage_catalog
from messaging.errors import LineApiError
from push import broadcasts
from push import heartbeat
from push import jma
from push import notices
from push import planning
from push import quiet as quiet_hours
from push import ratelimit
from push import segments
from push.lifestage import preview as lifestage_preview
from push.lifestage import rules as lifestage_rules
from push.outbox import purge_finished
from push.ratelimit import RateLimiter
from push.sender import send_due
from push.worker import Worker
from residents import service as residents

log = logging.getLogger(__name__)

push_cli = runtime.group("push", help="Scheduled push: plan deliveries into the outbox and send them.")


def rate_limiter() -> RateLimiter:
    """The client-side rate limits from the settings, shared with every other sending process."""
    return ratelimit.from_settings(runtime.current().settings, db.session_factory().kw["bind"])


def concurrency() -> int:
    """How many requests a worker keeps in flight."""
    return max(1, runtime.current().settings.push_send_concurrency)


def lease() -> timedelta:
    """How long a claim lasts."""
    return timedelta(seconds=runtime.current().settings.push_lease_seconds)


def quiet() -> quiet_hours.QuietHours | None:
    """The quiet hours (None: off)."""
    return quiet_hours.parse(runtime.current().settings.push_quiet_hours)


def plan_broadcasts(now: datetime, *, finish: bool = True) -> list[broadcasts.PlanOutcome]:
    """Start the broadcasts due at ``now``, after checking the month's LINE quota (in chunks of short
    transactions, see ``push.broadcasts``); with ``finish``, mark those fully sent as done."""
    rt = runtime.current()
    notices.broadcast_notices(db.session_factory(), now, timezone=rt.timezone)  # an issued 避難情報 goes first
    jma.broadcast_reports(db.session_factory(), now)  # then JMA's telegrams staff relayed
    try:
        notices.switch_rich_menu(db.session_factory(), rt.line, now,
                                 disaster_alias=rt.settings.rich_menu_alias_disaster,
                                 normal_alias=rt.settings.rich_menu_alias_normal)
    except LineApiError as error:  # logged by the client; tried again on the next round
        log.warning("push.rich_menu.failed", extra={"status": error.status})
    outcomes = broadcasts.plan_broadcasts(db.session_factory(), now, timezone=rt.timezone,
                                          quota=broadcasts.line_quota(rt.line), quiet=quiet(), finish=finish)
    for outcome in outcomes:
        log.info("push.broadcast.planned", extra={"broadcast": outcome.broadcast_id, "started": outcome.started,
                                                  "reach": outcome.reach, "note": outcome.note})
    return outcomes


def plan(day: date) -> planning.PlanReport:
    """Plan ``day`` (local date) into the outbox, in chunks of short transactions (see ``push.planning``)."""
    rt = runtime.current()
    with db.read_transaction() as session:
        catalog = rt.caches[garbage_catalog.KEY].get(session)
        rules = lifestage_rules.city_rules(session)[0]
    return planning.plan_day(db.session_factory(), day, catalog=catalog, timezone=rt.timezone,
                             reminder_hour=rt.settings.push_reminder_hour, rules=rules, now=rt.now())


def housekeeping(now) -> tuple[int, int]:
    """Once a day: forget finished deliveries after ``PUSH_KEEP_DAYS`` and residents blocked for longer than
    ``RESIDENT_PURGE_AFTER_DAYS``; then expire the query log (texts after ``QUERY_LOG_KEEP_DAYS``, pseudonyms
    after ``QUERY_LOG_PSEUDONYM_DAYS``). Each works in chunks of short transactions of its own. Returns
    (deliveries, residents) deleted."""
    settings = runtime.current().settings
    keep = timedelta(days=settings.push_keep_days)
    grace = timedelta(days=settings.resident_purge_after_days)
    deliveries = purge_finished(db.session_factory(), now - keep)
    gone = residents.purge_blocked(db.session_factory(), now, grace, secret=settings.secret_key)
    expired = query_log.expire(db.session_factory(), now, keep=timedelta(days=max(0, settings.query_log_keep_days)),
                               pseudonym=timedelta(days=max(0, settings.query_log_pseudonym_days)))
    log.info("push.housekeeping", extra={"deliveries": deliveries, "residents": gone,
                                         "query_texts": expired.texts,
                                         "pseudonyms": expired.pseudonyms + expired.feedback_pseudonyms})
    return deliveries, gone


@push_cli.command("plan")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The local date to plan (default: today in BOT_TIMEZONE).")
def plan_command(day) -> None:
    """Plan a day's deliveries (life-stage messages, the evening's garbage reminders) into the outbox.

    Approved broadcasts due now are started too (after the quota check).
    """
    rt = runtime.current()
    chosen = day.date() if day else rt.today()
    report = plan(chosen)
    click.echo(f"planned {chosen.isoformat()}")
    for line in report.lines():
        click.echo(line)
    for outcome in plan_broadcasts(rt.now()):
        state = f"started, {outcome.reach} recipients" if outcome.started else outcome.note
        click.echo(f"  broadcast {outcome.broadcast_id}: {state}")


@push_cli.command("send-due")
@click.option("--limit", default=10_000, show_default=True, help="Most deliveries to handle in this pass.")
def send_due_command(limit: int) -> None:
    """Send what is due now, once, print the report and exit."""
    rt = runtime.current()
    report = send_due(db.session_factory(), rt.line, rt.now(), limit=limit, rate=rate_limiter(),
                      lease=lease(), quiet=quiet(), timezone=rt.timezone, concurrency=concurrency())
    with db.transaction() as session:  # a deployment sending from cron shows it is alive too (``/readyz``)
        heartbeat.beat(session, heartbeat.worker_name(), rt.now())
    for line in report.lines():
        click.echo(line)


@push_cli.command("worker")
@click.option("--idle", default=1.0, show_default=True, help="Seconds to sleep when nothing is due.")
@click.option("--no-plan", is_flag=True, help="Only send; leave planning to another process or to cron.")
def worker_command(idle: float, no_plan: bool) -> None:
    """Plan each day, start due broadcasts and send due deliveries until SIGTERM or SIGINT.

    The current request finishes first. Quiet hours (PUSH_QUIET_HOURS) hold non-emergency deliveries.
    """
    rt = runtime.current()
    stop = threading.Event()

    def planner(day: date) -> None:
        report = plan(day)
        log.info("push.planned", extra={"day": day.isoformat(), "added": sum(report.added.values())})
        housekeeping(rt.now())

    enter_app = runtime.app_context()

    def broadcaster(now: datetime, *, finish: bool = True) -> None:
        with enter_app():  # the worker plans broadcasts on a thread of its own
            plan_broadcasts(now, finish=finish)

    def on_signal(signum, _frame) -> None:
        log.info("push.worker.stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with heartbeat.Heartbeat(db.session_factory(), rt.clock):
            Worker(db.session_factory(), rt.line, clock=rt.clock, timezone=rt.timezone, rate=rate_limiter(),
                   lease=lease(), concurrency=concurrency(), idle=idle, planner=None if no_plan else planner,
                   stop=stop, broadcaster=None if no_plan else broadcaster, quiet=quiet(),
                   passes=rt.worker_passes).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("worker stopped")


# ---- broadcasts ------------------------------------------------------------------------------------------

broadcast_cli = runtime.group("broadcast", help="""\
Broadcasts to segments of residents: create, approve, cancel, list, show.

\b
Segments: all | area:NAME | category:NAME | stage:pregnant|infant|preschool|school
          | age:LOW-HIGH (or age:LOW-, age:N), combined with and / or / not and ( ).
Approval: a broadcast whose segment uses `all`, or an emergency one, needs two different
approvers; any other needs one. Approvers are people other than the creator (--by): the
creator may not approve their own broadcast. Names are compared after NFKC (full-width and
half-width variants are one name), trimming and collapsing spaces and ignoring case; the
same person approving twice counts once. A broadcast created without --by has no known
creator and still needs that many different approvers.
Start: `push plan` or `push worker` starts an approved broadcast once its time has come,
unless its reach exceeds the month's LINE quota left (then it stays approved and `show`
gives the reason). Non-emergency broadcasts wait for the end of quiet hours.""")
push_cli.add_command(broadcast_cli)


def _parse_time(value: str | None) -> datetime:
    rt = runtime.current()
    if not value:
        return rt.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO time like 2026-12-01T10:00") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=rt.timezone)
    return moment.astimezone(UTC)


def _fail(error: Exception) -> None:
    raise click.ClickException(str(error))


@broadcast_cli.command("create")
@click.option("--text", required=True, help="The message text (up to 5,000 characters).")
@click.option("--segment", default="all", show_default=True, help="Who gets it: a segment expression.")
@click.option("--at", "at", help="When to send, ISO time; without an offset it is local (BOT_TIMEZONE). "
                                 "Default: as soon as it is approved.")
@click.option("--emergency", is_flag=True, help="An emergency: needs two approvers, ignores quiet hours.")
@click.option("--by", "by", help="Who creates it (kept with the broadcast; they may not approve it).")
def broadcast_create(text: str, segment: str, at: str | None, emergency: bool, by: str | None) -> None:
    """Create a draft broadcast; the first line of output is its id alone."""
    rt = runtime.current()
    scheduled_at = _parse_time(at)
    try:
        with db.transaction() as session:
            broadcast = broadcasts.create(session, text=text, segment=segment, scheduled_at=scheduled_at,
                                          now=rt.now(), emergency=emergency, created_by=by)
            needed, creator = broadcasts.required_approvals(broadcast), broadcast.created_by
            broadcast_id = broadcast.id
    except (broadcasts.BroadcastError, segments.SegmentError) as error:
        _fail(error)
    click.echo(str(broadcast_id))
    others = f" from people other than {creator}" if creator else ""
    click.echo(f"draft; needs {needed} approval{'s' if needed > 1 else ''}{others} "
               f"(push broadcast approve {broadcast_id} --approver NAME)")


@broadcast_cli.command("approve")
@click.argument("broadcast_id", type=int)
@click.option("--approver", required=True, help="The name of the person approving (not the creator).")
def broadcast_approve(broadcast_id: int, approver: str) -> None:
    """Approve a broadcast as APPROVER, who may not be its creator.

    All-resident (`all`) and emergency broadcasts need two different approvers, others one.
    """
    try:
        with db.transaction() as session:
            broadcast = broadcasts.approve(session, broadcast_id, approver, runtime.current().now())
            names, needed, status = broadcasts.approvers(broadcast), broadcasts.required_approvals(broadcast), \
                broadcast.status.value
    except broadcasts.BroadcastError as error:
        _fail(error)
    click.echo(f"broadcast {broadcast_id}: {status}; approvals {len(names)}/{needed} ({', '.join(names)})")


@broadcast_cli.command("cancel")
@click.argument("broadcast_id", type=int)
def broadcast_cancel(broadcast_id: int) -> None:
    """Cancel a broadcast that is not done; deliveries not yet handed to a worker are cancelled."""
    try:
        with db.transaction() as session:
            cancelled = broadcasts.cancel(session, broadcast_id, runtime.current().now())
    except broadcasts.BroadcastError as error:
        _fail(error)
    click.echo(f"broadcast {broadcast_id}: cancelled ({cancelled} deliveries cancelled)")


@broadcast_cli.command("list")
def broadcast_list() -> None:
    """List broadcasts, newest first: id, status, time (local), segment, approvals and the text's start."""
    rt = runtime.current()
    with db.transaction() as session:
        rows = session.scalars(sa.select(broadcasts.Broadcast).order_by(broadcasts.Broadcast.id.desc())).all()
        for b in rows:
            at = b.scheduled_at.astimezone(rt.timezone).strftime("%Y-%m-%d %H:%M")
            flag = " emergency" if b.emergency else ""
            click.echo(f"{b.id}\t{b.status.value}{flag}\t{at}\t{b.segment}\t"
                       f"{len(broadcasts.approvers(b))}/{broadcasts.required_approvals(b)}\t{b.text[:30]}")
    if not rows:
        click.echo("no broadcasts")


@broadcast_cli.command("show")
@click.argument("broadcast_id", type=int)
def broadcast_show(broadcast_id: int) -> None:
    """Show one broadcast with its reach (residents in the segment now) and its deliveries."""
    rt = runtime.current()
    now = rt.now()
    try:
        with db.transaction() as session:
            b = broadcasts.get(session, broadcast_id)
            reach = segments.reach(session, segments.parse(b.segment), rt.local_date(now))
            lines = [
                f"id: {b.id}",
                f"status: {b.status.value}",
                f"emergency: {'yes' if b.emergency else 'no'}",
                f"segment: {b.segment}",
                f"scheduled: {b.scheduled_at.astimezone(rt.timezone).isoformat()}",
                f"created by: {b.created_by or '-'}",
                f"approvals: {len(broadcasts.approvers(b))}/{broadcasts.required_approvals(b)} "
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


# ---- life-stage preview -------------------------------------------------------------------------------------

DAY = click.DateTime(formats=["%Y-%m-%d"])


@push_cli.command("preview")
@click.option("--birth", type=DAY, help="The child's birth date (YYYY-MM-DD).")
@click.option("--due", type=DAY,
              help="The child's due date (出産予定日); with --birth, pregnancy messages end at the birth.")
@click.option("--born", type=DAY, help="The resident's own birth date, for the 65/75 messages.")
@click.option("--from", "start", type=DAY,
              help="The day the resident registers: earlier messages still within their window go out that day.")
@click.option("--to", "end", type=DAY, help="The last day to list.")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A lifestage.toml to use (default: the loaded pack's, else the default rules).")
def preview_command(birth, due, born, start, end, rules_file: Path | None) -> None:
    """List what would be sent when (date, rule, category, message), every category chosen."""
    if birth is None and due is None and born is None:
        raise click.UsageError("give --birth, --due or --born")
    try:
        rules, origin = _rules(rules_file)
    except lifestage_rules.RulesError as error:
        raise click.ClickException(f"the life-stage rules cannot be used:\n{error}") from None
    rows = lifestage_preview.preview(rules, birth=_day(birth), due=_day(due), born=_day(born), start=_day(start),
                             end=_day(end))
    click.echo(f"rules: {origin} ({len(rules)} rules)")
    if not rows:
        click.echo("nothing would be sent")
    for row in rows:
        message = row.message
        late = f" (due {message.due_on.isoformat()})" if message.due_on != row.send_on else ""
        text = message.text.replace("\n", " ")
        click.echo(f"{row.send_on.isoformat()}  {row.who:<5}  {message.rule_id:<28} {message.category}  {text}{late}")


def _day(value) -> date | None:
    return value.date() if value is not None else None


def _rules(rules_file: Path | None) -> tuple[list[lifestage_rules.Rule], str]:
    """The rules to preview and where they came from: --rules, else the loaded pack's file or the defaults."""
    if rules_file is not None:
        return lifestage_rules.load_rules(rules_file.read_text(encoding="utf-8")), str(rules_file)
    try:
        with db.session_factory()() as session:
            return lifestage_rules.city_rules(session)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no database set up yet
        return lifestage_rules.default_rules(), "default rules"

"""``flask --app app jma …``: JMA telegrams from files or JMA's feeds, and the drafts staff relay or dismiss."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

import db
import runtime
from disaster.jma import feeds
from disaster.jma import reports
from disaster.jma.telegrams import TelegramError

jma_cli = runtime.group("jma", help="気象庁防災情報XML: telegrams for the city, relayed to residents by staff.")


@jma_cli.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def jma_ingest(files: tuple[Path, ...]) -> None:
    """Handle telegrams on disk as the poller handles fetched ones; say for each what was done."""
    rt = runtime.current()
    unread = 0
    for path in files:
        raw = path.read_bytes()
        try:
            with db.transaction() as session:
                done = reports.ingest(session, raw, rt.now(), config=reports.load_config(session),
                                      timezone=rt.timezone)
        except TelegramError as error:
            unread += 1
            click.echo(f"{path.name}: not read: {error}")
            continue
        click.echo(f"{path.name}: {done.said}")
    if unread:
        raise click.exceptions.Exit(1)


@jma_cli.command("poll")
@click.option("--every", type=float, default=None, metavar="SECONDS",
              help="Keep polling, this many seconds apart (JMA updates its feeds every minute); default: once.")
def jma_poll(every: float | None) -> None:
    """Read the feeds of JMA_FEEDS (with If-Modified-Since) and handle each new telegram once."""
    rt = runtime.current()
    urls = rt.settings.jma_feeds.split()
    if not urls:
        raise click.ClickException("JMA_FEEDS is empty: set it to the feeds to read, e.g. "
                                   "https://www.data.jma.go.jp/developer/xml/feed/extra.xml and …/eqvol.xml")
    if every is not None and every < 30:
        raise click.ClickException("poll at most every 30 seconds (JMA updates its feeds every minute)")
    client = feeds.HttpFeedClient(timeout=rt.settings.jma_timeout_seconds)
    while True:
        for polled in feeds.poll(db.session_factory(), client, urls, rt.now, timezone=rt.timezone):
            click.echo(f"{polled.feed}: {'changed' if polled.changed else 'unchanged'}")
            for line in polled.said:
                click.echo(f"  {line}")
        if every is None:
            return
        time.sleep(every)


@jma_cli.command("list")
@click.option("--drafts", is_flag=True, help="Only the drafts waiting for staff.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of the reports.")
@click.option("--limit", type=int, default=50, show_default=True)
def jma_list(drafts: bool, as_json: bool, limit: int) -> None:
    """The latest telegrams handled, newest first, with what became of each."""
    with db.read_transaction() as session:
        shown = reports.listing(session, outcomes=(reports.DRAFT,) if drafts else (), limit=limit)
        rows = [_as_json(report) for report in shown]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']}\t{row['outcome']}\t{row['family']}\t{row['summary']}"
                   + (f"\t({row['reason']})" if row["reason"] else ""))


@jma_cli.command("show")
@click.argument("report_id", type=int)
def jma_show(report_id: int) -> None:
    """A report's text, exactly as residents would get it."""
    with db.read_transaction() as session:
        found = reports.listing(session, limit=1, ids=(report_id,))
        if not found:
            raise click.ClickException(f"no JMA report #{report_id}")
        click.echo(found[0].text or f"#{report_id} has no text ({found[0].outcome}: {found[0].reason})")


@jma_cli.command("relay")
@click.argument("report_id", type=int)
@click.option("--by", "by", required=True, help="Who confirms it.")
def jma_relay(report_id: int, by: str) -> None:
    """Confirm a draft: the push worker sends it to the residents who chose 防災."""
    _decide(reports.relay, report_id, by)
    click.echo(f"#{report_id} relayed; the push worker sends it to the residents who chose 防災")


@jma_cli.command("dismiss")
@click.argument("report_id", type=int)
@click.option("--by", "by", required=True, help="Who decides.")
def jma_dismiss(report_id: int, by: str) -> None:
    """Decide residents need not get a draft."""
    _decide(reports.dismiss, report_id, by)
    click.echo(f"#{report_id} dismissed")


def _decide(decision, report_id: int, by: str) -> None:
    """Record staff's decision on a draft (``reports.relay`` or ``reports.dismiss``), or say why it cannot be."""
    try:
        with db.transaction() as session:
            decision(session, report_id, by=by, now=runtime.current().now())
    except reports.ReportError as error:
        raise click.ClickException(str(error)) from None


def _as_json(report) -> dict:
    return {"id": report.id, "outcome": report.outcome, "family": report.family, "title": report.title,
            "head_title": report.head_title, "office": report.office, "info_type": report.info_type,
            "reported_at": report.reported_at.isoformat(), "changes": report.changes, "in_force": report.in_force,
            "areas": [area for area in report.areas.split("\n") if area], "text": report.text,
            "reason": report.reason, "decided_by": report.decided_by, "broadcast_id": report.broadcast_id,
            "url": report.url, "summary": reports.summary(report)}

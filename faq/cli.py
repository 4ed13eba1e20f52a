"""``flask --app app faq …``: import FAQ entries from a file; expire old questions in the query log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

import db
import runtime
from faq import importers
from faq import retention
from faq import store
from importing.errors import ImportFailed

faq_cli = runtime.group("faq", help="FAQ entries.")


@faq_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Delete entries that are not in FILE.")
def faq_import(file: Path, replace: bool) -> None:
    """Import FAQ entries from FILE (CSV, XLSX or the 汎用FAQ JSON); all rows or none."""
    try:
        records = importers.read_faq_file(file)
        with db.transaction() as session:
            report = store.save_records(session, records, replace=replace)
    except ImportFailed as error:
        raise click.ClickException(error.describe(file.name)) from None
    click.echo(report.line(file.name))


@faq_cli.command("expire-log")
@click.option("--keep-days", type=int, default=None,
              help="Delete the text of questions older than this (default: QUERY_LOG_KEEP_DAYS).")
@click.option("--pseudonym-days", type=int, default=None,
              help="Drop the pseudonym of questions older than this (default: QUERY_LOG_PSEUDONYM_DAYS).")
def faq_expire_log(keep_days: int | None, pseudonym_days: int | None) -> None:
    """Delete old question texts and pseudonyms from the query log, in short transactions.

    The push worker does this once a day; run it from cron when no worker runs.
    """
    rt = runtime.current()
    keep = keep_days if keep_days is not None else rt.settings.query_log_keep_days
    pseudonym = pseudonym_days if pseudonym_days is not None else rt.settings.query_log_pseudonym_days
    for name, days in (("--keep-days", keep), ("--pseudonym-days", pseudonym)):
        if days < 0:
            raise click.BadParameter("must be 0 or more", param_hint=name)
    expired = retention.expire(db.session_factory(), rt.now(), keep=timedelta(days=keep),
                               pseudonym=timedelta(days=pseudonym))
    click.echo(f"query log: {expired.texts} texts deleted (older than {keep} days), "
               f"pseudonyms dropped from {expired.pseudonyms} questions and {expired.feedback_pseudonyms} feedback "
               f"(older than {min(pseudonym, keep)} days), {expired.decided} dealt-with wordings of the unanswered "
               f"queue deleted")

"""``flask --app app faq …``: import FAQ entries from a file."""

from __future__ import annotations

from pathlib import Path

import click

import db
import runtime
from faq import importers
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
        raise click.ClickException(f"nothing was imported from {file.name}:\n{error}") from None
    click.echo(report.line(file.name))

"""``flask --app app shelters …``: import the city's shelters and list them."""

from __future__ import annotations

from pathlib import Path

import click

import db
import runtime
from disaster import store
from disaster.hazards import names
from disaster.importers import KIND_LABELS
from disaster.importers import read_shelter_files
from importing.errors import ImportFailed

shelters_cli = runtime.group("shelters", help="避難所: the 国土地理院's shelter data, and each shelter's status.")


@shelters_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--attribution", default=None,
              help="The credit line shown with shelters (default: the one stored, else 「出典：国土地理院」).")
def shelters_import(files: tuple[Path, ...], attribution: str | None) -> None:
    """Replace the shelters of the kinds in FILES (国土地理院 GeoJSON or CSV); all rows or none."""
    try:
        data = read_shelter_files(list(files))
        with db.transaction() as session:
            summary = store.save_shelters(session, data, attribution=attribution)
    except ImportFailed as error:
        raise click.ClickException(f"nothing was imported:\n{error}") from None
    click.echo(f"imported {', '.join(path.name for path in files)}")
    for line in summary.lines(data.skipped):
        click.echo(line)


@shelters_cli.command("list")
def shelters_list() -> None:
    """Print every shelter: kind, name, address, hazards (指定緊急避難場所) or 受入対象者 (指定避難所)."""
    with db.read_transaction() as session:
        for shelter in store.load_shelters(session):
            what = "・".join(names(shelter.hazards)) or shelter.accepts
            click.echo(f"{KIND_LABELS.get(shelter.kind, shelter.kind)}\t{shelter.name}\t{shelter.address}\t{what}")

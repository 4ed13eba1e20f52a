"""``flask --app app pack …``: load a municipality pack."""

from __future__ import annotations

from pathlib import Path

import click

import db
import runtime
from city import pack as packs
from importing.errors import ImportFailed

pack_cli = runtime.group("pack", help="Municipality packs.")


@pack_cli.command("load")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace what is loaded (also another city's data).")
@click.option("--if-empty", is_flag=True, help="Do nothing when a pack is already loaded.")
def pack_load(path: Path, replace: bool, if_empty: bool) -> None:
    """Load the municipality pack in PATH (pack.toml, FAQ and the data it names)."""
    try:
        with db.transaction() as session:
            if if_empty and not packs.is_empty(session):
                click.echo("a pack is already loaded; nothing to do")
                return
            report = packs.load_pack(session, path, replace=replace)
    except packs.PackError as error:
        raise click.ClickException(str(error)) from None
    except ImportFailed as error:
        raise click.ClickException(error.describe(str(path))) from None
    click.echo(f"loaded {report.city}")
    if report.faq is not None:
        click.echo(report.faq.line("FAQ"))
    if report.synonyms is not None:
        click.echo(f"  synonyms: {report.synonyms} groups")
    if report.golden is not None:
        click.echo(f"  golden queries: {report.golden}")
    if report.garbage is not None:
        for line in report.garbage.lines(report.garbage_report):
            click.echo(line)
    if report.shelters is not None:
        for line in report.shelters.lines(report.shelters_skipped):
            click.echo(f"  {line}")
    if report.jma is not None:
        click.echo(f"  JMA: the city is {', '.join(report.jma.municipalities) or '-'} (市町村等), "
                   f"{', '.join(report.jma.quake_areas) or '-'} (地震情報), "
                   f"{', '.join(report.jma.tsunami_areas) or '-'} (津波予報区)")
    click.echo("  health: the city's red flags, lines and desk over the national defaults" if report.health
               else "  health: no health section; the national red flags and lines apply")
    for name in report.read_later:
        click.echo(f"  {name}: read from the pack's file when pushes are planned")

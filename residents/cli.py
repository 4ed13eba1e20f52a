"""``flask --app app residents …``: import residents from another system, purge long-blocked ones."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

import db
import runtime
from importing.errors import ImportFailed
from residents import importer
from residents import service as residents
from residents.areas import KEY as KNOWN_AREAS
from residents.categories import CATEGORIES
from search.areas import AreaInfo

residents_cli = runtime.group("residents", help="Residents: import from another system, purge blocked ones.")


@residents_cli.command("import", help=f"""Import residents from FILE, all rows or none.

FILE is a CSV with the header line_user_id,area,categories,children. categories are |-separated
({'|'.join(CATEGORIES)}); children are |-separated birth:YYYY-MM-DD or due:YYYY-MM-DD. UTF-8 (with or
without BOM), Shift_JIS and EUC-JP are read. Every bad row is reported by its row number and nothing is
imported until all are fixed.

An area must be one of the city's garbage areas, by its name, an alias or a reading, and is stored as
the area's name. When no garbage areas are loaded yet, areas are kept as written, unchecked.

Imported residents are recorded as having consented to push messages now, because they consented in
the system they come from, and as following the account. A resident already known keeps their own
settings; the file only adds to them, so importing the same file again changes nothing.
""")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def residents_import(file: Path) -> None:
    rt = runtime.current()
    now, today = rt.now(), rt.today()
    areas = _city_areas(rt)
    try:
        records = importer.read_residents(file.read_bytes(), today, areas)
        with db.transaction() as session:
            report = importer.save_residents(session, records, now)
    except ImportFailed as error:
        raise click.ClickException(error.describe(file.name, limit=None)) from None
    click.echo(f"imported {file.name}: {report.created} new residents, {report.updated} already known, "
               f"{report.children} children added")
    renamed = {(r.area_as_written, r.area) for r in records if r.area_as_written and r.area != r.area_as_written}
    for written, area in sorted(renamed):
        click.echo(f"  area {written} stored as {area}")
    if not areas and any(record.area for record in records):
        click.echo("  areas were not checked: no garbage areas are loaded (garbage import or pack load)")


def _city_areas(rt: runtime.Runtime) -> list[AreaInfo]:
    """The city's areas, as the garbage package keeps them for this package ([] when none are loaded)."""
    cache = rt.caches.get(KNOWN_AREAS)
    if cache is None:
        return []
    with db.session_factory()() as session:
        return list(cache.get(session))


@residents_cli.command("purge")
@click.option("--after-days", type=int, default=None,
              help="Grace period in days (default: RESIDENT_PURGE_AFTER_DAYS, 30).")
def residents_purge(after_days: int | None) -> None:
    """Delete residents who have blocked the account for longer than the grace period, with all their data
    (their questions and feedback in the query log too)."""
    rt = runtime.current()
    days = after_days if after_days is not None else rt.settings.resident_purge_after_days
    if days < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--after-days")
    purged = residents.purge_blocked(db.session_factory(), rt.now(), timedelta(days=days),
                                     secret=rt.settings.secret_key)
    click.echo(f"purged {purged} residents blocked for more than {days} days")

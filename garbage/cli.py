"""``flask --app app garbage …``: import a city's garbage data, and show an evening's reminders."""

from __future__ import annotations

from pathlib import Path

import click

import db
import runtime
from garbage import catalog
from garbage import importers
from garbage import store
from garbage.reminders import Subscriber
from garbage.reminders import plan_reminders
from importing.errors import ImportFailed
from residents import service as residents

TAKAMATSU_FILES = ("garbage_separation_list.csv", "garbage_collection_date.csv")

garbage_cli = runtime.group("garbage", help="ごみ: sorting dictionary and collection calendar.")


@garbage_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "kind", type=click.Choice(["5374", "takamatsu"]), default="5374", show_default=True,
              help="5374: target.csv, area_days.csv… ; takamatsu: " + " and ".join(TAKAMATSU_FILES) + ".")
@click.option("--holidays", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Collection exceptions (holidays.csv) to replace the stored ones; without it they are kept.")
@click.option("--not-collected", multiple=True, metavar="CATEGORY",
              help="A category the city does not collect (repeat); without it they are recognised by name and notices.")
@click.option("--other-category", "other_categories", multiple=True, metavar="CATEGORY",
              help="takamatsu: a sorting-list category without a calendar column whose name does not say why "
                   "(repeat); other unknown categories are errors.")
@click.option("--attribution", default="", help="The credit line to show under garbage answers (the data's licence).")
def garbage_import(directory: Path, kind: str, holidays: Path | None, not_collected: tuple[str, ...],
                   other_categories: tuple[str, ...], attribution: str) -> None:
    """Replace the garbage dictionary and calendars with the data in DIRECTORY; all rows or none."""
    chosen = list(not_collected) or None
    if other_categories and kind != "takamatsu":
        raise click.BadParameter("only for --format takamatsu (5374 names its categories in description.csv)",
                                 param_hint="--other-category")
    try:
        if kind == "5374":
            data = importers.read_5374(directory, not_collected=chosen)
        else:
            missing = [name for name in TAKAMATSU_FILES if not (directory / name).is_file()]
            if missing:
                raise click.ClickException(f"{directory} has no {', '.join(missing)}")
            data = importers.read_takamatsu(*(directory / name for name in TAKAMATSU_FILES), not_collected=chosen,
                                            other_categories=other_categories)
        if holidays is not None:
            data.exceptions = importers.read_exceptions(holidays)
        with db.transaction() as session:
            summary = store.save_garbage(session, data, attribution=attribution)
    except ImportFailed as error:
        raise click.ClickException(error.describe(str(directory))) from None
    click.echo(f"imported {directory}")
    for line in summary.lines(data.report):
        click.echo(line)


@garbage_cli.command("reminders")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The evening to plan for (default: today in BOT_TIMEZONE).")
def garbage_reminders(day) -> None:
    """Show the garbage reminders planned for an evening (delivery goes through the push outbox)."""
    rt = runtime.current()
    today = day.date() if day else rt.today()
    with db.session_factory()() as session:
        garbage = rt.caches[catalog.KEY].get(session)
        if garbage is None:
            raise click.ClickException("no garbage data is loaded")
        subscribers = [Subscriber(s.line_user_id, s.area, s.categories)
                       for s in residents.reminder_subscribers(session)]
        planned = plan_reminders(garbage, subscribers, today)
    click.echo(f"{len(planned)} reminders for {today.isoformat()} evening ({len(subscribers)} subscribers)")
    by_area: dict[str, int] = {}
    for reminder in planned:
        by_area[reminder.area] = by_area.get(reminder.area, 0) + 1
    for area, count in sorted(by_area.items()):
        sample = next(r for r in planned if r.area == area)
        click.echo(f"  {area}: {count} × 【{'】【'.join(sample.categories)}】 on {sample.collection_day.isoformat()}")

"""``push preview``: list the life-stage messages a resident would get, and when; nothing is sent or stored.

The command is registered by the push command group (``flask --app app push preview``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

import db
from city.models import Municipality
from push import lifestage

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("preview")
@click.option("--birth", type=DAY, help="The child's birth date (YYYY-MM-DD).")
@click.option("--due", type=DAY,
              help="The child's due date (出産予定日); with --birth, pregnancy messages end at the birth.")
@click.option("--born", type=DAY, help="The resident's own birth date, for the 65/75 messages.")
@click.option("--from", "start", type=DAY,
              help="The day the resident registers: earlier messages still within their window go out that day.")
@click.option("--to", "end", type=DAY, help="The last day to list.")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A lifestage.toml to use (default: the loaded pack's, else the default rules).")
@with_appcontext
def preview_command(birth, due, born, start, end, rules_file: Path | None) -> None:
    """List what would be sent when (date, rule, category, message), every category chosen."""
    if birth is None and due is None and born is None:
        raise click.UsageError("give --birth, --due or --born")
    try:
        rules, origin = _rules(rules_file)
    except lifestage.RulesError as error:
        raise click.ClickException(f"the life-stage rules cannot be used:\n{error}") from None
    rows = lifestage.preview(rules, birth=_day(birth), due=_day(due), born=_day(born), start=_day(start),
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


def _rules(rules_file: Path | None) -> tuple[list[lifestage.Rule], str]:
    """The rules to preview and where they came from: --rules, the loaded pack's file, or the defaults."""
    if rules_file is not None:
        return lifestage.load_rules(rules_file.read_text(encoding="utf-8")), str(rules_file)
    pack_path = _loaded_pack_path()
    if pack_path:
        path = lifestage.pack_rules_file(pack_path)
        if path is not None:
            return lifestage.load_rules(path.read_text(encoding="utf-8")), str(path)
    return lifestage.default_rules(), "default rules"


def _loaded_pack_path() -> str | None:
    """The folder of the loaded pack, or None when none is loaded (or the database is not set up yet)."""
    try:
        with db.session_factory()() as session:
            return session.scalar(sa.select(Municipality.pack_path).order_by(Municipality.id).limit(1))
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        return None

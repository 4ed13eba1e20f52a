"""Command-line verbs (``flask --app app …``): database, packs, FAQ import, ``ask`` and ``chat``.

Each command is a thin shell: open a transaction, call the domain function, print the outcome.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask import current_app
from flask.cli import AppGroup
from flask.cli import with_appcontext
from linebot.v3.messaging import Message
from linebot.v3.messaging import TextMessage

import db
from bot import dispatch
from bot.residents_cli import residents_cli
from bot.service import services
from city import pack as packs
from faq import importers
from faq import store
from garbage import importers as garbage_importers
from garbage import store as garbage_store
from messaging.client import ConsoleLineClient
from push.cli import push_cli

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONSOLE_USER = "U" + "0" * 31 + "c"

db_cli = AppGroup("db", help="Database schema.")
pack_cli = AppGroup("pack", help="Municipality packs.")
faq_cli = AppGroup("faq", help="FAQ entries.")
garbage_cli = AppGroup("garbage", help="ごみ: sorting dictionary and collection calendar.")
TAKAMATSU_FILES = ("garbage_separation_list.csv", "garbage_collection_date.csv")


def init_app(app: Flask) -> None:
    """Register the command groups with ``app``."""
    for group in (db_cli, pack_cli, faq_cli, garbage_cli, push_cli):
        app.cli.add_command(group)
    app.cli.add_command(ask_command)
    app.cli.add_command(chat_command)
    app.cli.add_command(residents_cli)


def alembic_config() -> AlembicConfig:
    """Alembic's configuration for the current app's database."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"].replace("%", "%%"))
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the schema to REVISION (default: the latest)."""
    alembic_command.upgrade(alembic_config(), revision)
    click.echo(f"database at {revision}")


@db_cli.command("check")
def db_check() -> None:
    """Fail if the models have changes that no migration covers."""
    alembic_command.check(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="Short name of the change, e.g. add_shelter.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    alembic_command.revision(alembic_config(), message=message, autogenerate=True)


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
    except (packs.PackError, importers.ImportFailed) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"loaded {report.city}")
    if report.faq is not None:
        _echo_save("FAQ", report.faq)
    if report.synonyms is not None:
        click.echo(f"  synonyms: {report.synonyms} groups")
    if report.garbage is not None:
        _echo_garbage(report.garbage, report.garbage_report)
    for name in report.not_loaded:
        click.echo(f"  {name}: kept in the pack; this version does not load it yet")


@faq_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Delete entries that are not in FILE.")
def faq_import(file: Path, replace: bool) -> None:
    """Import FAQ entries from FILE (CSV, XLSX or the 汎用FAQ JSON); all rows or none."""
    try:
        records = importers.read_faq_file(file)
        with db.transaction() as session:
            report = store.save_records(session, records, replace=replace)
    except importers.ImportFailed as error:
        raise click.ClickException(f"nothing was imported from {file.name}:\n{error}") from None
    _echo_save(file.name, report)


@garbage_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "kind", type=click.Choice(["5374", "takamatsu"]), default="5374", show_default=True,
              help="5374: target.csv, area_days.csv… ; takamatsu: " + " and ".join(TAKAMATSU_FILES) + ".")
@click.option("--holidays", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Collection exceptions (holidays.csv) to replace the stored ones; without it they are kept.")
@click.option("--not-collected", multiple=True, metavar="CATEGORY",
              help="A category the city does not collect (repeat); without it they are recognised by name and notices.")
@click.option("--attribution", default="", help="The credit line to show under garbage answers (the data's licence).")
def garbage_import(directory: Path, kind: str, holidays: Path | None, not_collected: tuple[str, ...],
                   attribution: str) -> None:
    """Replace the garbage dictionary and calendars with the data in DIRECTORY; all rows or none."""
    chosen = list(not_collected) or None
    try:
        if kind == "5374":
            data = garbage_importers.read_5374(directory, not_collected=chosen)
        else:
            missing = [name for name in TAKAMATSU_FILES if not (directory / name).is_file()]
            if missing:
                raise click.ClickException(f"{directory} has no {', '.join(missing)}")
            data = garbage_importers.read_takamatsu(*(directory / name for name in TAKAMATSU_FILES),
                                                    not_collected=chosen)
        if holidays is not None:
            data.exceptions = garbage_importers.read_exceptions(holidays)
        with db.transaction() as session:
            summary = garbage_store.save_garbage(session, data, attribution=attribution)
    except importers.ImportFailed as error:
        raise click.ClickException(f"nothing was imported from {directory}:\n{error}") from None
    click.echo(f"imported {directory}")
    _echo_garbage(summary, data.report)


def _echo_garbage(summary: garbage_store.SaveSummary, report: list[str]) -> None:
    exceptions = "kept" if summary.exceptions is None else str(summary.exceptions)
    click.echo(f"  garbage: {summary.categories} categories, {summary.items} items, {summary.areas} areas, "
               f"{summary.rules} collection rules ({summary.verbatim} kept verbatim), {summary.remarks} remarks, "
               f"{summary.shutdowns} center shutdowns, calendar exceptions: {exceptions}")
    for line in report:
        click.echo(f"    {line}")


def _echo_save(what: str, report: store.SaveReport) -> None:
    click.echo(f"  {what}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
               f"{report.removed} removed")


@click.command("ask")
@with_appcontext
@click.argument("text", required=False)
@click.option("--top", default=5, show_default=True, help="How many FAQ candidates to report.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", is_flag=True, help='Read {"id", "text"} lines from stdin, write one JSON line each.')
@click.option("--area", help="Answer as a resident of this area.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Answer as if today were this date.")
@click.option("--explain", is_flag=True, help="Show how the matcher read TEXT and each view's score.")
def ask_command(text: str | None, top: int, as_json: bool, jsonl: bool, area: str | None, today,
                explain: bool) -> None:
    """Answer TEXT as the bot would, without sending or logging anything."""
    _quiet()
    day = today.date() if today else None
    if explain:
        if text is None:
            raise click.UsageError("--explain needs TEXT")
        _explain(text, top)
        return
    if jsonl:
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                query_id, query_text = item.get("id"), str(item["text"])
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                raise click.ClickException(f'line {number}: expected {{"id": …, "text": …}}') from None
            click.echo(json.dumps(_ask(query_text, top, area, day, query_id), ensure_ascii=False))
        return
    if text is None:
        raise click.UsageError("give TEXT or --jsonl")
    result = _ask(text, top, area, day, None)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"[{result['kind']}] " + (result["intent"] or result["faq_id"] or "") +
               (f" score={result['score']:.3f}" if result["score"] is not None else ""))
    for reply in result["reply"]:
        click.echo(reply)
        click.echo("---")
    for candidate in result["candidates"]:
        click.echo(f"  {candidate['faq_id']:>8}  {candidate['score']:.3f}")


def _ask(text: str, top: int, area: str | None, today: date | None, query_id) -> dict:
    """One answer as plain data; the transaction is rolled back so nothing is logged or changed."""
    with db.session_factory()() as session:
        ctx = services().context(session, area=area, top=top, today=today)
        reply = dispatch.on_text(ctx, None, text)
        session.rollback()
    return {
        "id": query_id,
        "kind": reply.kind,
        "intent": reply.intent,
        "faq_id": reply.faq_id,
        "score": reply.score,
        "candidates": [{"faq_id": hit.faq_id, "score": hit.score} for hit in reply.candidates],
        "reply": [message_text(message) for message in reply.messages],
    }


def _explain(text: str, top: int) -> None:
    """Print the query's keys, tokens and synonyms, then each candidate's score per view."""
    with db.session_factory()() as session:
        matcher = services().matchers.get(session)
        if not hasattr(matcher, "explain"):
            raise click.ClickException("this matcher cannot explain its scores")
        analysis = matcher.analyzer.analyse(text)
        rows = matcher.explain(text, top, analysis)
        questions = {e.faq_id: e.question for e in store.get_entries(session, [r.faq_id for r in rows]).values()}
    click.echo(f"query      {analysis.text}")
    click.echo(f"normalised {analysis.surface}")
    click.echo(f"reading    {analysis.reading}")
    click.echo(f"tokens     {' '.join(analysis.tokens) or '-'}")
    click.echo("synonyms   " + (", ".join(f"{a} → {b}" for a, b in analysis.synonyms) or "-"))
    weights = matcher.weights
    click.echo(f"score = {weights.ngram} × max(ngram surface, ngram reading) + {weights.bm25} × bm25 "
               f"+ {weights.fuzzy} × fuzzy")
    click.echo(f"{'faq_id':>8} {'score':>6} {'ng-surf':>7} {'ng-read':>7} {'bm25':>6} {'fuzzy':>6}  question")
    for row in rows:
        click.echo(f"{row.faq_id:>8} {row.score:6.3f} {row.ngram_surface:7.3f} {row.ngram_reading:7.3f} "
                   f"{row.bm25:6.3f} {row.fuzzy:6.3f}  {questions.get(row.faq_id, '')}")


def message_text(message: Message) -> str:
    """The text of a message, or a short summary of a non-text one."""
    return message.text if isinstance(message, TextMessage) else f"({message.type})"


@click.command("chat")
@with_appcontext
@click.option("--user", default=CONSOLE_USER, show_default=True, help="LINE user id to chat as.")
def chat_command(user: str) -> None:
    """Talk to the bot in the terminal as a resident (type a number to press a button, 'q' to quit)."""
    _quiet()
    console = ConsoleLineClient()
    with db.transaction() as session:
        console.reply("console", dispatch.on_follow(services().context(session), user, unblocked=False).messages)
    while True:
        try:
            line = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if line in {"q", "quit", "exit"}:
            return
        if not line:
            continue
        action = _picked_action(console, line)
        with db.transaction() as session:
            ctx = services().context(session)
            if getattr(action, "data", None):
                click.echo(f"> {getattr(action, 'display_text', None) or action.label}")
                reply = dispatch.on_postback(ctx, user, action.data)
            else:
                reply = dispatch.on_text(ctx, user, getattr(action, "text", None) or line)
        console.reply("console", reply.messages)


def _quiet() -> None:
    """Keep the terminal for answers: only warnings and errors are logged."""
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))


def _picked_action(console: ConsoleLineClient, line: str):
    """The action of the quick-reply button the resident picked by number, if they typed one."""
    if line.isdigit() and 1 <= int(line) <= len(console.last_choices):
        return console.last_choices[int(line) - 1].action
    return None


@garbage_cli.command("reminders")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The evening to plan for (default: today in BOT_TIMEZONE).")
def garbage_reminders(day) -> None:
    """Show the garbage reminders planned for an evening (delivery goes through the push outbox)."""
    from garbage.reminders import Subscriber
    from garbage.reminders import plan_reminders
    from residents import service as residents

    with db.session_factory()() as session:
        ctx = services().context(session)
        today = day.date() if day else ctx.today
        if ctx.garbage is None:
            raise click.ClickException("no garbage data is loaded")
        subscribers = [Subscriber(s.line_user_id, s.area, s.categories)
                       for s in residents.reminder_subscribers(session)]
        planned = plan_reminders(ctx.garbage, subscribers, today)
    click.echo(f"{len(planned)} reminders for {today.isoformat()} evening ({len(subscribers)} subscribers)")
    by_area: dict[str, int] = {}
    for reminder in planned:
        by_area[reminder.area] = by_area.get(reminder.area, 0) + 1
    for area, count in sorted(by_area.items()):
        sample = next(r for r in planned if r.area == area)
        click.echo(f"  {area}: {count} × 【{'】【'.join(sample.categories)}】 on {sample.collection_day.isoformat()}")

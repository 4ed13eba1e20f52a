"""``flask --app app shelters …``: import the city's shelters and list them."""

from __future__ import annotations

import json
from pathlib import Path

import click

import db
import runtime
from disaster import notices
from disaster import status
from disaster import store
from disaster.hazards import HAZARDS
from disaster.hazards import names
from disaster.importers import KIND_LABELS
from disaster.importers import read_shelter_files
from disaster.status import STAFF_PREFIX
from importing.errors import ImportFailed
from residents import areas as known_areas

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
        raise click.ClickException(error.describe("、".join(path.name for path in files))) from None
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


@shelters_cli.command("status")
@click.argument("name")
@click.option("--open", "state", flag_value=status.OPEN, help="開設: the shelter is open.")
@click.option("--closed", "state", flag_value=status.CLOSED, help="閉鎖: the shelter is closed.")
@click.option("--full", "state", flag_value=status.FULL, help="満員: the shelter takes nobody more.")
@click.option("--crowding", type=click.Choice(status.CROWDING),
              help="empty 空いています, some やや混雑, busy 混雑, full 満.")
def shelters_status(name: str, state: str | None, crowding: str | None) -> None:
    """Set the status of the shelter NAME (every shelter of that exact name), stamped with the time now."""
    if state is None and crowding is None:
        raise click.UsageError("say --open, --closed or --full, or --crowding")
    if state == status.CLOSED and crowding is not None:
        raise click.UsageError("a closed shelter has no crowding")
    rt = runtime.current()
    now = rt.now()
    try:
        with db.transaction() as session:
            shelters = status.set_status(session, name, status.Change(state, crowding), now)
    except status.UnknownShelter:
        with db.read_transaction() as session:
            similar = status.similar_names(session, name)
        hint = f"; did you mean: {', '.join(similar)}" if similar else ""
        raise click.ClickException(f"no shelter is named {name!r}{hint}") from None
    shelter = shelters[0]
    click.echo(f"{name}: {shelter.status or '-'} {shelter.crowding or ''} ({len(shelters)} shelter"
               f"{'s' if len(shelters) != 1 else ''}) at {now.astimezone(rt.timezone).isoformat(timespec='minutes')}")


@shelters_cli.command("staff-code")
@click.argument("name")
def shelters_staff_code(name: str) -> None:
    """Issue a one-time code with which a staff member's LINE account may set the status of the shelter NAME."""
    rt = runtime.current()
    try:
        with db.transaction() as session:
            code = status.issue_code(session, name, rt.now(), secret=rt.settings.secret_key)
    except status.UnknownShelter:
        raise click.ClickException(f"no shelter is named {name!r}") from None
    hours = int(status.CODE_VALID.total_seconds() // 3600)
    click.echo(code)
    click.echo(f"The staff member of {name} sends 「{STAFF_PREFIX} {code}」 to the city's LINE account within "
               f"{hours} hours (once).")
    click.echo(f"From then on 「開設」「混雑」「満員」「閉鎖」 from that account set {name}'s status.")


disaster_cli = runtime.group("disaster", help="防災: the city's evacuation notices (避難情報).")


@disaster_cli.group("notice")
def notice_cli() -> None:
    """避難情報: 高齢者等避難 (level 3), 避難指示 (4), 緊急安全確保 (5), and their 解除."""


@notice_cli.command("create")
@click.option("--level", type=click.IntRange(3, 5), required=True, help="3 高齢者等避難, 4 避難指示, 5 緊急安全確保.")
@click.option("--area", "areas", multiple=True, required=True, help="An area it is issued for (repeat).")
@click.option("--text", default="", help="The city's own words, added to the standard ones.")
@click.option("--by", "created_by", required=True, help="Who creates it (may not approve it).")
@click.option("--office", default="", help="The issuing office as residents see it (default: the city's name).")
@click.option("--hazard", type=click.Choice([hazard.key for hazard in HAZARDS]), default=None,
              help="The hazard it is issued for: in disaster mode a location sent gets the shelters for it at once.")
def notice_create(level: int, areas: tuple[str, ...], text: str, created_by: str, office: str,
                  hazard: str | None) -> None:
    """Create a draft notice; prints its id on the first line. It is issued once approved."""
    rt = runtime.current()
    with db.read_transaction() as session:
        known = rt.caches[known_areas.KEY].get(session)
    names = list(areas)
    if known:  # residents' areas are the city's areas: a name, an alias or a reading of one (木太, きぶと)
        resolved = [known_areas.resolve_area(area, known) for area in areas]
        problems = [problem for _name, problem in resolved if problem]
        if problems:
            raise click.ClickException("\n".join(str(problem) for problem in problems))
        names = [name for name, _problem in resolved]
    try:
        with db.transaction() as session:
            notice = notices.create(session, level=level, areas=names, text=text, office=office, hazard=hazard or "",
                                    created_by=created_by, now=rt.now())
            notice_id = notice.id
            needed = notices.approvals_needed(session, rt.settings.disaster_notice_approvals)
    except notices.NoticeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(notice_id)
    if not known:
        click.echo("the city has no areas loaded: the area names were kept as written, unchecked")
    click.echo(f"draft notice {notice_id}: レベル{level} {notices.LEVELS[level]} for {', '.join(names)}; "
               f"issued after {needed} approval{'s' if needed != 1 else ''} by people other than {created_by}")


@notice_cli.command("approve")
@click.argument("notice_id", type=int)
@click.option("--approver", required=True, help="Who approves (not the creator).")
def notice_approve(notice_id: int, approver: str) -> None:
    """Approve a draft notice; with enough approvals it is issued and its push planned."""
    rt = runtime.current()
    needed = []

    def approve(session):
        needed.append(notices.approvals_needed(session, rt.settings.disaster_notice_approvals))
        return notices.info(session, notices.approve(session, notice_id, approver, rt.now(), approvals=needed[0]))

    shown = _change(approve)
    if shown.status == notices.ISSUED:
        click.echo(f"notice {notice_id} issued (approved by {', '.join(shown.approvers)}); the push worker sends it "
                   "to the residents of its areas who chose 防災")
    else:
        click.echo(f"notice {notice_id}: approved by {', '.join(shown.approvers)}; "
                   f"{needed[0] - len(shown.approvers)} more approval needed")


@notice_cli.command("cancel")
@click.argument("notice_id", type=int)
def notice_cancel(notice_id: int) -> None:
    """Withdraw a draft notice."""
    _change(lambda session: notices.cancel(session, notice_id))
    click.echo(f"notice {notice_id} cancelled")


@notice_cli.command("lift")
@click.argument("notice_id", type=int)
def notice_lift(notice_id: int) -> None:
    """Lift an issued notice (解除); its residents are told."""
    _change(lambda session: notices.lift(session, notice_id, runtime.current().now()))
    click.echo(f"notice {notice_id} lifted; the push worker tells the residents of its areas")


@notice_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of the notices.")
def notice_list(as_json: bool) -> None:
    """Every notice, newest first."""
    with db.read_transaction() as session:
        shown = notices.listing(session)
    if as_json:
        click.echo(json.dumps([notice.as_json() for notice in shown], ensure_ascii=False))
        return
    for notice in shown:
        click.echo(f"{notice.id}\t{notice.status}\tレベル{notice.level} {notice.name}\t{'・'.join(notice.areas)}\t"
                   f"by {notice.created_by}; approved by {', '.join(notice.approvers) or '-'}")


def _change(change):
    """Run ``change(session)`` on the notices in one transaction and return what it returns; a NoticeError is
    told to staff (nothing changed)."""
    try:
        with db.transaction() as session:
            return change(session)
    except notices.NoticeError as error:
        raise click.ClickException(str(error)) from None

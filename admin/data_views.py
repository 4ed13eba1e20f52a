"""The console's data pages, read-only: the city's data the bot answers from, for staff to look through.

Life-stage rules with the timeline they give for a sample child, the garbage dictionary and an area's next
collection days, residents as counts only (never a list, never a LINE user id), and the shelters' status
board with the 避難情報. Every list is a page or a limited number of rows; every count is one aggregate query.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from datetime import timedelta
from pathlib import Path

from flask import render_template
from flask import request

import db
import runtime
from admin import auth
from admin import texts
from admin.broadcast_views import STAGE_NAMES
from admin.models import Role
from admin.views import bp
from disaster import board
from disaster.importers import KIND_LABELS
from disaster.status import STATUSES
from garbage import catalog as garbage_catalog
from garbage import listing
from garbage import store as garbage_store
from garbage.answers import ItemChoices
from garbage.answers import answer_next
from garbage.answers import find_item
from garbage.answers import first_open_day
from japanese.calendar import add_years
from push.lifestage import preview as lifestage_preview
from push.lifestage import rules as lifestage_rules
from push.stage_counts import stage_counts
from residents import counts
from residents.categories import CATEGORIES

PAGE_SIZE = 50
MATCHES = 30  # rows the bot's own item search shows
NOTICES = 50  # the newest notices shown
DATE_FIELDS = ("birth", "due", "born", "start")
FIRST_YEAR, LAST_YEAR = 1900, 2100
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class DateProblem(ValueError):
    """A date field that cannot be read; the message is the staff's, in Japanese."""


@bp.get("/data")
@auth.requires(Role.EDITOR)
def data_index():
    """Links to each data page, with what it shows."""
    return render_template("admin/data_index.html")


@bp.get("/data/lifestage")
@auth.requires(Role.EDITOR)
def data_lifestage():
    """The life-stage rules, and every message they would send for a sample child (a birth date, one year ago
    at first, and/or a due date) and the resident's own birth date, by send date."""
    today = runtime.current().today()
    asked = {name: (request.args.get(name) or "").strip()[:40] for name in DATE_FIELDS}
    if not request.args:
        asked["birth"] = add_years(today, -1).isoformat()
    problems, dates = [], {}
    for name, value in asked.items():
        try:
            dates[name] = _read_date(name, value)
        except DateProblem as problem:
            problems.append(str(problem))
    if not problems and not any(dates.get(name) for name in ("birth", "due", "born")):
        problems.append(texts.DATA_NO_DATE)
    with db.read_transaction() as session:
        try:
            rules, origin = lifestage_rules.city_rules(session)
        except lifestage_rules.RulesError as error:
            rules, origin, broken = [], "", error.problems
        else:
            broken = []
    timeline = []
    if rules and not problems:
        timeline = lifestage_preview.preview(rules, birth=dates["birth"], due=dates["due"], born=dates["born"],
                                             start=dates["start"])
    return render_template("admin/data_lifestage.html", asked=asked, problems=problems, rules=rules,
                           origin=Path(origin).name if origin and origin != "default rules" else "",
                           broken=broken, timeline=timeline, today=today), 400 if problems else 200


@bp.get("/data/garbage")
@auth.requires(Role.EDITOR)
def data_garbage():
    """The sorting dictionary filtered by a word (``q``, a page at a time) or searched as the bot would answer a
    resident typing it (``mode=match``), and the next collection days of a chosen area."""
    rt = runtime.current()
    query = (request.args.get("q") or "").strip()[:100]
    category = (request.args.get("category") or "").strip()[:100]
    mode = "match" if request.args.get("mode") == "match" and query else "filter"
    page = max(1, request.args.get("page", 1, type=int))
    area = (request.args.get("area") or "").strip()[:200]
    with db.read_transaction() as session:
        categories = [c.name for c in garbage_store.load_categories(session)]
        areas = [a.name for a in garbage_store.load_areas(session)]
        city = rt.caches[garbage_catalog.KEY].get(session) if categories and (mode == "match" or area) else None
        mode = mode if city is not None else "filter"
        if mode == "match":
            found = find_item(city, query, asked_about_sorting=True)
            if isinstance(found, ItemChoices):
                found = [row for name in found.names for row in city.variants(name)]
            rows, total = found[:MATCHES], len(found[:MATCHES])
        else:
            found_page = listing.item_page(session, query, category=category, offset=(page - 1) * PAGE_SIZE,
                                           limit=PAGE_SIZE)
            rows, total = found_page.items, found_page.total
        next_days, written, start = None, {}, None
        if city is not None and area in areas:
            local = rt.now().astimezone(rt.timezone)
            start = first_open_day(city, local.date(), local.time())
            collected = [name for name in city.schedules.get(area, {})
                         if name not in city.categories or city.categories[name].collected]
            next_days = answer_next(city, area, start, collected) if collected else None
            written = {rule.category: rule.schedule.source for rule in garbage_store.load_rules(session, area)}
    return render_template("admin/data_garbage.html", query=query, category=category, mode=mode, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), rows=rows, total=total, categories=categories,
                           areas=areas, area=area, next_days=next_days, written=written, start=start)


@bp.get("/data/residents")
@auth.requires(Role.EDITOR)
def data_residents():
    """How many residents follow the account and agreed to push: in all, by area, by push category and by
    their children's life stage today. Counts only."""
    today = runtime.current().today()
    with db.read_transaction() as session:
        totals = counts.totals(session)
        areas = counts.by_area(session)
        chosen = counts.by_category(session)
        stages = stage_counts(session, today)
    return render_template("admin/data_residents.html", totals=totals, areas=areas,
                           categories=[(name, chosen.get(name, counts.Counts())) for name in CATEGORIES],
                           stages=[(STAGE_NAMES[name], found) for name, found in stages.items()], today=today)


@bp.get("/data/shelters")
@auth.requires(Role.EDITOR)
def data_shelters():
    """The shelters a page at a time (by a word of the name or address, status and kind) with the status
    board, and the newest 避難情報 (by state and area)."""
    rt = runtime.current()
    word = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    status = status if status in (*STATUSES, board.UNSET) else ""
    kind = request.args.get("kind") or ""
    kind = kind if kind in KIND_LABELS else ""
    page = max(1, request.args.get("page", 1, type=int))
    notice_status = request.args.get("notice_status") or ""
    notice_status = notice_status if notice_status in texts.NOTICE_STATES else ""
    notice_area = (request.args.get("notice_area") or "").strip()[:100]
    with db.read_transaction() as session:
        shelters = board.shelter_page(session, word=word, status=status, kind=kind, offset=(page - 1) * PAGE_SIZE,
                                      limit=PAGE_SIZE)
        by_status = board.status_counts(session)
        found_notices = board.latest_notices(session, status=notice_status, area=notice_area, limit=NOTICES)
    return render_template("admin/data_shelters.html", shelters=shelters, by_status=by_status, word=word,
                           status=status, kind=kind, page=page, pages=max(1, -(-shelters.total // PAGE_SIZE)),
                           notices=found_notices, notice_status=notice_status, notice_area=notice_area,
                           notices_limit=NOTICES, kinds=KIND_LABELS, now=rt.now(),
                           max_age=timedelta(hours=rt.settings.shelter_status_max_age_hours))


def _read_date(name: str, value: str) -> date | None:
    """The date typed in field ``name`` (2025-04-01, 2025/4/1 or 2025年4月1日; None when blank); DateProblem
    with the staff's message for anything else, a day no month has (2月30日) or a year out of range."""
    if not value:
        return None
    field = texts.DATA_DATE_FIELDS[name]
    found = _DATE.fullmatch(unicodedata.normalize("NFKC", value))
    try:
        day = date(int(found[1]), int(found[2]), int(found[3])) if found else None
    except ValueError:
        day = None
    if day is None:
        raise DateProblem(texts.DATA_BAD_DATE.format(field=field, value=value))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DateProblem(texts.DATA_DATE_RANGE.format(field=field, first=FIRST_YEAR, last=LAST_YEAR))
    return day

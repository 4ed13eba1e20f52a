"""Residents moving from another system: a CSV of LINE users with their area, categories and children.

The file has the header ``line_user_id,area,categories,children``. Categories are ``|``-separated names
from ``residents.categories.CATEGORIES``; children are ``|``-separated ``birth:YYYY-MM-DD`` or
``due:YYYY-MM-DD``. UTF-8 (with or without BOM), Shift_JIS and EUC-JP are read (``importing.csvfile``).
Every bad row is reported with its row number (the header is row 1) and a ``Problem`` of
``importing.messages`` (``residents.*`` and the shared ones), and nothing is saved unless every row is good.

The area must be one of the city's when the city has garbage areas loaded: its name, an alias or a reading
(「木太」 for 「木太・林・多肥・国分寺南部」), stored as the area's name as the chat stores it. When no areas
are loaded (a city moving in before its garbage data), areas are kept as written and not checked; the
command says so; the chat matches such an area as it matches a typed one, and asks a resident whose
area it cannot match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from importing import messages
from importing.csvfile import blank
from importing.csvfile import read_csv
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.messages import Problem
from importing.text import cell_problems
from residents import dates as date_rules
from residents.areas import resolve_area
from residents.categories import CATEGORIES
from residents.models import Child
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription
from search.areas import AreaInfo

HEADER = ("line_user_id", "area", "categories", "children")
LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")
MAX_AREA = 100


@dataclass(frozen=True)
class ResidentRecord:
    """One good row: a LINE user, their area, the categories they receive and their children's dates."""

    row: int
    line_user_id: str
    area: str | None  # the city's name for the area, or the text as written when no areas are loaded
    categories: tuple[str, ...]
    due_dates: tuple[date, ...]
    birth_dates: tuple[date, ...]
    area_as_written: str | None = None


@dataclass(frozen=True)
class ImportReport:
    """What an import did: residents created, residents already known and updated, children added."""

    created: int
    updated: int
    children: int


def read_residents(data: bytes, today: date, areas: Sequence[AreaInfo] = ()) -> list[ResidentRecord]:
    """The rows of a residents CSV; raises ``ImportFailed`` listing every bad row.

    Children's dates are checked as in the chat, against ``today``: a due date from about a month ago
    to ten months ahead, a birth date not in the future and at most 18 years ago. With ``areas`` (the
    city's), an area must name one of them (module docstring); without, areas are not checked.
    """
    table = read_csv(data, file="")
    header = table.records[0] if table.records else None
    if header is None or tuple(cell.strip().lower() for cell in header[1]) != HEADER:
        raise ImportFailed([RowError(1, Problem("header.must_be", columns=",".join(HEADER))), *table.errors])
    errors: list[RowError] = []
    records: list[ResidentRecord] = []
    first_row: dict[str, int] = {}
    for number, fields in table.records[1:]:
        if blank(fields):
            continue
        problems, record = _read_row(number, fields, today, areas)
        if record is not None:
            if record.line_user_id in first_row:
                problems.append(Problem("residents.duplicate_user", user=record.line_user_id,
                                        first=messages.place(first_row[record.line_user_id])))
            else:
                first_row[record.line_user_id] = number
        errors += [RowError(number, problem) for problem in problems]
        if not problems and record is not None:
            records.append(record)
    errors += table.errors
    if not records and not errors:
        errors.append(RowError(0, Problem("residents.no_rows")))
    if errors:
        raise ImportFailed(errors)
    return records


def _read_row(
    number: int, fields: list[str], today: date, areas: Sequence[AreaInfo]
) -> tuple[list[Problem], ResidentRecord | None]:
    if len(fields) != len(HEADER):
        return [Problem("row.width", found=len(fields), expected=len(HEADER))], None
    bad_text = cell_problems(fields, HEADER)
    if bad_text:
        return bad_text, None
    user_id, written_area, categories, children = (cell.strip() for cell in fields)
    problems = []
    if not LINE_USER_ID.fullmatch(user_id):
        problems.append(Problem("residents.user_id", value=user_id[:40]))
    area = written_area
    if len(area) > MAX_AREA:
        problems.append(Problem("field.too_long", column="area", length=len(area), limit=MAX_AREA))
    elif area and areas:
        resolved, problem = resolve_area(area, areas)
        if problem is not None:
            problems.append(problem)
        area = resolved or area
    chosen = [name.strip() for name in categories.split("|") if name.strip()]
    problems += [Problem("residents.unknown_category", name=name, known="|".join(CATEGORIES)) for name in chosen
                 if name not in CATEGORIES]
    due_dates: list[date] = []
    birth_dates: list[date] = []
    for item in (part.strip() for part in children.split("|") if part.strip()):
        kind, _, value = item.partition(":")
        kind = kind.strip().lower()
        if kind not in ("due", "birth"):
            problems.append(Problem("residents.child_format", value=item))
            continue
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            problems.append(Problem("residents.child_date", value=item))
            continue
        refusal = (date_rules.due_refusal if kind == "due" else date_rules.birth_refusal)(day, today)
        if refusal is not None:
            problems.append(_refused(refusal, day))
            continue
        (due_dates if kind == "due" else birth_dates).append(day)
    record = ResidentRecord(number, user_id, area or None, tuple(dict.fromkeys(chosen)), tuple(due_dates),
                            tuple(birth_dates), written_area or None)
    return problems, record if LINE_USER_ID.fullmatch(user_id) else None


def _refused(refusal: date_rules.Refusal, day: date) -> Problem:
    """Why a child's date is refused (``residents.dates``), as staff read it."""
    if refusal is date_rules.Refusal.DUE_PAST:
        return Problem("residents.due_past", day=day.isoformat())
    if refusal is date_rules.Refusal.DUE_TOO_FAR:
        return Problem("residents.due_too_far", day=day.isoformat())
    if refusal is date_rules.Refusal.BIRTH_FUTURE:
        return Problem("residents.birth_future", day=day.isoformat())
    if refusal is date_rules.Refusal.BIRTH_TOO_OLD:
        return Problem("residents.birth_too_old", day=day.isoformat())
    raise ValueError(f"not a child's date refusal: {refusal}")


def save_residents(session: Session, records: list[ResidentRecord], now: datetime) -> ImportReport:
    """Create or update the residents of ``records`` in the caller's transaction.

    New residents are active and consented now (they consented in the previous system). A resident
    already known keeps what they set here: the area is filled only when empty, categories and children
    are added (a child already registered with the same date is not added again, so importing the same
    file twice changes nothing), and a blocked resident stays blocked.
    """
    known = {r.line_user_id: r for r in session.scalars(
        sa.select(Resident).where(Resident.line_user_id.in_([record.line_user_id for record in records])))}
    created = updated = children = 0
    for record in records:
        resident = known.get(record.line_user_id)
        have_categories: set[str] = set()
        have_children: Counter[tuple[str, date]] = Counter()
        if resident is None:
            resident = Resident(line_user_id=record.line_user_id, status=ResidentStatus.ACTIVE, followed_at=now,
                                area=record.area, consent_at=now, created_at=now)
            session.add(resident)
            session.flush()
            created += 1
        else:
            updated += 1
            resident.area = resident.area or record.area
            resident.consent_at = resident.consent_at or now
            have_categories = set(session.scalars(
                sa.select(Subscription.category).where(Subscription.resident_id == resident.id)))
            for due, birth in session.execute(
                    sa.select(Child.due_date, Child.birth_date).where(Child.resident_id == resident.id)):
                have_children[("birth", birth) if birth else ("due", due)] += 1
        session.add_all(Subscription(resident_id=resident.id, category=c)
                        for c in record.categories if c not in have_categories)
        # Twins share a date: add only as many children per date as the database does not have yet.
        wanted = Counter([("due", d) for d in record.due_dates] + [("birth", d) for d in record.birth_dates])
        for (kind, day), count in wanted.items():
            for _ in range(count - have_children[(kind, day)]):
                session.add(Child(resident_id=resident.id, created_at=now, **{f"{kind}_date": day}))
                children += 1
    session.flush()
    return ImportReport(created, updated, children)

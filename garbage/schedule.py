"""Collection schedules as plain data: the rules a calendar cell can express, and what it could not.

A cell of a city's calendar (5374 ``area_days.csv``: 「月 木」, 「水2 水4」, 「水1:6 9」, 「20250105 20250119」;
高松's prose: 「毎週火・金曜日」, 「第２・４月曜日」) becomes a ``Schedule``: one or more rules, plus any text no
rule could express, kept verbatim so residents see it with the city's contact instead of a guess.

Weekdays are numbered as ``date.weekday()``: Monday 0 … Sunday 6.

A pack's ``holidays.csv`` (``date,category,moved_to,note``) becomes ``CalendarChange`` rows; bad rows are
reported by number with a ``Problem`` of ``importing.messages`` (``holidays.*``), never raised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from importing import messages
from importing.csvfile import parse_csv
from importing.messages import Problem
from importing.text import cell_problems


@dataclass(frozen=True)
class Weekly:
    """Every week on these weekdays (月 木 → {0, 3})."""

    weekdays: frozenset[int]


@dataclass(frozen=True)
class MonthlyNth:
    """The n-th weekday of the month (水2 水4 → weekday 2, nths {2, 4}); ``months`` limits it (水1:6 9)."""

    weekday: int
    nths: frozenset[int]
    months: frozenset[int] | None = None


@dataclass(frozen=True)
class OnDates:
    """Explicit collection dates (the YYYYMMDD lists some 5374 forks use)."""

    dates: frozenset[date]


Rule = Weekly | MonthlyNth | OnDates


@dataclass(frozen=True)
class Schedule:
    """What one calendar cell says: rules, text kept verbatim, and remark ids (5374 ``*1``)."""

    rules: tuple[Rule, ...] = ()
    verbatim: str = ""  # text no rule expresses, shown as written with the city's contact
    remarks: tuple[str, ...] = ()
    source: str = field(default="", compare=False)  # the cell as written

    @property
    def complete(self) -> bool:
        """True when the rules say everything the cell says (nothing kept verbatim)."""
        return not self.verbatim


@dataclass(frozen=True)
class CalendarChange:
    """One day of a pack's ``holidays.csv``: no collection that day, or the collection moves to ``moved_to``."""

    day: date
    category: str | None  # None: every category
    moved_to: date | None  # None: no collection that day
    note: str = ""


WEEKDAY_CODES = "月火水木金土日"  # index = date.weekday()
ALL_MONTHS = frozenset(range(1, 13))
EVERY_NTH = frozenset(range(1, 6))  # a weekly code limited to some months: every occurrence in those months

_CODE = re.compile(r"([月火水木金土日])([1-5])?")
_DATE = re.compile(r"[0-9]{8}")
_REMARK = re.compile(r"\*([0-9]+)")
_CELL = re.compile(r"([^()]*)(?:\(([^()]*)\))?")
_CLAUSE = re.compile(r"((?:[0-9]{1,2}月)+)(は|のみ)(.*)")

Code = tuple[int, int | None]  # (weekday, nth or None for every week)


class _Unparsed(ValueError):
    """The text says something no rule can express exactly."""


def parse_5374(cell: str) -> Schedule:
    """Read one 5374 ``area_days.csv`` cell; text no rule expresses exactly is kept verbatim, with no rules.

    Codes before a ``:`` are limited to the months after it (``水1:6 9``). A parenthesis names months that
    differ (``月3（11月は月2）``: the codes in 11月 replace every code of the cell) or the only months
    collected (``金2（6月9月のみ 9月は金3）``). When any part cannot be read, the whole cell becomes verbatim,
    because that part could change the meaning of the rest.
    """
    text = unicodedata.normalize("NFKC", cell).strip()
    if not text:
        return Schedule(source=cell)
    try:
        rules, remarks = _read_5374(text)
    except _Unparsed:
        remarks = tuple(m[1] for token in text.split() if (m := _REMARK.fullmatch(token)))
        return Schedule(verbatim=cell.strip(), remarks=remarks, source=cell)
    return Schedule(rules=rules, remarks=remarks, source=cell)


def _read_5374(text: str) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Split a normalised cell into body, month limit and parenthesis, and build its rules."""
    cell = _CELL.fullmatch(text)
    if cell is None:
        raise _Unparsed(text)
    body, clauses = cell[1], cell[2]
    codes_text, _, months_text = body.partition(":")
    codes, dates, remarks = _read_tokens(codes_text.split())
    limited = ":" in body or clauses is not None
    if limited and (dates or remarks or not codes):
        raise _Unparsed(text)  # a month limit or exception on anything but weekday codes
    if dates and codes:
        raise _Unparsed(text)  # 5374 reads a cell as either weekday codes or a date list, never both
    months = _read_month_list(months_text) if ":" in body else ALL_MONTHS
    if clauses is None:
        rules = _rules(codes, months)
    else:
        rules = _apply_clauses(codes, months, clauses, colon=":" in body)
    if dates:
        rules += (OnDates(frozenset(dates)),)
    return rules, tuple(remarks)


def _read_tokens(tokens: list[str]) -> tuple[list[Code], list[date], list[str]]:
    """Sort the space-separated tokens of a cell into weekday codes, explicit dates and remark ids."""
    codes: list[Code] = []
    dates: list[date] = []
    remarks: list[str] = []
    for token in tokens:
        if code := _read_code(token):
            codes.append(code)
        elif _DATE.fullmatch(token):
            dates.append(_read_yyyymmdd(token))
        elif remark := _REMARK.fullmatch(token):
            remarks.append(remark[1])
        else:
            raise _Unparsed(token)
    return codes, dates, remarks


def _read_code(token: str) -> Code | None:
    """``月`` → (0, None), ``水2`` → (2, 2); None when the token is not a weekday code."""
    match = _CODE.fullmatch(token)
    if match is None:
        return None
    return WEEKDAY_CODES.index(match[1]), int(match[2]) if match[2] else None


def _read_yyyymmdd(token: str) -> date:
    """A ``YYYYMMDD`` token as a date; an impossible date cannot be read."""
    try:
        return date(int(token[:4]), int(token[4:6]), int(token[6:]))
    except ValueError:
        raise _Unparsed(token) from None


def _read_month_list(text: str) -> frozenset[int]:
    """The months after a ``:`` (``6 9``), each 1–12."""
    parts = text.split()
    if not parts or not all(part.isascii() and part.isdigit() and 1 <= int(part) <= 12 for part in parts):
        raise _Unparsed(text)
    return frozenset(int(part) for part in parts)


def _read_clause_months(text: str) -> frozenset[int]:
    """The months of a clause head (``4月7月9月3月``), each 1–12."""
    months = [int(m) for m in re.findall(r"([0-9]{1,2})月", text)]
    if not all(1 <= m <= 12 for m in months):
        raise _Unparsed(text)
    return frozenset(months)


def _apply_clauses(codes: list[Code], months: frozenset[int], text: str, *, colon: bool) -> tuple[Rule, ...]:
    """Rules for a cell with a parenthesis: 「N月は CODES」 replaces the cell's codes, 「N月…のみ」 limits it."""
    if not text.split():
        raise _Unparsed(text)
    only: frozenset[int] | None = None
    overrides: list[tuple[frozenset[int], list[Code]]] = []
    for token in text.split():
        if clause := _CLAUSE.fullmatch(token):
            clause_months = _read_clause_months(clause[1])
            if clause[2] == "のみ":
                if only is not None or colon or clause[3]:
                    raise _Unparsed(text)
                only = clause_months
            elif code := _read_code(clause[3]):
                overrides.append((clause_months, [code]))
            else:
                raise _Unparsed(text)
        elif overrides and (code := _read_code(token)):
            overrides[-1][1].append(code)
        else:
            raise _Unparsed(text)
    base = only if only is not None else months
    replaced: set[int] = set()
    for clause_months, _ in overrides:
        if not clause_months <= base or clause_months & replaced:
            raise _Unparsed(text)  # an exception for a month the cell does not collect in, or named twice
        replaced |= clause_months
    rules = _rules(codes, base - replaced)
    for clause_months, clause_codes in overrides:
        rules += _rules(clause_codes, clause_months)
    return rules


def _rules(codes: list[Code], months: frozenset[int] | set[int]) -> tuple[Rule, ...]:
    """Group weekday codes into rules that hold in ``months`` (all twelve: no month limit)."""
    if not codes or not months:
        return ()
    limit = None if months == ALL_MONTHS else frozenset(months)
    weekly = sorted({weekday for weekday, nth in codes if nth is None})
    nths: dict[int, set[int]] = {}
    for weekday, nth in codes:
        if nth is not None:
            nths.setdefault(weekday, set()).add(nth)
    rules: list[Rule] = []
    if weekly and limit is None:
        rules.append(Weekly(frozenset(weekly)))
    elif weekly:
        rules.extend(MonthlyNth(weekday, EVERY_NTH, limit) for weekday in weekly)
    rules.extend(MonthlyNth(weekday, frozenset(n), limit) for weekday, n in sorted(nths.items()))
    return tuple(rules)


_TAKAMATSU_DAY = re.compile(r"([月火水木金土日])(?:曜日|曜)?")
_TAKAMATSU_NTH = re.compile(r"第([0-9](?:・第?[0-9])*)([月火水木金土日])(?:曜日|曜)?")


def parse_takamatsu(text: str) -> Schedule:
    """Read one 高松 collection-day text (「毎週火・金曜日」, 「第２・４月曜日」); anything else is kept verbatim."""
    norm = unicodedata.normalize("NFKC", text).strip()
    if not norm:
        return Schedule(source=text)
    rules = [_takamatsu_rule(part) for part in re.split(r"[\s、,]+|(?:(?<=曜)|(?<=曜日))・(?=第|毎週)", norm)]
    if None in rules:
        return Schedule(verbatim=text.strip(), source=text)
    return Schedule(rules=tuple(rule for rule in rules if rule is not None), source=text)


def _takamatsu_rule(part: str) -> Rule | None:
    """One phrase: 「毎週火・金曜日」 → Weekly, 「第2・4月曜日」 → MonthlyNth; None for anything else."""
    if part.startswith("毎週"):
        days = [_TAKAMATSU_DAY.fullmatch(item) for item in part.removeprefix("毎週").split("・")]
        if not all(days):
            return None
        return Weekly(frozenset(WEEKDAY_CODES.index(day[1]) for day in days if day))
    if nth := _TAKAMATSU_NTH.fullmatch(part):
        nths = frozenset(int(digit) for digit in re.findall(r"[0-9]", nth[1]))
        if not nths <= EVERY_NTH:
            return None
        return MonthlyNth(WEEKDAY_CODES.index(nth[2]), nths)
    return None


EXCEPTION_COLUMNS = ("date", "category", "moved_to", "note")
REQUIRED_EXCEPTION_COLUMNS = ("date", "category", "moved_to")
MAX_RANGE_DAYS = 366
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DAY_OR_RANGE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:\.\.[0-9]{4}-[0-9]{2}-[0-9]{2})?")


class _BadRow(ValueError):
    """A row of holidays.csv that cannot be used; ``problem`` is the reason reported."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def parse_exceptions_csv(text: str) -> tuple[list[CalendarChange], list[tuple[int, Problem]]]:
    """Read a pack's ``holidays.csv`` into calendar changes, reporting bad rows instead of failing.

    Rows are numbered as records with the header as 1 (a quoted line break does not start a new row).
    A cell with a private-use or control character (a line break outside ``note``) is a bad row.
    A missing required column or a repeated column rejects the file; an unknown column is reported and ignored.
    A bad row is reported and left out; the other rows still count.
    """
    rows, errors = _csv_records(text)
    header = [name.strip() for name in rows[0]] if rows else []
    rejects, header_errors = _check_header(header)
    errors = header_errors + errors
    if rejects:
        return [], errors
    changes: list[CalendarChange] = []
    seen: dict[tuple[date, str | None], tuple[date | None, int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        bad_text = cell_problems(row, header, ("note",))
        if bad_text:
            errors += [(number, problem) for problem in bad_text]
            continue
        try:
            row_changes = _read_exception_row(header, row)
            for change in row_changes:
                _check_conflict(seen, change, number)
        except _BadRow as bad:
            errors.append((number, bad.problem))
            continue
        for change in row_changes:
            seen[change.day, change.category] = (change.moved_to, number)
        changes.extend(row_changes)
    return changes, sorted(errors, key=lambda error: error[0])


def _csv_records(text: str) -> tuple[list[list[str]], list[tuple[int, Problem]]]:
    """The CSV records of ``text`` through the shared reader; a record it cannot read ends the file, reported."""
    table = parse_csv(text)
    return [fields for _number, fields in table.records], [(error.row, error.problem) for error in table.errors]


def _check_header(header: list[str]) -> tuple[bool, list[tuple[int, Problem]]]:
    """Whether the header rejects the file (a missing or repeated column), and its problems as row-1 errors."""
    errors = []
    missing = [column for column in REQUIRED_EXCEPTION_COLUMNS if column not in header]
    if missing:
        errors.append((1, Problem("holidays.missing_columns", columns=missing)))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        errors.append((1, Problem("holidays.repeated_columns", columns=repeated)))
    if unknown := [name for name in header if name not in EXCEPTION_COLUMNS]:
        errors.append((1, Problem("holidays.unknown_columns", columns=unknown, allowed=",".join(EXCEPTION_COLUMNS))))
    return bool(missing or repeated), errors


def _read_exception_row(header: list[str], row: list[str]) -> list[CalendarChange]:
    """The changes one row stands for: one per day of its date or range."""
    if len(row) > len(header):
        raise _BadRow(Problem("row.width", found=len(row), expected=len(header)))
    cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
    first, last = _read_day_or_range(cells.get("date", ""))
    moved_to = _read_iso_day(cells["moved_to"], "moved_to") if cells.get("moved_to") else None
    if moved_to is not None and first != last:
        raise _BadRow(Problem("holidays.range_with_moved_to"))
    if moved_to == first:
        raise _BadRow(Problem("holidays.moved_to_same_day"))
    category = cells.get("category") or None
    note = cells.get("note", "")
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [CalendarChange(day, category, moved_to, note) for day in days]


def _read_day_or_range(text: str) -> tuple[date, date]:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD`` as an inclusive (first, last) pair."""
    if not text:
        raise _BadRow(Problem("field.empty", column="date"))
    if not _ISO_DAY_OR_RANGE.fullmatch(text):
        raise _BadRow(Problem("holidays.date_format", value=text))
    start, dots, end = text.partition("..")
    first = _read_iso_day(start, "date")
    last = _read_iso_day(end, "date") if dots else first
    if last < first:
        raise _BadRow(Problem("holidays.range_reversed", value=text))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise _BadRow(Problem("holidays.range_too_long", value=text, limit=MAX_RANGE_DAYS))
    return first, last


def _read_iso_day(text: str, column: str) -> date:
    """A strict ``YYYY-MM-DD`` day; anything else, or an impossible date, is a bad row."""
    if not _ISO_DAY.fullmatch(text):
        raise _BadRow(Problem("holidays.day_format", column=column, value=text))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _BadRow(Problem("holidays.no_such_day", column=column, value=text)) from None


def _check_conflict(seen: dict[tuple[date, str | None], tuple[date | None, int]], change: CalendarChange, number: int):
    """A day and category already given a different outcome by an earlier row is a bad row."""
    earlier = seen.get((change.day, change.category))
    if earlier is not None and earlier[0] != change.moved_to:
        raise _BadRow(Problem("holidays.conflict", day=change.day.isoformat(), first=messages.place(earlier[1])))

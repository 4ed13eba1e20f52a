"""Read a city's garbage data (5374.jp folders, 高松市's two sheets) into plain records, checking every row.

Both readers return a :class:`GarbageData`: categories, the sorting dictionary, areas, one collection
rule per area and category (a ``garbage.schedule.Schedule``), remarks and center shutdowns, plus a
``report`` naming every calendar cell kept verbatim and every row skipped, with the reason.

Import is all or nothing: a reader either returns everything or raises ``ImportFailed`` listing every
bad row, each named by file and row. Row numbers are the ones a person sees in a spreadsheet: the
header is row 1 and a quoted value spanning several lines is still one row. Files are read through
``importing.csvfile`` (UTF-8, cp932 or EUC-JP, or a refusal naming the file); a cell with a private-use or
control character (a line break outside notes and remarks) is a bad row, named by its column. Problems
are codes of ``importing.messages`` (``garbage.*`` and the shared ones). Nothing here touches the database;
``garbage.store.save_garbage`` saves the result in the caller's transaction.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path

from garbage.schedule import CalendarChange
from garbage.schedule import OnDates
from garbage.schedule import Schedule
from garbage.schedule import parse_5374
from garbage.schedule import parse_exceptions_csv
from garbage.schedule import parse_takamatsu
from importing import messages
from importing.csvfile import Record
from importing.csvfile import blank
from importing.csvfile import read_csv
from importing.errors import FileRowError
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.messages import Problem
from importing.text import cell_problems
from importing.text import decode_text
from importing.text import text_problem

# 5374 files; target.csv and area_days.csv are required, the others optional.
TARGET = "target.csv"
AREA_DAYS = "area_days.csv"
DESCRIPTION = "description.csv"
REMARKS = "remarks.csv"
CENTER = "center.csv"

TARGET_COLUMNS = ("type", "name", "notice", "furigana")
REMARK_ID, REMARK_TEXT = "ID", "注意事項"  # remarks.csv's two columns
TARGET_REQUIRED = ("type", "name")
HEADER_TYPO_CUTOFF = 0.7

TAKAMATSU_ITEM_COLUMNS = ("#property", "name", "classification", "note")
# 高松 calendar columns and the category names its sorting list uses for them.
TAKAMATSU_CALENDAR = {
    "burnableGarbage": "燃やせるごみ",
    "crushableGarbage": "破砕ごみ",
    "cansGlassPlastic": "缶・びん・ペットボトル",
    "paperAndCloth": "紙・布",
    "plasticContainers": "プラスチック容器包装",
}

_TAKAMATSU_CALENDAR_HEADER = ",".join(("#property", "name", *TAKAMATSU_CALENDAR))

# Categories whose name says the city does not collect them.
NOT_COLLECTED_NAMES = frozenset(
    {"収集不可", "家電リサイクル法対象品", "収集できないもの", "収集しないもの", "市で収集できないもの", "処理困難物"}
)
# A category is also "not collected" when most of its items' notices say so (留萌 「その他」).
NOT_COLLECTED_PHRASES = ("収集できません", "収集しません", "回収できません", "収集できない", "出せません")
NOT_COLLECTED_MIN_ITEMS = 3

# Words that say why a sorting-list category has no calendar column: collected on request (粗大ごみ,
# 臨時・粗大ごみ) or hazardous waste taken separately (有害ごみ, 危険ごみ). See ``read_takamatsu``.
SORTING_ONLY_WORDS = ("粗大", "有害", "危険")

CATEGORY_SEPARATORS = re.compile(r"[、，,]")
AREA_SEPARATORS = "・、，,"
OPEN_BRACKETS = "（("
CLOSE_BRACKETS = "）)"
DATE_DASHED = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_LIST = re.compile(r"[0-9]{8}(?:\s+[0-9]{8})*")  # a 5374 cell of YYYYMMDD dates only


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRecord:
    """A category as read: ``collected`` False for categories the city does not take (収集不可)."""

    name: str
    description: str = ""
    color: str = ""
    collected: bool = True
    takeaway: str = ""


@dataclass(frozen=True)
class ItemRecord:
    """One item of the sorting dictionary under one category (an item in two categories is two records)."""

    name: str
    category: str
    notice: str = ""
    kana: str = ""


@dataclass(frozen=True)
class AreaRecord:
    """A collection area: its display name, the names inside it that residents type, and its center."""

    name: str
    aliases: tuple[str, ...] = ()
    center: str = ""


@dataclass(frozen=True)
class RuleRecord:
    """When ``category`` is collected in ``area``."""

    area: str
    category: str
    schedule: Schedule


@dataclass(frozen=True)
class RemarkRecord:
    """A note calendar cells refer to (5374 ``*1`` → key "1")."""

    key: str
    text: str


@dataclass(frozen=True)
class ShutdownRecord:
    """A center takes nothing from ``start`` to ``end``, both included."""

    center: str
    start: date
    end: date


@dataclass
class GarbageData:
    """Everything one import read, and the report of what was kept verbatim or skipped.

    ``exceptions`` (the pack's ``holidays.csv``, ``CalendarChange`` objects) is None when the import did
    not include them, so saving keeps the ones already stored.
    """

    categories: list[CategoryRecord] = field(default_factory=list)
    items: list[ItemRecord] = field(default_factory=list)
    areas: list[AreaRecord] = field(default_factory=list)
    rules: list[RuleRecord] = field(default_factory=list)
    remarks: list[RemarkRecord] = field(default_factory=list)
    shutdowns: list[ShutdownRecord] = field(default_factory=list)
    exceptions: list[CalendarChange] | None = None
    report: list[str] = field(default_factory=list)

    def verbatim_rules(self) -> list[RuleRecord]:
        """The rules with text no rule could express."""
        return [rule for rule in self.rules if rule.schedule.verbatim]


# --- 5374 --------------------------------------------------------------------------------------


def read_5374(directory: str | Path, *, not_collected: Iterable[str] | None = None) -> GarbageData:
    """Read a 5374.jp data folder (target.csv, area_days.csv, and description/remarks/center.csv if present).

    Read as the 5374 app and its city forks use the format:

    - area_days.csv: ``地名,センター,<category>…``. A blank cell means the category is not collected in that
      area (reported per category). A column named by neither description.csv nor target.csv whose cells
      are only ``YYYYMMDD`` lists (「ごみ収集がない日・特殊な収集がある日」) is not a category: it is left out and
      reported, since its dates may be days with or without collection (holidays.csv says which). Any other
      unknown column is an error.
    - center.csv: ``名称,休止開始日,休止終了日``. A centre with both dates empty has no shutdown; one date
      without the other is an error by row. An area whose centre has no row has no shutdowns (reported);
      an area without a centre gets every shutdown (reported).

    ``not_collected`` names the categories the city does not collect; without it they are recognised by
    name (収集不可…) or by their items' notices (「収集できません」 in most of them).
    Raises ImportFailed listing every bad row of every file; OSError if the folder cannot be read.
    """
    directory = Path(directory)
    errors: list[RowError] = []
    data = GarbageData()
    for required in (TARGET, AREA_DAYS):
        if not (directory / required).is_file():
            errors.append(FileRowError(0, Problem("garbage.missing_file"), required))
    if errors:
        raise ImportFailed(errors)

    descriptions = _read_description(directory, data, errors)
    items, used_categories = _read_target(directory / TARGET, data, errors)
    remarks = _read_remarks(directory, data, errors)
    centers = _read_center(directory, data, errors)
    known = list(descriptions) + [name for name in used_categories if name not in descriptions]
    areas, rules, calendar_categories = _read_area_days(directory / AREA_DAYS, known, data, errors)
    if errors:
        raise ImportFailed(errors)

    remark_keys = {remark.key for remark in remarks}
    for rule in rules:
        missing = [key for key in rule.schedule.remarks if key not in remark_keys]
        if missing:
            data.report.append(f"{AREA_DAYS}: {rule.area} / {rule.category}: remark "
                               f"{', '.join('*' + key for key in missing)} is not in {REMARKS}")
    for name in used_categories:
        if descriptions and name not in descriptions:
            data.report.append(f"{TARGET}: category {name} is not in {DESCRIPTION}; added without a colour")
    order = known + [name for name in calendar_categories if name not in known]
    for name in order:
        if name not in calendar_categories and name in used_categories:
            data.report.append(f"{AREA_DAYS}: category {name} has no column; no collection days for it")
    for name in calendar_categories:
        cells = [rule for rule in rules if rule.category == name]
        if name not in used_categories and cells and all(
                rule.schedule.rules and all(isinstance(r, OnDates) for r in rule.schedule.rules)
                for rule in cells):
            data.report.append(f"{AREA_DAYS}: category {name} has no items in {TARGET} and only dates in its "
                               "cells; residents are told it is collected on those dates")

    chosen = set(not_collected) if not_collected is not None else None
    data.categories = [
        CategoryRecord(
            name=name,
            description=descriptions.get(name, ("", ""))[0],
            color=descriptions.get(name, ("", ""))[1],
            collected=_is_collected(name, items, chosen),
        )
        for name in order
    ]
    data.items = items
    data.areas = areas
    data.rules = rules
    data.remarks = remarks
    data.shutdowns = centers.shutdowns
    _report_centers(data, centers)
    _report_not_collected(data)
    _report_verbatim(data, AREA_DAYS)
    return data


def _read_target(path: Path, data: GarbageData, errors: list[RowError]) -> tuple[list[ItemRecord], list[str]]:
    """Items of target.csv, exact duplicates removed; also the categories in the order they appear."""
    rows = _read_csv(path, errors)
    if rows is None:
        return [], []
    if not rows:
        errors.append(FileRowError(0, Problem("file.empty", columns=",".join(TARGET_COLUMNS)), TARGET))
        return [], []
    header_row, header = rows[0]
    columns, problems, notes = _match_header(header, TARGET_COLUMNS, TARGET_REQUIRED)
    errors += [FileRowError(header_row, problem, TARGET) for problem in problems]
    data.report += [f"{TARGET} row {header_row}: {note}" for note in notes]
    if problems:
        return [], []
    names = _column_names(header, columns)
    items: list[ItemRecord] = []
    categories: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, fields in rows[1:]:
        if blank(fields):
            continue
        extra = [cell for cell in fields[len(header):] if cell.strip()]
        if extra:
            errors.append(FileRowError(number, Problem("row.width", found=len(fields), expected=len(header)), TARGET))
            continue
        bad_text = _bad_text(number, fields, names, TARGET, ("notice",), only=columns)
        if bad_text:
            errors += bad_text
            continue
        values = {name: (fields[index].strip() if index < len(fields) else "") for name, index in columns.items()}
        category, name = values["type"], values["name"]
        if not category:
            errors.append(FileRowError(number, _no_category(name, "type"), TARGET))
            continue
        if not name:
            errors.append(FileRowError(number, Problem("garbage.no_name", category=category), TARGET))
            continue
        key = (category, name, values.get("notice", ""))
        if key in seen:
            data.report.append(f"{TARGET} row {number}: duplicate of row {seen[key]} ({name} / {category}), skipped")
            continue
        seen[key] = number
        if category not in categories:
            categories.append(category)
        items.append(ItemRecord(name, category, values.get("notice", ""), values.get("furigana", "")))
    return items, categories


def _read_description(directory: Path, data: GarbageData, errors: list[RowError]) -> dict[str, tuple[str, str]]:
    """Category → (description, colour) from description.csv (``label,sublabel,description,styles,bgcolor``)."""
    path = directory / DESCRIPTION
    if not path.is_file():
        data.report.append(f"{DESCRIPTION}: not in the folder; categories have no colour")
        return {}
    rows = _read_csv(path, errors)
    if not rows:
        return {}
    header_row, header = rows[0]
    columns, problems, notes = _match_header(header, ("label", "sublabel", "description", "styles", "bgcolor"),
                                             ("label",))
    errors += [FileRowError(header_row, problem, DESCRIPTION) for problem in problems]
    data.report += [f"{DESCRIPTION} row {header_row}: {note}" for note in notes]
    if problems:
        return {}
    names = _column_names(header, columns)
    found: dict[str, tuple[str, str]] = {}
    for number, fields in rows[1:]:
        if blank(fields):
            continue
        bad_text = _bad_text(number, fields, names, DESCRIPTION, ("sublabel", "description"), only=columns)
        if bad_text:
            errors += bad_text
            continue
        values = {name: (fields[index].strip() if index < len(fields) else "") for name, index in columns.items()}
        label = values["label"]
        if not label:
            errors.append(FileRowError(number, Problem("garbage.no_label"), DESCRIPTION))
        elif label in found:
            data.report.append(f"{DESCRIPTION} row {number}: {label} is listed again, skipped")
        else:
            text = values.get("description") or values.get("sublabel", "")
            found[label] = (text, values.get("bgcolor", ""))
    return found


def _read_remarks(directory: Path, data: GarbageData, errors: list[RowError]) -> list[RemarkRecord]:
    """remarks.csv (``ID,注意事項``); fields beyond the header are commas of the note itself, joined back."""
    path = directory / REMARKS
    if not path.is_file():
        return []
    rows = _read_csv(path, errors)
    if not rows:
        return []
    remarks: list[RemarkRecord] = []
    seen: dict[str, int] = {}
    header_width = len(rows[0][1])
    for number, fields in rows[1:]:
        if blank(fields):
            continue
        key = fields[0].strip().lstrip("*")
        if len(fields) > header_width:
            data.report.append(f"{REMARKS} row {number}: {len(fields)} fields for a {header_width}-column header; "
                               "the extra fields were joined into the text")
        text = ",".join(fields[1:]).strip()
        bad_text = [problem for problem in (text_problem(key, place=REMARK_ID),
                                            text_problem(text, place=REMARK_TEXT, multiline=True)) if problem]
        if bad_text:
            errors += [FileRowError(number, problem, REMARKS) for problem in bad_text]
        elif not key:
            errors.append(FileRowError(number, Problem("garbage.remark_no_id"), REMARKS))
        elif not text:
            errors.append(FileRowError(number, Problem("garbage.remark_no_text", key=key), REMARKS))
        elif key in seen:
            problem = Problem("garbage.remark_twice", key=key, first=messages.place(seen[key]))
            errors.append(FileRowError(number, problem, REMARKS))
        else:
            seen[key] = number
            remarks.append(RemarkRecord(key, text))
    return remarks


@dataclass
class _Centers:
    """What center.csv says: the shutdowns, and every centre it names with its first row (shutdown or not)."""

    present: bool = False
    shutdowns: list[ShutdownRecord] = field(default_factory=list)
    named: dict[str, int] = field(default_factory=dict)


def _read_center(directory: Path, data: GarbageData, errors: list[RowError]) -> _Centers:
    """center.csv (``名称,休止開始日,休止終了日``): periods in which a centre takes nothing.

    Both dates empty: the centre has no shutdown (5374 forks write 「綾川町,,」). One date without the other
    is an error, as are a date that cannot be read and an end before the start.
    """
    centers = _Centers()
    path = directory / CENTER
    if not path.is_file():
        return centers
    centers.present = True
    rows = _read_csv(path, errors)
    if not rows:
        return centers
    header_row, header = rows[0]
    if len(header) >= 3 and parse_day(header[1]) and parse_day(header[2]):
        errors.append(FileRowError(header_row, Problem("garbage.center_header"), CENTER))
        return centers
    width = max(len(header), 3)
    for index, name in enumerate(header[3:], start=4):
        if name.strip():
            data.report.append(f"{CENTER} row {header_row}: column {index} 「{name.strip()}」 is not read")
    for number, fields in rows[1:]:
        if blank(fields):
            continue
        if any(cell.strip() for cell in fields[width:]):
            errors.append(FileRowError(number, Problem("row.width", found=len(fields), expected=width), CENTER))
            continue
        bad_text = _bad_text(number, fields[:3], ["名称", "休止開始日", "休止終了日"], CENTER)
        if bad_text:
            errors += bad_text
            continue
        center, start_text, end_text = (fields[i].strip() if i < len(fields) else "" for i in range(3))
        if not center:
            errors.append(FileRowError(number, Problem("garbage.center_no_name"), CENTER))
            continue
        centers.named.setdefault(center, number)
        if not start_text and not end_text:
            continue  # no shutdown
        if not start_text or not end_text:
            half = (Problem("garbage.shutdown_no_end", center=center, start=start_text) if start_text
                    else Problem("garbage.shutdown_no_start", center=center, end=end_text))
            errors.append(FileRowError(number, half, CENTER))
            continue
        start, end = parse_day(start_text), parse_day(end_text)
        if start is None or end is None:
            errors.append(FileRowError(number, _date_problem(start_text if start is None else end_text), CENTER))
        elif end < start:
            errors.append(FileRowError(number, Problem("garbage.shutdown_reversed", start=start, end=end), CENTER))
        else:
            centers.shutdowns.append(ShutdownRecord(center, start, end))
    return centers


def _report_centers(data: GarbageData, centers: _Centers) -> None:
    """Say which areas get which centre shutdowns, where the files do not match one to one."""
    by_center: dict[str, list[str]] = {}
    for area in data.areas:
        by_center.setdefault(area.center, []).append(area.name)
    without = by_center.pop("", [])
    for center, names in by_center.items():
        if center not in centers.named:
            where = f"has no row in {CENTER}" if centers.present else f"is named but there is no {CENTER}"
            data.report.append(f"{AREA_DAYS}: centre {center} ({_count(names, 'area')}) {where}: no shutdowns "
                               "for those areas")
    with_shutdowns = {shutdown.center for shutdown in centers.shutdowns}
    for center, row in centers.named.items():
        if center in with_shutdowns and center not in by_center:
            applies = "only to areas without a centre" if without else "to no area"
            data.report.append(f"{CENTER} row {row}: no area in {AREA_DAYS} names centre {center}; its shutdowns "
                               f"apply {applies}")
    if without and centers.shutdowns:
        data.report.append(f"{AREA_DAYS}: {_count(without, 'area')} name no centre: every shutdown in {CENTER} "
                           f"applies to them ({', '.join(without[:5])}{'…' if len(without) > 5 else ''})")


def _read_area_days(
    path: Path, known: list[str], data: GarbageData, errors: list[RowError]
) -> tuple[list[AreaRecord], list[RuleRecord], list[str]]:
    """area_days.csv: ``地名,センター,<category>…``, every cell through ``parse_5374``.

    Returns the areas, their rules and the categories with a column, in column order.
    """
    rows = _read_csv(path, errors)
    if not rows:
        if rows is not None:
            errors.append(FileRowError(0, Problem("file.empty", columns="地名,センター,<分別区分>…"), AREA_DAYS))
        return [], [], []
    header_row, header = rows[0]
    names = [cell.strip() for cell in header]
    while len(names) > 2 and not names[-1]:
        names.pop()
    if len(names) < 3:
        errors.append(FileRowError(header_row, Problem("garbage.area_days_header"), AREA_DAYS))
        return [], [], []
    if names[1] in known:
        errors.append(FileRowError(header_row, Problem("garbage.center_is_category", category=names[1]), AREA_DAYS))
        return [], [], []
    columns = _area_days_columns(names, rows[1:], known, data, errors, header_row)
    if columns is None:
        return [], [], []
    areas: list[AreaRecord] = []
    rules: list[RuleRecord] = []
    seen: dict[str, int] = {}
    remarks_only: dict[tuple[str, str], list[str]] = {}
    not_collected: dict[str, list[str]] = {}
    for number, fields in rows[1:]:
        if blank(fields):
            continue
        name = fields[0].strip()
        center = fields[1].strip() if len(fields) > 1 else ""
        if not name:
            errors.append(FileRowError(number, Problem("garbage.area_no_name", column="地名"), AREA_DAYS))
            continue
        if name in seen:
            problem = Problem("garbage.area_twice", area=name, first=messages.place(seen[name]))
            errors.append(FileRowError(number, problem, AREA_DAYS))
            continue
        if any(cell.strip() for cell in fields[len(names):]):
            errors.append(FileRowError(number, Problem("row.width", found=len(fields), expected=len(names)),
                                       AREA_DAYS))
            continue
        bad_text = _bad_text(number, fields, names, AREA_DAYS)
        if bad_text:
            errors += bad_text
            continue
        seen[name] = number
        areas.append(AreaRecord(name, (), center))
        for index, category in columns.items():
            cell = fields[index] if index < len(fields) else ""
            if not cell.strip():
                not_collected.setdefault(category, []).append(name)
                continue
            try:
                schedule = parse_5374(cell)
            except ValueError as error:
                problem = Problem("garbage.cell_unreadable", category=category, cell=cell.strip(), detail=str(error))
                errors.append(FileRowError(number, problem, AREA_DAYS))
                continue
            if not schedule.rules and not schedule.verbatim:
                remarks_only.setdefault((category, " ".join("*" + key for key in schedule.remarks)), []).append(name)
            rules.append(RuleRecord(name, category, schedule))
    for category, area_names in not_collected.items():
        data.report.append(f"{AREA_DAYS}: {category}: blank cell, so not collected, in {_count(area_names, 'area')}: "
                           f"{', '.join(area_names)}")
    for (category, keys), area_names in remarks_only.items():
        data.report.append(f"{AREA_DAYS}: {category}: no days, only remark {keys}, in {_count(area_names, 'area')}")
    return areas, rules, list(columns.values())


def _area_days_columns(
    names: list[str], rows: list[Record], known: list[str], data: GarbageData, errors: list[RowError],
    header_row: int,
) -> dict[int, str] | None:
    """Column index → category for area_days.csv's header, or None when the header is wrong (errors added).

    A column without a name and without values is ignored; a column of YYYYMMDD lists named by no file is
    reported and left out (module docstring of ``read_5374``); any other unknown or repeated column is an error.
    """
    columns: dict[int, str] = {}
    bad = False
    for index in range(2, len(names)):
        name = names[index]
        cells = [fields[index].strip() for _number, fields in rows if index < len(fields) and fields[index].strip()]
        if name in known:
            if name in columns.values():
                errors.append(FileRowError(header_row, Problem("garbage.category_twice", category=name), AREA_DAYS))
                bad = True
            else:
                columns[index] = name
        elif not cells:
            what = f"「{name}」 is named by no file" if name else "has no name"
            data.report.append(f"{AREA_DAYS} row {header_row}: column {index + 1} {what} and has no values; ignored")
        elif not name:
            errors.append(FileRowError(header_row, Problem("garbage.column_unnamed", column=index + 1), AREA_DAYS))
            bad = True
        elif cells and all(_DATE_LIST.fullmatch(unicodedata.normalize("NFKC", cell)) for cell in cells):
            days = sorted(token for cell in cells for token in unicodedata.normalize("NFKC", cell).split())
            data.report.append(
                f"{AREA_DAYS} column {index + 1} 「{name}」: not a category (neither in {DESCRIPTION} nor in "
                f"{TARGET}) and only dates in its cells ({_count(cells, 'area')}, {days[0]}–{days[-1]}); not "
                "imported. Put days without collection in holidays.csv (date,category,moved_to,note)")
        else:
            problem = Problem("garbage.unknown_column", column=index + 1, category=name, description=DESCRIPTION,
                              target=TARGET)
            errors.append(FileRowError(header_row, problem, AREA_DAYS))
            bad = True
    return None if bad else columns


def _count(things: list[str], noun: str) -> str:
    """``3 areas``, ``1 area``."""
    return f"{len(things)} {noun}{'s' if len(things) != 1 else ''}"


# --- 高松市 -------------------------------------------------------------------------------------


def read_takamatsu(
    items_csv: str | Path,
    calendar_csv: str | Path,
    *,
    not_collected: Iterable[str] | None = None,
    other_categories: Iterable[str] = (),
) -> GarbageData:
    """Read 高松市's ごみ分別一覧 (``#property,name,classification,note``) and ごみ収集日 sheets as CSV.

    Empty rows are skipped; 「破砕、臨時・粗大」 is two categories; spellings of one category that differ
    only by 「・」 or a trailing 「ごみ」 (紙布 / 紙・布) become the most used one. Every town or school
    district named inside an area's cell becomes an alias of that area. ``not_collected`` as for
    :func:`read_5374`.

    An item's category must be one the city has: a calendar column's category, one named in
    ``not_collected`` or ``other_categories`` (a pack's ``[garbage] other_categories``: categories with no
    calendar column, such as one collected at collection points), or one whose name says why it has no
    column: not collected (収集不可, 家電リサイクル法対象品…), on request (粗大), hazardous (有害, 危険). Any other
    category (「宇宙ごみ」, 「燃えるごみ」 for 燃やせるごみ) is an error on its row, never a new category.
    Raises ImportFailed listing every bad row of both files.
    """
    items_csv, calendar_csv = Path(items_csv), Path(calendar_csv)
    errors: list[RowError] = []
    data = GarbageData()
    declared = {*(not_collected or ()), *other_categories}
    areas, rules = _read_takamatsu_calendar(calendar_csv, data, errors)
    items = _read_takamatsu_items(items_csv, declared, data, errors)
    if errors:
        raise ImportFailed(errors)
    order: list[str] = list(TAKAMATSU_CALENDAR.values())
    order += [item.category for item in items if item.category not in order]
    order = list(dict.fromkeys(order))
    chosen = set(not_collected) if not_collected is not None else None
    data.categories = [CategoryRecord(name, collected=_is_collected(name, items, chosen)) for name in order]
    data.items = items
    data.areas = areas
    data.rules = rules
    for name in order:
        if not any(rule.category == name for rule in rules) and _is_collected(name, items, chosen):
            data.report.append(f"{calendar_csv.name}: category {name} has no column; no collection days for it")
    _report_not_collected(data)
    _report_verbatim(data, calendar_csv.name)
    return data


def _read_takamatsu_items(
    path: Path, declared: set[str], data: GarbageData, errors: list[RowError]
) -> list[ItemRecord]:
    """The sorting list, with each classification cell read into one or more of the city's category names."""
    file = path.name
    rows = _read_csv(path, errors, file)
    if rows is None:
        return []
    if not rows:
        errors.append(FileRowError(0, Problem("file.empty", columns=",".join(TAKAMATSU_ITEM_COLUMNS)), file))
        return []
    header_row, header = rows[0]
    columns, problems, notes = _match_header(header, TAKAMATSU_ITEM_COLUMNS, ("name", "classification"))
    errors += [FileRowError(header_row, problem, file) for problem in problems]
    data.report += [f"{file} row {header_row}: {note}" for note in notes]
    if problems:
        return []
    column_names = _column_names(header, columns)
    read: list[tuple[int, str, str, str]] = []
    for number, fields in rows[1:]:
        values = {name: (fields[index].strip() if index < len(fields) else "") for name, index in columns.items()}
        name, classification = values["name"], values["classification"]
        label = f"row {number}" + (f" (#property {values['#property']})" if values.get("#property") else "")
        if not name and not classification and not values.get("note"):
            if any(cell.strip() for cell in fields):
                data.report.append(f"{file} {label}: no name and no category, skipped")
            else:
                data.report.append(f"{file} {label}: empty, skipped")
            continue
        bad_text = _bad_text(number, fields, column_names, file, ("note",), only=columns)
        if any(cell.strip() for cell in fields[len(header):]):
            errors.append(FileRowError(number, Problem("row.width", found=len(fields), expected=len(header)), file))
        elif bad_text:
            errors += bad_text
        elif not classification:
            errors.append(FileRowError(number, _no_category(name, "classification"), file))
        elif not name:
            errors.append(FileRowError(number, Problem("garbage.no_name", category=classification), file))
        else:
            read.append((number, name, classification, values.get("note", "")))

    # Category spellings: every whole cell that is not a list, and the calendar's names, grouped by a key
    # that ignores 「・」 and a trailing 「ごみ」; the most used spelling of each group wins.
    counts = Counter(c for _n, _name, c, _note in read if not CATEGORY_SEPARATORS.search(c))
    for name in TAKAMATSU_CALENDAR.values():
        counts[name] += 0
    canonical: dict[str, str] = {}
    for spelling, _count in counts.most_common():
        canonical.setdefault(_category_key(spelling), spelling)
    known_keys = {_category_key(name) for name in (*TAKAMATSU_CALENDAR.values(), *declared)}

    items: list[ItemRecord] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, name, classification, note in read:
        parts = [part.strip() for part in CATEGORY_SEPARATORS.split(classification) if part.strip()]
        names = []
        for part in parts:
            resolved = canonical.get(_category_key(part))
            if resolved is None:
                problem = Problem("garbage.unknown_category", part=part, cell=classification)
                errors.append(FileRowError(number, problem, file))
                break
            if not _city_has(resolved, known_keys):
                problem = Problem("garbage.undeclared_category", name=name, part=part,
                                  calendar=list(TAKAMATSU_CALENDAR.values()))
                errors.append(FileRowError(number, problem, file))
                break
            names.append(resolved)
        else:
            if len(parts) > 1:
                data.report.append(f"{file} row {number}: {name}: {classification!r} read as "
                                   f"{len(names)} categories: {', '.join(names)}")
            elif names[0] != classification:
                data.report.append(f"{file} row {number}: {name}: category {classification!r} read as {names[0]}")
            for category in dict.fromkeys(names):
                key = (category, name, note)
                if key in seen:
                    data.report.append(f"{file} row {number}: duplicate of row {seen[key]} ({name} / {category}), "
                                       "skipped")
                    continue
                seen[key] = number
                items.append(ItemRecord(name, category, note))
    return items


def _city_has(category: str, known_keys: set[str]) -> bool:
    """Whether a sorting-list category is one the city has (``read_takamatsu`` says which)."""
    if _category_key(category) in known_keys or category in NOT_COLLECTED_NAMES:
        return True
    return any(word in category for word in SORTING_ONLY_WORDS)


def _category_key(name: str) -> str:
    """What two spellings of one category share: NFKC, no 「・」 or spaces, no trailing 「ごみ」."""
    key = unicodedata.normalize("NFKC", name)
    key = re.sub(r"[・･\s]", "", key)
    return key.removesuffix("ごみ").removesuffix("ゴミ")


def _read_takamatsu_calendar(
    path: Path, data: GarbageData, errors: list[RowError]
) -> tuple[list[AreaRecord], list[RuleRecord]]:
    """The calendar sheet: one row per district, one prose cell per category, through ``parse_takamatsu``."""
    file = path.name
    rows = _read_csv(path, errors, file)
    if rows is None:
        return [], []
    if not rows:
        errors.append(FileRowError(0, Problem("file.empty", columns=_TAKAMATSU_CALENDAR_HEADER), file))
        return [], []
    header_row, header = rows[0]
    names = [cell.strip().lstrip("\ufeff").strip() for cell in header]
    if "name" not in names:
        errors.append(FileRowError(header_row, Problem("header.missing_column", column="name",
                                                       columns=_TAKAMATSU_CALENDAR_HEADER), file))
        return [], []
    columns: dict[int, str] = {}
    for index, column in enumerate(names):
        if column in ("#property", "property", "name") or not column:
            continue
        if column not in TAKAMATSU_CALENDAR:
            problem = Problem("garbage.unknown_calendar_column", column=column, allowed=",".join(TAKAMATSU_CALENDAR))
            errors.append(FileRowError(header_row, problem, file))
            continue
        columns[index] = TAKAMATSU_CALENDAR[column]
    name_index = names.index("name")
    areas: list[AreaRecord] = []
    rules: list[RuleRecord] = []
    seen: dict[str, int] = {}
    for number, fields in rows[1:]:
        if not any(cell.strip() for cell in fields):
            data.report.append(f"{file} row {number}: empty, skipped")
            continue
        area = fields[name_index].strip() if name_index < len(fields) else ""
        bad_text = _bad_text(number, fields, names, file, only=["name", *TAKAMATSU_CALENDAR])
        if bad_text:
            errors += bad_text
            continue
        if not area:
            errors.append(FileRowError(number, Problem("garbage.area_no_name", column="name"), file))
            continue
        if area in seen:
            problem = Problem("garbage.area_twice", area=area, first=messages.place(seen[area]))
            errors.append(FileRowError(number, problem, file))
            continue
        seen[area] = number
        areas.append(AreaRecord(area, area_aliases(area)))
        for index, category in columns.items():
            cell = fields[index] if index < len(fields) else ""
            if not cell.strip():
                continue
            try:
                schedule = parse_takamatsu(cell)
            except ValueError as error:
                problem = Problem("garbage.cell_unreadable", category=category, cell=cell.strip(), detail=str(error))
                errors.append(FileRowError(number, problem, file))
                continue
            rules.append(RuleRecord(area, category, schedule))
    return areas, rules


def area_aliases(name: str) -> tuple[str, ...]:
    """The names residents may type for an area written as a list of districts.

    「木太・林・多肥・国分寺南部」 → 木太, 林, 多肥, 国分寺南部; 「香川（浅野）」 → 香川（浅野）, 香川, 浅野.
    Separators inside brackets belong to the bracket (「高松第一（松島・築地・新塩屋町）」); text right
    after a closing bracket starts a new name. The whole cell itself is not repeated.
    """
    segments: list[str] = []
    current = ""
    depth = 0
    for char in name:
        if char in OPEN_BRACKETS:
            depth += 1
            current += char
        elif char in CLOSE_BRACKETS and depth:
            depth -= 1
            current += char
            if depth == 0:
                segments.append(current)
                current = ""
        elif char in AREA_SEPARATORS and depth == 0:
            segments.append(current)
            current = ""
        else:
            current += char
    segments.append(current)

    aliases: list[str] = []
    for segment in (s.strip() for s in segments):
        if not segment:
            continue
        aliases.append(segment)
        match = re.match(r"^(.*?)[（(](.*)[）)]$", segment)
        if match:
            base, inner = match.group(1).strip(), match.group(2)
            if base:
                aliases.append(base)
            aliases += [part.strip() for part in re.split(f"[{AREA_SEPARATORS}]", inner) if part.strip()]
    unique = [alias for alias in dict.fromkeys(aliases) if alias != name.strip()]
    return tuple(unique)


# --- exceptions (the pack's holidays.csv) -------------------------------------------------------


def read_exceptions(path: str | Path) -> list[CalendarChange]:
    """The collection exceptions of a pack's ``holidays.csv`` (``date,category,moved_to,note``).

    Every problem ``parse_exceptions_csv`` reports, an unknown column included, fails the import by row.
    """
    path = Path(path)
    text = decode_text(path.read_bytes(), path.name)
    changes, problems = parse_exceptions_csv(text)
    if problems:
        raise ImportFailed([FileRowError(row, problem, path.name) for row, problem in problems])
    return list(changes)


# --- shared helpers ----------------------------------------------------------------------------


def parse_day(text: str) -> date | None:
    """A date written 2025/12/31, 2025-12-31, 2025.12.31 or 20251231 (full-width digits too), else None."""
    text = unicodedata.normalize("NFKC", text).strip()
    match = DATE_DASHED.match(text) or DATE_COMPACT.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _date_problem(text: str) -> Problem:
    """Why ``parse_day`` read no date in ``text``: not written as a date, or a date that does not exist."""
    written = unicodedata.normalize("NFKC", text).strip()
    if DATE_DASHED.match(written) or DATE_COMPACT.match(written):
        return Problem("garbage.no_such_date", value=text.strip())
    return Problem("garbage.date_format", value=text.strip())


def _no_category(name: str, column: str) -> Problem:
    """An item whose category column (``type``, ``classification``) is empty, named when it has a name."""
    if name:
        return Problem("garbage.no_category", name=name, column=column)
    return Problem("garbage.no_category_nor_name", column=column)


def _read_csv(path: Path, errors: list[RowError], file: str | None = None) -> list[Record] | None:
    """The records of a CSV file through the shared reader, numbered from 1; None if its text cannot be read.

    A CSV error (a broken quote) is recorded on its row and ends the file there. Blank lines before the
    header are dropped, the row numbers kept.
    """
    try:
        table = read_csv(path, file=file or path.name)
    except ImportFailed as failed:
        errors += failed.errors
        return None
    errors += table.errors
    rows = table.records
    while rows and blank(rows[0][1]):
        rows.pop(0)
    return rows


def _bad_text(number: int, fields: list[str], names: list[str], file: str, multiline: tuple[str, ...] = (),
              only: Iterable[str] | None = None) -> list[RowError]:
    """The row's cells with a character no import may take (``importing.text.text_problem``), by file and row."""
    return [FileRowError(number, problem, file)
            for problem in cell_problems(fields, names, multiline, only=None if only is None else set(only))]


def _column_names(header: list[str], columns: dict[str, int]) -> list[str]:
    """The header's names as the reader understood them (``notie`` read as notice), others as written."""
    names = [cell.strip() for cell in header]
    for name, index in columns.items():
        names[index] = name
    return names


def _match_header(
    header: list[str], expected: tuple[str, ...], required: tuple[str, ...]
) -> tuple[dict[str, int], list[Problem], list[str]]:
    """Map expected column names to indexes, forgiving case, a BOM and small typos (``notie`` → notice).

    Returns the mapping, the problems (missing required columns) and notes for the report.
    """
    columns: dict[str, int] = {}
    notes: list[str] = []
    for index, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff").strip()
        lowered = name.lower()
        if not name:
            continue
        if lowered in expected:
            match = lowered
        else:
            close = difflib.get_close_matches(lowered, [e for e in expected if e not in columns], n=1,
                                              cutoff=HEADER_TYPO_CUTOFF)
            if not close:
                notes.append(f"column {name!r} is not one of {', '.join(expected)}; ignored")
                continue
            match = close[0]
            notes.append(f"column {name!r} read as {match!r}")
        if match in columns:
            notes.append(f"column {name!r} repeats {match!r}; ignored")
            continue
        columns[match] = index
    missing = [name for name in required if name not in columns]
    problems = [Problem("header.missing_column", column=name, columns=",".join(expected)) for name in missing]
    return columns, problems, notes


def _is_collected(category: str, items: list[ItemRecord], chosen: set[str] | None) -> bool:
    """False for a category the city does not collect: chosen by the caller, or told by its name or notices."""
    if chosen is not None:
        return category not in chosen
    if category in NOT_COLLECTED_NAMES:
        return False
    notices = [item.notice for item in items if item.category == category]
    if len(notices) < NOT_COLLECTED_MIN_ITEMS:
        return True
    refused = sum(1 for notice in notices if any(phrase in notice for phrase in NOT_COLLECTED_PHRASES))
    return refused * 2 < len(notices)


def _report_not_collected(data: GarbageData) -> None:
    names = [category.name for category in data.categories if not category.collected]
    if names:
        data.report.append("not collected by the city (answers say where to take them): " + ", ".join(names))


def _report_verbatim(data: GarbageData, file: str) -> None:
    """One line per category and text kept verbatim, naming every area where it was."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for rule in data.rules:
        if rule.schedule.verbatim:
            key = (rule.category, rule.schedule.verbatim, rule.schedule.source)
            groups.setdefault(key, []).append(rule.area)
    for (category, text, source), areas in groups.items():
        cell = f" (cell 「{source.strip()}」)" if source and source.strip() != text.strip() else ""
        data.report.append(f"{file}: kept verbatim for {category}: 「{text}」{cell} in {len(areas)} "
                           f"area{'s' if len(areas) != 1 else ''}: {', '.join(areas)}")

"""Read FAQ import files (CSV, XLSX, 汎用FAQ JSON) into plain records, checking every row.

The layout is the one in DESIGN §4: a header row
``id,category,question,answer,aliases,url,department,phone`` (only id, question and answer are
required; aliases are separated by ``|``). The 汎用FAQ of 子育てオープンデータ協議会 is read as well,
as JSON or as CSV/XLSX with its own header ``faq_id,question,answer,category1,category2,service_name``.

Import is all or nothing: :func:`read_faq_file` either returns every record or raises
:class:`ImportFailed` listing every bad row, so the caller never saves half a file.

Row numbers are the ones a person sees: in CSV and XLSX the spreadsheet row (the header is row 1,
a quoted answer spanning several lines is still one row); in JSON the 1-based position of the
record in the array (shown as 「3件目」). Row 0 means the file as a whole. Problems are codes of
``importing.messages`` (``faq.*`` and the shared ones).
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from importing import messages
from importing.csvfile import blank
from importing.csvfile import read_csv
from importing.csvfile import unguarded
from importing.errors import RECORD
from importing.errors import ROW
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.messages import Problem
from importing.text import cell_problems
from importing.text import column_label
from importing.text import decode_text
from importing.text import text_problem
from japanese.synonyms import SynonymGroup

COLUMNS = ("id", "category", "question", "answer", "aliases", "url", "department", "phone")
REQUIRED = ("id", "question", "answer")
GENERIC_COLUMNS = ("faq_id", "question", "answer", "category1", "category2", "service_name")
GENERIC_REQUIRED = ("faq_id", "question", "answer")
GENERIC_NONE = frozenset({"", "null", "64"})
IMPORTED_GENERIC = ("faq_id", "question", "answer", "category1", "category2")  # service_name is not imported
MULTILINE = frozenset({"question", "answer"})  # the only columns whose text may span lines
ALIAS_SEPARATOR = "|"
SUFFIXES = (".csv", ".xlsx", ".json")

MAX_ID = 64
MAX_QUESTION = 500
MAX_ALIAS = 500
MAX_URL = 1000
MAX_CATEGORY = 200
MAX_DEPARTMENT = 200
MAX_PHONE = 50

_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class FaqRecord:
    """One question and its answer as read from an import file, before it is saved."""

    faq_id: str
    question: str
    answer: str
    category: str = ""
    aliases: tuple[str, ...] = ()
    url: str = ""
    department: str = ""
    phone: str = ""


def read_faq_file(path: str | Path) -> list[FaqRecord]:
    """Read a .csv, .xlsx or .json FAQ file and return all its records, or raise ImportFailed.

    CSV and JSON text may be UTF-8 (with or without BOM), Shift_JIS as Excel writes it (cp932) or EUC-JP
    (``importing.text.decode_text`` tells them apart or refuses the file). Blank rows are skipped. Values
    are stripped of surrounding whitespace; the text inside is kept as is. A private-use or control
    character in an imported column is a bad row, named by its column; only question and answer may hold
    line breaks and tabs.
    Raises OSError when the file cannot be opened at all.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        return read_faq_data(b"", path.name)  # refused by its name, before anything is read
    return read_faq_data(path.read_bytes(), path.name)


def read_faq_data(data: bytes, name: str) -> list[FaqRecord]:
    """Read the bytes of a .csv, .xlsx or .json FAQ file called ``name`` (an upload), as ``read_faq_file``."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(data, name)
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix == ".json":
        return _read_json(data, name)
    problem = Problem("faq.file_type", suffix=suffix) if suffix else Problem("faq.no_suffix")
    raise ImportFailed([RowError(0, problem)])


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(data: bytes, file: str) -> list[FaqRecord]:
    """Read CSV bytes (any encoding ``decode_text`` accepts); an unreadable quote ends the file, reported on its row."""
    table = read_csv(data, file=file)
    records, errors = _records_from_rows(table.records, fixed_width=True)
    errors += table.errors
    if not records and not errors:
        errors.append(RowError(0, Problem("faq.no_rows")))
    if errors:
        raise ImportFailed(errors)
    return records


# --- XLSX --------------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> list[FaqRecord]:
    """Read the first sheet of a workbook, cell values as a person sees them."""
    try:
        with warnings.catch_warnings():
            # Files saved by other tools make openpyxl warn about styles; that does not matter here.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFailed([RowError(0, Problem("faq.xlsx_unreadable", detail=str(exc)))]) from None
    try:
        if not workbook.worksheets:
            raise ImportFailed([RowError(0, Problem("faq.no_sheets"))])
        sheet = workbook.worksheets[0]
        # Trust the cells, not the size some writers record wrongly in the sheet's header.
        sheet.reset_dimensions()
        rows = [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    records, errors = _records_from_rows(rows, fixed_width=False)
    if not records and not errors:
        errors.append(RowError(0, Problem("faq.no_rows")))
    if errors:
        raise ImportFailed(errors)
    return records


def _cell_text(value: Any) -> str:
    """Turn a spreadsheet cell into the text a person sees in it (12, not 12.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- rows shared by CSV and XLSX ---------------------------------------------------------------


def _records_from_rows(
    rows: Iterable[tuple[int, list[str]]], *, fixed_width: bool
) -> tuple[list[FaqRecord], list[RowError]]:
    """Check a header row and the data rows under it; return the good records and every error.

    ``fixed_width`` is for CSV, where a row must have as many fields as the header; in a
    spreadsheet, empty cells right of the header are ignored and filled ones are an error.
    """
    errors: list[RowError] = []
    iterator = iter(rows)
    header_row, header = _first_nonblank(iterator)
    if header is None:
        return [], [RowError(0, Problem("file.empty", columns=",".join(COLUMNS)))]

    names = [name.strip().lstrip("\ufeff").strip().lower() for name in header]
    raw_width = len(names)
    while names and not names[-1]:
        names.pop()
    header_errors = _check_header(names)
    if header_errors:
        return [], [RowError(header_row, problem) for problem in header_errors]
    generic = "faq_id" in names

    checker = _RecordChecker()
    for number, fields in iterator:
        if not any(field.strip() for field in fields):
            continue
        if fixed_width and len(fields) != raw_width:
            errors.append(RowError(number, Problem("row.width", found=len(fields), expected=raw_width)))
            continue
        extra = [i for i in range(len(names), len(fields)) if fields[i].strip()]
        if extra:
            errors.append(RowError(number, Problem("faq.value_without_header", column=column_label(extra[0]))))
            continue
        bad_text = cell_problems(fields, names, MULTILINE, only=IMPORTED_GENERIC if generic else COLUMNS)
        if bad_text:
            errors += [RowError(number, problem) for problem in bad_text]
            continue
        values = {name: unguarded(fields[i].strip()) if i < len(fields) else "" for i, name in enumerate(names)}
        if generic:
            values = _from_generic(values)
        record, problems = checker.check(values, number)
        errors += [RowError(number, problem) for problem in problems]
        if record is not None:
            checker.records.append(record)
    return checker.records, errors


def _first_nonblank(rows: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str] | None]:
    """Find the header: the first row with any text, and its number (0 and None if there is none)."""
    for number, fields in rows:
        if any(field.strip() for field in fields):
            return number, fields
    return 0, None


def _check_header(names: list[str]) -> list[Problem]:
    """Return what is wrong with a header row (already trimmed and lower-cased), if anything."""
    problems = []
    generic = "faq_id" in names
    known, required = (GENERIC_COLUMNS, GENERIC_REQUIRED) if generic else (COLUMNS, REQUIRED)
    blank = [column_label(i) for i, name in enumerate(names) if not name]
    if blank:
        problems.append(Problem("faq.header_unnamed", columns=blank))
    unknown = [name for name in names if name and name not in known]
    if unknown:
        problems.append(Problem("faq.header_unknown", names=unknown, allowed=",".join(known)))
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            problems.append(Problem("faq.header_twice", column=name))
        seen.add(name)
    missing = [name for name in required if name not in names]
    if missing:
        problems.append(Problem("faq.header_missing", columns=missing))
    return problems


def _from_generic(values: dict[str, str]) -> dict[str, str]:
    """Map a 汎用FAQ record (faq_id, category1, category2, …) onto this project's columns."""
    parts = [values.get(key, "").strip() for key in ("category1", "category2")]
    category = " / ".join(part for part in parts if part not in GENERIC_NONE)
    return {
        "id": values.get("faq_id", ""),
        "question": values.get("question", ""),
        "answer": values.get("answer", ""),
        "category": category,
    }


class _RecordChecker:
    """Validates rows one by one and remembers which ids it has already seen.

    ``unit`` is what the row numbers count (rows of a sheet, records of a JSON array), to name an earlier one.
    """

    def __init__(self, unit: str = ROW) -> None:
        self.records: list[FaqRecord] = []
        self.first_row: dict[str, int] = {}
        self.unit = unit

    def check(self, values: dict[str, Any], row: int) -> tuple[FaqRecord | None, list[Problem]]:
        """Return the row as a record, or None and every problem found in it."""
        problems: list[Problem] = []
        text: dict[str, str] = {}
        for name in COLUMNS:
            value = values.get(name)
            if name == "aliases" and isinstance(value, list):
                continue
            if value is None:
                value = ""
            elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
                problems.append(Problem("faq.not_text", column=name, kind=messages.json_kind(value)))
                value = ""
            text[name] = _cell_text(value).strip()

        for name in REQUIRED:
            if not text[name]:
                problems.append(Problem("field.empty", column=name))

        faq_id = text["id"]
        if len(faq_id) > MAX_ID:
            problems.append(Problem("field.too_long", column="id", length=len(faq_id), limit=MAX_ID))
        if faq_id:
            if faq_id in self.first_row:
                first = messages.place(self.first_row[faq_id], self.unit)
                problems.append(Problem("faq.duplicate_id", faq_id=faq_id, first=first))
            else:
                self.first_row[faq_id] = row

        if len(text["question"]) > MAX_QUESTION:
            problems.append(Problem("field.too_long", column="question", length=len(text["question"]),
                                    limit=MAX_QUESTION))
        for name, limit in (("category", MAX_CATEGORY), ("department", MAX_DEPARTMENT), ("phone", MAX_PHONE)):
            if len(text[name]) > limit:
                problems.append(Problem("field.too_long", column=name, length=len(text[name]), limit=limit))

        url = text["url"]
        if url:
            if not url.lower().startswith(("http://", "https://")):
                problems.append(Problem("faq.url_scheme", url=url[:40]))
            elif _WHITESPACE.search(url):
                problems.append(Problem("faq.url_space"))
            if len(url) > MAX_URL:
                problems.append(Problem("field.too_long", column="url", length=len(url), limit=MAX_URL))

        aliases, alias_problems = _aliases(values.get("aliases"))
        problems += alias_problems

        if problems:
            return None, problems
        record = FaqRecord(
            faq_id=faq_id,
            question=text["question"],
            answer=text["answer"],
            category=text["category"],
            aliases=aliases,
            url=url,
            department=text["department"],
            phone=text["phone"],
        )
        return record, []


def _aliases(value: Any) -> tuple[tuple[str, ...], list[Problem]]:
    """Split aliases given as ``a|b|c`` or as a JSON list; drop blanks and repeats."""
    if value is None:
        return (), []
    if isinstance(value, str):
        items = value.split(ALIAS_SEPARATOR)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        return (), [Problem("faq.aliases_type")]
    aliases: list[str] = []
    problems = []
    for item in items:
        alias = item.strip()
        if not alias or alias in aliases:
            continue
        if len(alias) > MAX_ALIAS:
            problems.append(Problem("faq.alias_too_long", alias=alias[:20], length=len(alias), limit=MAX_ALIAS))
        aliases.append(alias)
    return tuple(aliases), problems


# --- JSON --------------------------------------------------------------------------------------


def _read_json(data: bytes, file: str) -> list[FaqRecord]:
    """Read a JSON array of 汎用FAQ records or of objects with this project's column names."""
    try:
        document = json.loads(decode_text(data, file))
    except json.JSONDecodeError as exc:
        problem = Problem("json.invalid_at", line=exc.lineno, column=exc.colno, detail=exc.msg)
        raise ImportFailed([RowError(0, problem)]) from None
    if not isinstance(document, list):
        raise ImportFailed([RowError(0, Problem("faq.json_not_array"))])
    if not document:
        raise ImportFailed([RowError(0, Problem("faq.json_empty"))])

    checker = _RecordChecker(RECORD)
    errors: list[RowError] = []
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, Problem("faq.json_not_object", kind=messages.json_kind(item)), unit=RECORD))
            continue
        keys = {str(key).strip().lower(): value for key, value in item.items()}
        generic = "faq_id" in keys
        known = GENERIC_COLUMNS if generic else COLUMNS
        unknown = sorted(key for key in keys if key not in known)
        if unknown:
            problem = Problem("faq.json_unknown_fields", names=unknown, allowed=",".join(known))
            errors.append(RowError(number, problem, unit=RECORD))
            continue
        bad_text = _json_text_problems(keys, IMPORTED_GENERIC if generic else COLUMNS)
        if bad_text:
            errors += [RowError(number, problem, unit=RECORD) for problem in bad_text]
            continue
        if generic:
            bad = [key for key in ("category1", "category2") if not isinstance(keys.get(key, ""), (str, int))]
            if bad:
                errors.append(RowError(number, Problem("faq.json_not_text", names=bad), unit=RECORD))
                continue
            keys = _from_generic({key: _json_text(value) for key, value in keys.items()})
        record, problems = checker.check(keys, number)
        errors += [RowError(number, problem, unit=RECORD) for problem in problems]
        if record is not None:
            checker.records.append(record)
    if errors:
        raise ImportFailed(errors)
    return checker.records


def _json_text_problems(keys: dict[str, Any], imported: Iterable[str]) -> list[Problem]:
    """One problem per imported field whose text ``text_problem`` refuses (each alias of a list checked too)."""
    problems = []
    for key in imported:
        value = keys.get(key)
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if not isinstance(text, str):
                continue
            problem = text_problem(text, place=messages.json_field(key), multiline=key in MULTILINE)
            if problem is not None:
                problems.append(problem)
                break
    return problems


def _json_text(value: Any) -> Any:
    """Turn a 汎用FAQ value into text where it is a number (faq_id 12 → "12"); leave others alone."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


SYNONYM_COLUMNS = ("term", "synonyms")


def read_synonyms_file(path: str | Path) -> list[SynonymGroup]:
    """Read a synonym table: CSV with header ``term,synonyms`` (synonyms separated by ``|``).

    Same encodings and characters as the FAQ CSV (no line breaks anywhere); every bad row is reported
    and nothing is returned if any is bad.
    """
    path = Path(path)
    table = read_csv(path)
    header = table.header()
    if header is None or [c.strip().lower() for c in header[1]] != list(SYNONYM_COLUMNS):
        problem = Problem("header.must_be", columns=",".join(SYNONYM_COLUMNS))
        raise ImportFailed([RowError(header[0] if header else 1, problem), *table.errors])
    errors: list[RowError] = list(table.errors)
    groups: list[SynonymGroup] = []
    seen: dict[str, int] = {}
    for number, row in table.after_header():
        if blank(row):
            continue
        if len(row) != 2:
            errors.append(RowError(number, Problem("row.width", found=len(row), expected=len(SYNONYM_COLUMNS))))
            continue
        bad_text = cell_problems(row, SYNONYM_COLUMNS)
        if bad_text:
            errors += [RowError(number, problem) for problem in bad_text]
            continue
        term, synonyms = row[0].strip(), tuple(s.strip() for s in row[1].split("|") if s.strip())
        if not term:
            errors.append(RowError(number, Problem("synonyms.term_empty")))
        elif not synonyms:
            errors.append(RowError(number, Problem("synonyms.none")))
        elif term in seen:
            errors.append(RowError(number, Problem("synonyms.term_twice", term=term, first=messages.place(seen[term]))))
        else:
            seen[term] = number
            groups.append(SynonymGroup(term, synonyms))
    if errors:
        raise ImportFailed(errors)
    return groups

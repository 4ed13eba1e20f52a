"""Read FAQ import files (CSV, XLSX, 汎用FAQ JSON) into plain records, checking every row.

The layout is the one in DESIGN §4: a header row
``id,category,question,answer,aliases,url,department,phone`` (only id, question and answer are
required; aliases are separated by ``|``). The 汎用FAQ of 子育てオープンデータ協議会 is read as well,
as JSON or as CSV/XLSX with its own header ``faq_id,question,answer,category1,category2,service_name``.

Import is all or nothing: :func:`read_faq_file` either returns every record or raises
:class:`ImportFailed` listing every bad row, so the caller never saves half a file.

Row numbers are the ones a person sees: in CSV and XLSX the spreadsheet row (the header is row 1,
a quoted answer spanning several lines is still one row); in JSON the 1-based position of the
record in the array. Row 0 means the file as a whole.
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

from importing.csvfile import blank
from importing.csvfile import read_csv
from importing.errors import ImportFailed
from importing.errors import RowError
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
    raise ImportFailed([RowError(0, f"unsupported file type {suffix or '(none)'!r}: use .csv, .xlsx or .json")])


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(data: bytes, file: str) -> list[FaqRecord]:
    """Read CSV bytes (any encoding ``decode_text`` accepts); an unreadable quote ends the file, reported on its row."""
    table = read_csv(data, file=file)
    records, errors = _records_from_rows(table.records, fixed_width=True)
    errors += table.errors
    if not records and not errors:
        errors.append(RowError(0, "the file has a header but no FAQ rows"))
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
        raise ImportFailed([RowError(0, f"not a readable .xlsx workbook ({exc})")]) from None
    try:
        if not workbook.worksheets:
            raise ImportFailed([RowError(0, "the workbook has no sheets")])
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
        errors.append(RowError(0, "the sheet has a header but no FAQ rows"))
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
        return [], [RowError(0, "the file is empty: expected a header row " + ",".join(COLUMNS))]

    names = [name.strip().lstrip("\ufeff").strip().lower() for name in header]
    raw_width = len(names)
    while names and not names[-1]:
        names.pop()
    header_errors = _check_header(names)
    if header_errors:
        return [], [RowError(header_row, message) for message in header_errors]
    generic = "faq_id" in names

    checker = _RecordChecker()
    for number, fields in iterator:
        if not any(field.strip() for field in fields):
            continue
        if fixed_width and len(fields) != raw_width:
            errors.append(RowError(number, f"row has {len(fields)} fields but the header has {raw_width}"))
            continue
        extra = [i for i in range(len(names), len(fields)) if fields[i].strip()]
        if extra:
            errors.append(RowError(number, f"a value in column {column_label(extra[0])} has no header"))
            continue
        bad_text = cell_problems(fields, names, MULTILINE, only=IMPORTED_GENERIC if generic else COLUMNS)
        if bad_text:
            errors += [RowError(number, problem) for problem in bad_text]
            continue
        values = {name: (fields[i].strip() if i < len(fields) else "") for i, name in enumerate(names)}
        if generic:
            values = _from_generic(values)
        record, problems = checker.check(values, number)
        errors += [RowError(number, message) for message in problems]
        if record is not None:
            checker.records.append(record)
    return checker.records, errors


def _first_nonblank(rows: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str] | None]:
    """Find the header: the first row with any text, and its number (0 and None if there is none)."""
    for number, fields in rows:
        if any(field.strip() for field in fields):
            return number, fields
    return 0, None


def _check_header(names: list[str]) -> list[str]:
    """Return what is wrong with a header row (already trimmed and lower-cased), if anything."""
    problems = []
    generic = "faq_id" in names
    known, required = (GENERIC_COLUMNS, GENERIC_REQUIRED) if generic else (COLUMNS, REQUIRED)
    blank = [column_label(i) for i, name in enumerate(names) if not name]
    if blank:
        problems.append(f"header column {', '.join(blank)} has no name")
    unknown = [name for name in names if name and name not in known]
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (allowed: {', '.join(known)})"
        )
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            problems.append(f"column {name} appears twice")
        seen.add(name)
    missing = [name for name in required if name not in names]
    if missing:
        problems.append(f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
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
    """Validates rows one by one and remembers which ids it has already seen."""

    def __init__(self) -> None:
        self.records: list[FaqRecord] = []
        self.first_row: dict[str, int] = {}

    def check(self, values: dict[str, Any], row: int) -> tuple[FaqRecord | None, list[str]]:
        """Return the row as a record, or None and every problem found in it."""
        problems: list[str] = []
        text: dict[str, str] = {}
        for name in COLUMNS:
            value = values.get(name)
            if name == "aliases" and isinstance(value, list):
                continue
            if value is None:
                value = ""
            elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
                problems.append(f"{name} must be text, not {type(value).__name__}")
                value = ""
            text[name] = _cell_text(value).strip()

        for name in REQUIRED:
            if not text[name]:
                problems.append(f"{name} is empty")

        faq_id = text["id"]
        if len(faq_id) > MAX_ID:
            problems.append(f"id is longer than {MAX_ID} characters")
        if faq_id:
            if faq_id in self.first_row:
                problems.append(f"duplicate id {faq_id} (first seen on row {self.first_row[faq_id]})")
            else:
                self.first_row[faq_id] = row

        if len(text["question"]) > MAX_QUESTION:
            problems.append(f"question is {len(text['question'])} characters; at most {MAX_QUESTION}")
        for name, limit in (("category", MAX_CATEGORY), ("department", MAX_DEPARTMENT), ("phone", MAX_PHONE)):
            if len(text[name]) > limit:
                problems.append(f"{name} is longer than {limit} characters")

        url = text["url"]
        if url:
            if not url.lower().startswith(("http://", "https://")):
                problems.append(f"url must start with http:// or https:// (got {url[:40]!r})")
            elif _WHITESPACE.search(url):
                problems.append("url contains a space or line break")
            if len(url) > MAX_URL:
                problems.append(f"url is longer than {MAX_URL} characters")

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


def _aliases(value: Any) -> tuple[tuple[str, ...], list[str]]:
    """Split aliases given as ``a|b|c`` or as a JSON list; drop blanks and repeats."""
    if value is None:
        return (), []
    if isinstance(value, str):
        items = value.split(ALIAS_SEPARATOR)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        return (), ["aliases must be text separated by | or a list of texts"]
    aliases: list[str] = []
    problems = []
    for item in items:
        alias = item.strip()
        if not alias or alias in aliases:
            continue
        if len(alias) > MAX_ALIAS:
            problems.append(f"alias {alias[:20]!r}… is {len(alias)} characters; at most {MAX_ALIAS}")
        aliases.append(alias)
    return tuple(aliases), problems


# --- JSON --------------------------------------------------------------------------------------


def _read_json(data: bytes, file: str) -> list[FaqRecord]:
    """Read a JSON array of 汎用FAQ records or of objects with this project's column names."""
    try:
        document = json.loads(decode_text(data, file))
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [RowError(0, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
        ) from None
    if not isinstance(document, list):
        raise ImportFailed([RowError(0, "expected a JSON array of FAQ objects [{…}, {…}]")])
    if not document:
        raise ImportFailed([RowError(0, "the JSON array has no FAQ entries")])

    checker = _RecordChecker()
    errors: list[RowError] = []
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, f"record is a {type(item).__name__}, expected an object {{…}}"))
            continue
        keys = {str(key).strip().lower(): value for key, value in item.items()}
        generic = "faq_id" in keys
        known = GENERIC_COLUMNS if generic else COLUMNS
        unknown = sorted(key for key in keys if key not in known)
        if unknown:
            errors.append(RowError(number, f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"))
            continue
        bad_text = _json_text_problems(keys, IMPORTED_GENERIC if generic else COLUMNS)
        if bad_text:
            errors += [RowError(number, problem) for problem in bad_text]
            continue
        if generic:
            bad = [key for key in ("category1", "category2") if not isinstance(keys.get(key, ""), (str, int))]
            if bad:
                errors.append(RowError(number, f"{', '.join(bad)} must be text"))
                continue
            keys = _from_generic({key: _json_text(value) for key, value in keys.items()})
        record, problems = checker.check(keys, number)
        errors += [RowError(number, message) for message in problems]
        if record is not None:
            checker.records.append(record)
    if errors:
        raise ImportFailed(errors)
    return checker.records


def _json_text_problems(keys: dict[str, Any], imported: Iterable[str]) -> list[str]:
    """One message per imported field whose text ``text_problem`` refuses (each alias of a list checked too)."""
    problems = []
    for key in imported:
        value = keys.get(key)
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            problem = text_problem(text, multiline=key in MULTILINE) if isinstance(text, str) else None
            if problem is not None:
                problems.append(f"field {key} has {problem}")
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
        raise ImportFailed([RowError(header[0] if header else 1, "the header must be: term,synonyms"), *table.errors])
    errors: list[RowError] = list(table.errors)
    groups: list[SynonymGroup] = []
    seen: dict[str, int] = {}
    for number, row in table.after_header():
        if blank(row):
            continue
        if len(row) != 2:
            errors.append(RowError(number, f"expected 2 fields, found {len(row)}"))
            continue
        bad_text = cell_problems(row, SYNONYM_COLUMNS)
        if bad_text:
            errors += [RowError(number, problem) for problem in bad_text]
            continue
        term, synonyms = row[0].strip(), tuple(s.strip() for s in row[1].split("|") if s.strip())
        if not term:
            errors.append(RowError(number, "term is empty"))
        elif not synonyms:
            errors.append(RowError(number, "no synonyms given"))
        elif term in seen:
            errors.append(RowError(number, f"term {term} already on row {seen[term]}"))
        else:
            seen[term] = number
            groups.append(SynonymGroup(term, synonyms))
    if errors:
        raise ImportFailed(errors)
    return groups

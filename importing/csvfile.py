"""Reading a CSV file a city gives us into records numbered as spreadsheet rows: the one CSV reader of every importer.

The bytes are decoded by ``importing.text.decode_text`` (UTF-8 with or without BOM, cp932, EUC-JP, or a
clear refusal). A record is numbered as the person editing the file sees it: the first record is row 1
and a quoted value spanning several lines is still one row. A record the csv module cannot read (a quote
never closed, a field too long) ends the file: it is reported on its row and the records before it are
kept, so an importer can report it together with the bad rows it found.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from importing.errors import FileRowError
from importing.errors import RowError
from importing.messages import Problem
from importing.text import decode_text

Record = tuple[int, list[str]]  # (row number, fields)

# A cell a spreadsheet would take for a formula when it opens a CSV file (「=HYPERLINK(…)」 in an answer would
# run in the staff's Excel). Files we write put FORMULA_GUARD before such a cell; reading, the guard is dropped.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"


def guarded(cell: str) -> str:
    """``cell`` as a CSV file we write holds it: with ``FORMULA_GUARD`` first when it starts like a formula."""
    return FORMULA_GUARD + cell if cell.startswith(FORMULA_STARTS) else cell


def unguarded(value: str) -> str:
    """A cell read from a file, without the guard ``guarded`` put before a formula-like start."""
    return value[1:] if value.startswith(FORMULA_GUARD) and value[1:].startswith(FORMULA_STARTS) else value


@dataclass
class CsvRecords:
    """The records of one CSV file with their row numbers, and the problem that ended the file early, if any."""

    file: str
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def header(self) -> Record | None:
        """The first record with any text, and its row number (None for a file with no text)."""
        return next((record for record in self.records if not blank(record[1])), None)

    def after_header(self) -> list[Record]:
        """The records after the header, blank ones included (an importer decides whether to report them)."""
        header = self.header()
        return [record for record in self.records if header is not None and record[0] > header[0]]


def read_csv(source: Path | bytes, *, file: str = "") -> CsvRecords:
    """The records of a CSV file (a path, or its bytes with ``file`` naming it in errors).

    Raises ImportFailed with one file-level error when the text cannot be decoded; a CSV syntax problem is
    returned in ``errors``, named by file and row.
    """
    if isinstance(source, Path):
        file = file or source.name
        source = source.read_bytes()
    return parse_csv(decode_text(source, file), file=file)


def parse_csv(text: str, *, file: str = "") -> CsvRecords:
    """The records of CSV text already decoded (a leading BOM is dropped)."""
    result = CsvRecords(file)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    number = 0
    try:
        for number, fields in enumerate(reader, start=1):
            result.records.append((number, fields))
    except csv.Error as error:
        problem = Problem("csv.unreadable", detail=str(error))
        result.errors.append(FileRowError(number + 1, problem, file) if file else RowError(number + 1, problem))
    return result


def blank(fields: Iterable[str]) -> bool:
    """True for a record with no text in any field."""
    return not any(cell.strip() for cell in fields)

"""Import errors: every bad row of a file, numbered as the person editing it sees it.

Import is all or nothing: a reader either returns everything or raises ``ImportFailed`` listing every bad
row. Row numbers are spreadsheet rows (the header is row 1, a quoted value spanning several lines is still
one row); row 0 means the file as a whole. What is wrong is a ``Problem`` (a code of
``importing.messages.CATALOGUE`` and its parameters); its text, where it is and the summary are Japanese,
for city staff, in the console and on the command line alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from importing import messages
from importing.messages import Problem

MAX_ERRORS_SHOWN = 50
ROW = messages.ROW
RECORD = messages.RECORD  # a record of a JSON file, a feature of a GeoJSON file: 「3件目」


@dataclass(frozen=True)
class RowError:
    """A problem with one row of an import file, numbered as the person editing the file sees it.

    ``unit`` says what the number counts: spreadsheet or text rows (ROW), or records of a JSON array (RECORD).
    """

    row: int
    problem: Problem
    unit: str = field(default=ROW, kw_only=True)

    @property
    def code(self) -> str:
        """The problem's catalogue code (``row.width``)."""
        return self.problem.code

    @property
    def params(self) -> dict[str, Any]:
        """The problem's parameters."""
        return self.problem.params

    @property
    def message(self) -> str:
        """What is wrong, in Japanese (「5列ありますが、見出しは7列です。」)."""
        return self.problem.text

    @property
    def place(self) -> str:
        """Where in its file: 「3行目」, 「3件目」 or 「ファイル全体」."""
        return messages.place(self.row, self.unit)

    @property
    def where(self) -> str:
        """Where, with the file's name when the error has one (``FileRowError``)."""
        return self.place

    def __str__(self) -> str:
        return messages.line(self.where, self.message)


class ImportFailed(Exception):
    """Raised when an import file has bad rows; nothing in it may be saved."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(self.describe())

    def describe(self, source: str = "", *, limit: int | None = MAX_ERRORS_SHOWN) -> str:
        """A summary line (naming ``source``, a file or folder, when given) and one line per error, at most
        ``limit`` of them (None: all)."""
        n = len(self.errors)
        shown = self.errors if limit is None else self.errors[:limit]
        lines = [messages.summary(n, source)]
        lines += [f"  {error}" for error in shown]
        if n > len(shown):
            lines.append(f"  {messages.more(n - len(shown))}")
        return "\n".join(lines)


@dataclass(frozen=True)
class FileRowError(RowError):
    """A bad row, named by its file as well as its row (row 0: the file as a whole)."""

    file: str = ""

    @property
    def where(self) -> str:
        """「target.csv の3行目」, 「target.csv（ファイル全体）」; without a file as ``RowError``."""
        return messages.place_in_file(self.file, self.row, self.unit) if self.file else self.place


def in_file(error: RowError, file: str) -> RowError:
    """``error`` named by ``file`` as well."""
    return FileRowError(error.row, error.problem, file, unit=error.unit)


def file_error(problem: Problem, file: str = "") -> RowError:
    """A problem with a file as a whole (row 0), named by ``file`` when given."""
    return FileRowError(0, problem, file) if file else RowError(0, problem)

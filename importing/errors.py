"""Import errors: every bad row of a file, numbered as the person editing it sees it.

Import is all or nothing: a reader either returns everything or raises ``ImportFailed`` listing every bad
row. Row numbers are spreadsheet rows (the header is row 1, a quoted value spanning several lines is still
one row); row 0 means the file as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ERRORS_SHOWN = 50


@dataclass(frozen=True)
class RowError:
    """A problem with one row of an import file, numbered as the person editing the file sees it."""

    row: int
    message: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """Raised when an import file has bad rows; nothing in it may be saved."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(self._describe())

    def _describe(self) -> str:
        n = len(self.errors)
        lines = [f"{n} problem{'s' if n != 1 else ''} found; nothing was imported:"]
        lines += [f"  {error}" for error in self.errors[:MAX_ERRORS_SHOWN]]
        if n > MAX_ERRORS_SHOWN:
            lines.append(f"  … and {n - MAX_ERRORS_SHOWN} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class FileRowError(RowError):
    """A bad row, named by its file as well as its row (row 0: the file as a whole)."""

    file: str = ""

    def __str__(self) -> str:
        if not self.file:
            return super().__str__()
        where = self.file if self.row == 0 else f"{self.file} row {self.row}"
        return f"{where}: {self.message}"


def in_file(error: RowError, file: str) -> RowError:
    """``error`` named by ``file`` as well."""
    return FileRowError(error.row, error.message, file)

"""The published FAQ written out in the import layout (CSV or XLSX), so staff can edit it in Excel and upload it
again: a file exported and uploaded unchanged changes nothing.

CSV comes as UTF-8 with a byte order mark (Excel then opens it as UTF-8) or as Shift_JIS (cp932, what older
Excel and other city systems write); an entry holding a character Shift_JIS has no code for (an emoji, 𠮷)
cannot go into the latter, and ``NotInShiftJis`` names those entries rather than writing a "?" in their place.
A CSV cell that starts like a formula (``=``, ``+``, ``-``, ``@``) is written after an apostrophe, so that Excel
shows it as text instead of running it; the importer drops that apostrophe again (``importing.csvfile``).
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from faq.importers import ALIAS_SEPARATOR
from faq.importers import COLUMNS
from faq.models import FaqEntry
from faq.models import FaqStatus
from importing.csvfile import guarded

UTF8 = "utf-8-sig"
SHIFT_JIS = "cp932"


class NotInShiftJis(ValueError):
    """Entries whose text Shift_JIS cannot hold (their ids, in order)."""

    def __init__(self, faq_ids: list[str]) -> None:
        super().__init__(", ".join(faq_ids))
        self.faq_ids = faq_ids


def rows(session: Session) -> list[list[str]]:
    """The header and one row per published entry, in the import layout (aliases joined by ``|``)."""
    entries = session.scalars(sa.select(FaqEntry).where(FaqEntry.status == FaqStatus.PUBLISHED)
                              .options(selectinload(FaqEntry.aliases)).order_by(FaqEntry.id))
    table = [list(COLUMNS)]
    for entry in entries:
        aliases = ALIAS_SEPARATOR.join(alias.text for alias in entry.aliases)
        table.append([entry.faq_id, entry.category, entry.question, entry.answer, aliases, entry.url,
                      entry.department, entry.phone])
    return table


def to_csv(table: list[list[str]], encoding: str = UTF8) -> bytes:
    """``table`` as CSV bytes (CRLF line ends, as Excel writes); NotInShiftJis when cp932 cannot hold a row."""
    if encoding == SHIFT_JIS:
        unfit = [row[0] for row in table[1:] if not _fits_shift_jis("".join(row))]
        if unfit:
            raise NotInShiftJis(unfit)
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([[guarded(cell) for cell in row] for row in table])
    return text.getvalue().encode(encoding)


def to_xlsx(table: list[list[str]]) -> bytes:
    """``table`` as the first sheet of a workbook, every cell as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "FAQ"
    for number, row in enumerate(table, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(number, column, value)
            cell.data_type = "s"  # text, even where it starts with "=" (else written as a formula)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def _fits_shift_jis(text: str) -> bool:
    try:
        text.encode(SHIFT_JIS)
    except UnicodeEncodeError:
        return False
    return True

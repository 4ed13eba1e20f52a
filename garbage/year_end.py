"""The year-end break (年末年始): which days have no collection, the year's last and the new year's first dates.

December's most asked garbage question. The break is the pack's own: its ``holidays.csv`` days without
collection (and a centre's shutdowns) around the new year; each category's last date of the year and first of
the new one come from the area's calendar with those changes applied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from garbage.answers import Catalog
from garbage.answers import collected_categories
from garbage.answers import has_garbage_word
from garbage.answers import question_keys
from garbage.calendar import collection_dates

# 「年末年始」, 「正月」, 「年明け」, 「年内最後」, 「今年最後」, 「三が日」: on the key as typed, and on its reading.
_YEAR_END_WORDS = re.compile(r"年末|年始|正月|年明|年内|今年最後|今年の最後|三が日|三箇日"
                             r"|ねんまつ|しょうがつ|としあけ|ねんない|ことしさいご|ことしのさいご|さんがにち")
SEARCHED = (timedelta(days=-7), timedelta(days=10))  # around New Year's Day: where a break is looked for
LAST_DAY_OF_PAST_BREAK = (1, 15)  # until this day of January, 「年末年始」 is the break just passed


@dataclass(frozen=True)
class YearEndAnswer:
    """An area's year-end collection: the days without it (the pack's break), and each category's year's last
    and new year's first date (None: none in December, or none in January)."""

    area: str
    closed: tuple[date, ...]  # days without collection for every category: the pack's changes and shutdowns
    notes: tuple[str, ...]  # the pack's words for them (「年末年始は収集しません」), each once
    last: tuple[tuple[str, date | None], ...]
    first: tuple[tuple[str, date | None], ...]
    attribution: str = ""


def is_year_end_question(text: str, key: str | None = None) -> bool:
    """True when ``text`` asks about garbage over the new year (「年末年始のごみ収集は？」, 「正月はごみ出せる？」)."""
    return any(_YEAR_END_WORDS.search(k) for k in question_keys(text, key)) and has_garbage_word(text, key)


def answer_year_end(catalog: Catalog, area: str, today: date, categories: Sequence[str] = ()) -> YearEndAnswer:
    """The year-end break around the coming New Year's Day (the one just passed, until mid-January), for
    ``categories`` (every collected one when empty)."""
    year = today.year if (today.month, today.day) > LAST_DAY_OF_PAST_BREAK else today.year - 1
    new_year = date(year + 1, 1, 1)
    policy = catalog.policy(area)
    start, end = new_year + SEARCHED[0], new_year + SEARCHED[1]
    stopped = {change.day: change.note for change in policy.changes
               if change.category is None and change.moved_to is None and start <= change.day <= end}
    for first, last in policy.shutdowns:
        day = max(first, start)
        while day <= min(last, end):
            stopped.setdefault(day, "")
            day += timedelta(days=1)
    schedules = catalog.schedules.get(area, {})
    names = [name for name in (categories or collected_categories(catalog, area)) if name in schedules]
    last, first = [], []
    for name in names:
        december = collection_dates(schedules[name], name, date(year, 12, 1), date(year, 12, 31), policy)
        january = collection_dates(schedules[name], name, new_year, date(year + 1, 1, 31), policy)
        last.append((name, december[-1] if december else None))
        first.append((name, january[0] if january else None))
    notes = tuple(dict.fromkeys(note for _day, note in sorted(stopped.items()) if note))
    return YearEndAnswer(area, tuple(sorted(stopped)), notes, tuple(last), tuple(first), catalog.attribution)

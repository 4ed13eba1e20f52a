"""Dates typed in chat: 「2027年3月5日」, 「2027/3/5」, 「3/5」, 「3月5日」, 「R9.3.5」, 「昭和35年4月1日」.

Full-width digits are read as ASCII. A date with no year takes the year the caller's ``prefer`` implies:
the next such day for a due date, the last one for a birth date. A day that does not exist (2月30日) is
reported as ``NoSuchDay`` so the bot can say so kindly.

A date sent alone while no step waits for one (``DateIntent``) gets what the bot can do with dates, and
whether the day exists.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from intents.base import IntentContext
from japanese.calendar import add_months
from search.docs import Query

ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}

_SEP = r"\s*[年/.\-]\s*"
_WITH_YEAR = re.compile(
    r"(?P<era>令和|平成|昭和|[rhs])?\s*(?P<year>\d{1,4}|元)" + _SEP + r"(?P<month>\d{1,2})" + _SEP.replace("年", "月")
    + r"(?P<day>\d{1,2})\s*日?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?!\d)")
_NO_YEAR = re.compile(r"(?<![\d.])(?P<month>\d{1,2})\s*[月/]\s*(?P<day>\d{1,2})\s*日?")
_DATE_LIKE = re.compile(r"^\s*(?:令和|平成|昭和|[rhs])?[\d\s/.\-年月日元]+(?:です|でした|ごろ|頃)?\s*$")

_FILLER = re.compile(r"[\s、。,.!！「」]+")
MAX_OTHER_CHARS = 10  # 「出産予定日は…です」 fits, a question about something else mostly does not

Prefer = Literal["future", "past"] | None


@dataclass(frozen=True)
class NoSuchDay:
    """The text names a day that does not exist, such as 2月30日; ``shown`` is it as written for a reply."""

    shown: str


@dataclass(frozen=True)
class NeedYear:
    """The text has a month and day but no year, and nothing says which year is meant."""


@dataclass(frozen=True)
class Unreadable:
    """The text looks like a date but cannot be read as one (for example 「26/3/5」)."""


DateReading = date | NoSuchDay | NeedYear | Unreadable


def read_date(text: str, today: date, prefer: Prefer = None) -> DateReading | None:
    """The date in ``text``; None when the text is not an answer with a date (or no date at all).

    A date inside a longer message counts only when little else is said (「予定日は2027年3月5日です」),
    so that a question such as 「12月31日はごみの収集ありますか」 is left to the other answers.

    :param prefer: for a date typed without a year, ``"future"`` takes the first such day from about a
        month ago on (a due date) and ``"past"`` the last one up to today (a birth date); with None a
        year is required.
    """
    text = unicodedata.normalize("NFKC", text).lower().strip()
    for pattern in (_WITH_YEAR, _COMPACT, _NO_YEAR):
        if (m := pattern.search(text)) is not None:
            break
    else:
        return Unreadable() if looks_like_date(text) else None
    if not _mostly_date(text, m):
        return None
    month, day = int(m["month"]), int(m["day"])
    if pattern is _NO_YEAR:
        return _without_year(month, day, today, prefer)
    era = m.groupdict().get("era")
    year = _year(era, m["year"])
    if year is None:
        return Unreadable()
    return _make(year, month, day, f"{era or ''}{m['year']}年{month}月{day}日")


def _mostly_date(text: str, match: re.Match) -> bool:
    rest = _FILLER.sub("", text[: match.start()] + text[match.end():])
    return len(rest) <= MAX_OTHER_CHARS and not rest.endswith(("か", "?"))


def looks_like_date(text: str) -> bool:
    """True when ``text`` is made of date characters only (digits, 年月日, separators, an era name)."""
    return _DATE_LIKE.search(unicodedata.normalize("NFKC", text).lower()) is not None


def _year(era: str | None, year: str) -> int | None:
    if era is None:
        return int(year) if len(year) == 4 else None
    number = 1 if year == "元" else int(year)
    return ERAS[era] + number if 1 <= number <= 99 else None


def _make(year: int, month: int, day: int, shown: str) -> date | NoSuchDay:
    try:
        return date(year, month, day)
    except ValueError:
        return NoSuchDay(shown)


def _without_year(month: int, day: int, today: date, prefer: Prefer) -> DateReading:
    shown = f"{month}月{day}日"
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return NoSuchDay(shown)
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return NoSuchDay(shown)
    if prefer is None:
        return NeedYear()
    if prefer == "future":
        earliest = add_months(today, -1)
        return next((d for d in candidates if d >= earliest), candidates[-1])
    return next((d for d in reversed(candidates) if d <= today), candidates[0])


@dataclass(frozen=True)
class DateAlone:
    """A date sent on its own, with no step waiting for one; ``reading`` says whether the day exists."""

    reading: DateReading


def is_date_alone(text: str) -> bool:
    """True when the text is a date and nothing else (「2月30日」, 「R9.3.5」, 「3/5です」), not a bare number."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return looks_like_date(folded) and any(p.search(folded) for p in (_WITH_YEAR, _COMPACT, _NO_YEAR))


class DateIntent:
    """Answers a date sent alone: what the bot can do with dates, and a day that does not exist."""

    name = "date"

    def match(self, query: Query) -> str | None:
        """The text when it is a date alone."""
        return query.text if is_date_alone(query.text) else None

    def handle(self, match: str, ctx: IntentContext) -> DateAlone:
        """The date as read today (a day that does not exist is ``NoSuchDay``)."""
        return DateAlone(read_date(match, ctx.today) or Unreadable())


INTENT = DateIntent()

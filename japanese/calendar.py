"""The Japanese calendar as the law and city offices count it: months, ages, school years, holidays.

Everything here is pure: the day is always passed in.

* **Months** (``add_months``): one rule for the whole app, the one of 民法143条: a period of N months
  from a day ends on the day before the same day N months later, or, when that month has no such day, on
  its last day; the day N months "after" is the day the period has passed, so it is the same day of the
  month, or the 1st of the next month when that day does not exist (born 12/31 → 2 months on 3/1; one
  month before 3/31 is 3/1). Life-stage messages (生後2か月), the date windows of the chat and the age of
  residents all use it.
* **Ages** (``turning_day``, ``age_on``): a person turns N on the day before the Nth birthday
  (年齢計算ニ関スル法律), so someone born on the 1st turns N in the previous month.
* **School years** (``school_year_start``): the year from 4/1 to 3/31; children born 4/2 to 4/1 share one.
* **Holidays and office days**: Japanese public holidays (振替休日 and 国民の休日 included) from the
  ``holidays`` library; city offices are closed on weekends, public holidays and 12/29–1/3 (地方自治法4条の2).
"""

from __future__ import annotations

import calendar
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import tzinfo
from functools import lru_cache

# The class itself, not the package's lazy loader (``holidays.Japan``), which imports every country's module
# (about 60 ms) at its first call: in the first answer that asks whether a desk is open, after warming.
from holidays.countries import Japan

YEAR_END_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))  # 地方自治法4条の2: 年末年始


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier); the 1st of the next month when that day does
    not exist (see the module docstring)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    if day.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, day.day)
    return first_of_month(year, month + 1)


def add_years(day: date, years: int) -> date:
    """``day`` moved by ``years`` years (2/29 in a common year: 3/1, by ``add_months``)."""
    return add_months(day, 12 * years)


def first_of_month(year: int, month: int) -> date:
    """The 1st of ``month`` of ``year``, where ``month`` may run past 12 or below 1."""
    extra, month = divmod(month - 1, 12)
    return date(year + extra, month + 1, 1)


def turning_day(birth: date, age: int) -> date:
    """The day a person born on ``birth`` turns ``age``: the day before the birthday (年齢計算ニ関スル法律).

    Someone born on 2/29 turns ``age`` on 2/28 in a common year.
    """
    year = birth.year + age
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, birth.month, birth.day) - timedelta(days=1)


def age_on(birth: date, today: date) -> int:
    """Age in years on ``today``; a person turns N the day before the birthday."""
    years = today.year - birth.year
    while years > 0 and turning_day(birth, years) > today:
        years -= 1
    return years


def school_year_start(birth: date, age: int) -> int:
    """The calendar year whose April 1 starts the school year in which the child is in the ``age``歳児クラス.

    That is the first April 1 on or after the ``age``th birthday: children born 4/2 to 4/1 share a year.
    """
    year = birth.year + age
    return year if (birth.month, birth.day) <= (4, 1) else year + 1


def in_year_from_april(year: int, month_day: tuple[int, int]) -> date:
    """The day ``month_day`` of the year (4/1–3/31) that starts on April 1 of ``year``."""
    month, day = month_day
    return date(year if month >= 4 else year + 1, month, day)


def holiday_name(day: date) -> str | None:
    """The Japanese name of the public holiday on ``day`` (「勤労感謝の日」, 「振替休日」), or None."""
    return _japanese_holidays(day.year).get(day)


@lru_cache(maxsize=256)
def _japanese_holidays(year: int) -> dict[date, str]:
    """One year's Japanese public holidays by day, named in Japanese (loading the names is slow: cached)."""
    return dict(Japan(years=year, language="ja").items())


@lru_cache(maxsize=256)
def _holiday_days(year: int) -> frozenset[date]:
    """One year's Japanese public holidays (the days only: no names to translate)."""
    return frozenset(Japan(years=year))


def is_public_holiday(day: date) -> bool:
    """True on a Japanese public holiday (振替休日 and 国民の休日 included)."""
    return day in _holiday_days(day.year)


def is_office_day(day: date) -> bool:
    """True when city offices are open: not a weekend, public holiday or 12/29–1/3."""
    return (day.weekday() < 5 and (day.month, day.day) not in YEAR_END_CLOSURE
            and not is_public_holiday(day))


def next_office_day(day: date) -> date:
    """``day`` if city offices are open on it, otherwise the next day they are."""
    while not is_office_day(day):
        day += timedelta(days=1)
    return day


def month_day_time(moment: datetime, timezone: tzinfo) -> str:
    """A moment as notices and statuses say it, in the city's time: 「12月4日 10:30」."""
    local = moment.astimezone(timezone)
    return f"{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"

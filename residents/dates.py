"""Which dates are accepted for a child or for the resident themself, and the reason for refusing others.

The windows are wide enough for real families and narrow enough to catch a wrong year: a due date from
about a month ago (a late birth not yet registered) to ten months ahead, a child's birth date within the
last 18 years, and the resident's own birth date for an adult of at most 120.
"""

from __future__ import annotations

import enum
from datetime import date

from japanese.calendar import add_months
from japanese.calendar import add_years

DUE_MONTHS_BACK = 1
DUE_MONTHS_AHEAD = 10
CHILD_MAX_YEARS = 18
ADULT_MIN_YEARS = 18
OLDEST_YEARS = 120
EARLIEST = date(1900, 1, 1)  # the datetime picker's own lower limit


class Refusal(enum.StrEnum):
    """Why a date was not accepted."""

    DUE_PAST = "due_past"  # more than about a month ago
    DUE_TOO_FAR = "due_too_far"  # more than about ten months ahead
    BIRTH_FUTURE = "birth_future"
    BIRTH_TOO_OLD = "birth_too_old"  # a child more than 18 years old
    OWN_FUTURE = "own_future"
    OWN_TOO_YOUNG = "own_too_young"  # under 18: most likely a wrong year
    OWN_TOO_OLD = "own_too_old"


def due_window(today: date) -> tuple[date, date]:
    """The first and last due date accepted today."""
    return add_months(today, -DUE_MONTHS_BACK), add_months(today, DUE_MONTHS_AHEAD)


def birth_window(today: date) -> tuple[date, date]:
    """The first and last birth date of a child accepted today."""
    return add_years(today, -CHILD_MAX_YEARS), today


def own_birth_window(today: date) -> tuple[date, date]:
    """The first and last birth date accepted today for the resident themself."""
    return max(EARLIEST, add_years(today, -OLDEST_YEARS)), add_years(today, -ADULT_MIN_YEARS)


def due_refusal(day: date, today: date) -> Refusal | None:
    """Why ``day`` is not accepted as a due date today, or None when it is."""
    first, last = due_window(today)
    if day < first:
        return Refusal.DUE_PAST
    if day > last:
        return Refusal.DUE_TOO_FAR
    return None


def birth_refusal(day: date, today: date) -> Refusal | None:
    """Why ``day`` is not accepted as a child's birth date today, or None when it is."""
    first, last = birth_window(today)
    if day > last:
        return Refusal.BIRTH_FUTURE
    if day < first:
        return Refusal.BIRTH_TOO_OLD
    return None


def own_birth_refusal(day: date, today: date) -> Refusal | None:
    """Why ``day`` is not accepted as the resident's own birth date today, or None when it is."""
    first, last = own_birth_window(today)
    if day > today:
        return Refusal.OWN_FUTURE
    if day > last:
        return Refusal.OWN_TOO_YOUNG
    if day < first:
        return Refusal.OWN_TOO_OLD
    return None

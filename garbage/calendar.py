"""Collection calendars: the days a schedule's rules name, bent by public holidays, the pack's changes and shutdowns.

Everything here is pure: the day is always passed in. Japanese public holidays (substitute holidays and
国民の休日 included) come from the ``holidays`` library.

For one category, a day is a collection day when

1. a rule of the schedule names it (text kept verbatim names no day: callers show it as written);
2. it is not a public holiday, unless ``collect_on_public_holidays`` (the default);
3. it is in no centre shutdown period;
4. no change of the pack (for this category or for every category) falls on it;

or when a change that applies moves a collection to it. A change for this category always applies; a
change for every category applies only when the rules name its day for this category. A moved day is added
even when rules 1–3 would not collect then: the pack said so explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from garbage.schedule import CalendarChange
from garbage.schedule import MonthlyNth
from garbage.schedule import OnDates
from garbage.schedule import Rule
from garbage.schedule import Schedule
from garbage.schedule import Weekly
from japanese.calendar import is_public_holiday


@dataclass(frozen=True)
class CalendarPolicy:
    """How an area's calendar bends: public holidays, the pack's changes and centre shutdowns."""

    collect_on_public_holidays: bool = True
    changes: tuple[CalendarChange, ...] = ()
    shutdowns: tuple[tuple[date, date], ...] = ()  # inclusive (start, end) periods, from 5374 center.csv


def rule_matches(rule: Rule, day: date) -> bool:
    """True when ``rule`` names ``day`` (before holidays, shutdowns and changes)."""
    if isinstance(rule, Weekly):
        return day.weekday() in rule.weekdays
    if isinstance(rule, MonthlyNth):
        in_month = rule.months is None or day.month in rule.months
        return in_month and day.weekday() == rule.weekday and (day.day - 1) // 7 + 1 in rule.nths
    if isinstance(rule, OnDates):
        return day in rule.dates
    raise TypeError(f"not a rule: {rule!r}")


def scheduled_on(schedule: Schedule, day: date) -> bool:
    """True when any rule of the schedule names ``day`` (before holidays, shutdowns and changes)."""
    return any(rule_matches(rule, day) for rule in schedule.rules)


def collection_dates(schedule: Schedule, category: str, start: date, end: date, policy: CalendarPolicy) -> list[date]:
    """Every collection day of ``category`` in [start, end], sorted; the module docstring says how a day qualifies."""
    changes = [change for change in policy.changes if change.category in (None, category)]
    changed = {change.day for change in changes}
    days = {day for day in _days(start, end) if day not in changed and _regular_day(schedule, day, policy)}
    for change in changes:
        moved = change.moved_to
        if moved is not None and start <= moved <= end and _change_applies(change, schedule):
            days.add(moved)
    return sorted(days)


def next_collection(
    schedule: Schedule,
    category: str,
    today: date,
    policy: CalendarPolicy,
    count: int = 1,
    horizon_days: int = 400,
) -> list[date]:
    """The next ``count`` collection days of ``category`` from ``today`` (inclusive), up to ``horizon_days`` ahead."""
    if count < 1:
        return []
    return collection_dates(schedule, category, today, today + timedelta(days=horizon_days), policy)[:count]


def _regular_day(schedule: Schedule, day: date, policy: CalendarPolicy) -> bool:
    """A day the rules name that no public holiday (when skipped) or shutdown takes away."""
    if not scheduled_on(schedule, day):
        return False
    if not policy.collect_on_public_holidays and is_public_holiday(day):
        return False
    return not any(first <= day <= last for first, last in policy.shutdowns)


def _change_applies(change: CalendarChange, schedule: Schedule) -> bool:
    """A change for this category always applies; one for every category only where the rules name its day."""
    return change.category is not None or scheduled_on(schedule, change.day)


def _days(start: date, end: date) -> Iterator[date]:
    """Each day from ``start`` to ``end`` inclusive (none when end is before start)."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)

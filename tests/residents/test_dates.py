"""The date windows for due dates, children's and residents' own birth dates."""

from __future__ import annotations

from datetime import date

import pytest

from residents import dates

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(("day", "reason"), [
    (date(2026, 10, 20), None),
    (date(2027, 9, 20), None),
    (date(2026, 10, 19), dates.Refusal.DUE_PAST),
    (date(2027, 9, 21), dates.Refusal.DUE_TOO_FAR),
])
def test_due_dates_from_a_month_ago_to_ten_months_ahead_are_accepted(day, reason):
    """A due date is accepted from one month back to ten months ahead, inclusive."""
    assert dates.due_refusal(day, TODAY) == reason


@pytest.mark.parametrize(("day", "reason"), [
    (TODAY, None),
    (date(2008, 11, 20), None),
    (date(2026, 11, 21), dates.Refusal.BIRTH_FUTURE),
    (date(2008, 11, 19), dates.Refusal.BIRTH_TOO_OLD),
])
def test_child_birth_dates_cover_eighteen_years_up_to_today(day, reason):
    """A child's birth date is accepted from 18 years ago up to today."""
    assert dates.birth_refusal(day, TODAY) == reason


@pytest.mark.parametrize(("day", "reason"), [
    (date(1960, 4, 1), None),
    (date(2026, 12, 1), dates.Refusal.OWN_FUTURE),
    (date(2010, 1, 1), dates.Refusal.OWN_TOO_YOUNG),
    (date(1900, 1, 1), dates.Refusal.OWN_TOO_OLD),
])
def test_own_birth_dates_are_those_of_adults_up_to_120(day, reason):
    """The resident's own birth date must make them between 18 and 120 years old."""
    assert dates.own_birth_refusal(day, TODAY) == reason

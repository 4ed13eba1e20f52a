"""The Japanese calendar: one month rule (民法143条), ages, office days and public holiday names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from japanese import calendar


class TestMonths:
    @pytest.mark.parametrize(("day", "months", "expected"), [
        (date(2026, 1, 10), 2, date(2026, 3, 10)),
        (date(2026, 11, 20), -1, date(2026, 10, 20)),
        (date(2026, 11, 20), 10, date(2027, 9, 20)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ])
    def test_the_same_day_of_the_month_when_it_exists(self, day, months, expected):
        """Moving by months keeps the day of the month, across year ends too."""
        assert calendar.add_months(day, months) == expected

    @pytest.mark.parametrize(("day", "months", "expected"), [
        (date(2025, 12, 31), 2, date(2026, 3, 1)),   # no 2/31
        (date(2026, 1, 31), 1, date(2026, 3, 1)),    # no 2/31
        (date(2026, 3, 31), 1, date(2026, 5, 1)),    # no 4/31
        (date(2026, 3, 31), -1, date(2026, 3, 1)),   # no 2/31, going back
        (date(2026, 8, 31), -2, date(2026, 7, 1)),   # no 6/31
        (date(2024, 1, 31), 1, date(2024, 3, 1)),    # leap year: no 2/31 either
        (date(2024, 1, 29), 1, date(2024, 2, 29)),   # leap year: 2/29 exists
    ])
    def test_a_missing_day_becomes_the_1st_of_the_next_month(self, day, months, expected):
        """When the month has no such day, the period has passed on the 1st of the next month (民法143条)."""
        assert calendar.add_months(day, months) == expected

    @pytest.mark.parametrize(("day", "years", "expected"), [
        (date(2024, 2, 29), 1, date(2025, 3, 1)),
        (date(2024, 2, 29), -18, date(2006, 3, 1)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2026, 11, 20), -65, date(1961, 11, 20)),
    ])
    def test_years_from_29_february(self, day, years, expected):
        """A year from 2/29 is 3/1 in a common year and 2/29 in a leap year."""
        assert calendar.add_years(day, years) == expected


class TestAges:
    def test_someone_born_on_the_1st_turns_65_in_the_previous_month(self):
        """Born 1961-12-01, a resident turns 65 on 2026-11-30."""
        assert calendar.turning_day(date(1961, 12, 1), 65) == date(2026, 11, 30)

    def test_someone_born_on_29_february_turns_65_on_28_february(self):
        """Born 2000-02-29, a person turns 65 on 2065-02-28 (2065 has no 2/29)."""
        assert calendar.turning_day(date(2000, 2, 29), 65) == date(2065, 2, 28)

    @pytest.mark.parametrize(("today", "age"), [
        (date(2026, 11, 29), 64), (date(2026, 11, 30), 65), (date(2026, 12, 1), 65),
    ])
    def test_age_counts_from_the_day_before_the_birthday(self, today, age):
        """Born 1961-12-01, a resident is 65 from 2026-11-30 on."""
        assert calendar.age_on(date(1961, 12, 1), today) == age

    @pytest.mark.parametrize(("birth", "year"), [
        (date(2020, 4, 1), 2026), (date(2020, 4, 2), 2027), (date(2019, 12, 31), 2026),
    ])
    def test_school_years_run_from_4_2_to_4_1(self, birth, year):
        """Children born 4/2 to 4/1 start school in the same April."""
        assert calendar.school_year_start(birth, 6) == year


class TestOfficeDays:
    @pytest.mark.parametrize(("day", "open_"), [
        (date(2026, 12, 28), True), (date(2026, 12, 29), False), (date(2027, 1, 3), False),
        (date(2027, 1, 4), True), (date(2026, 11, 3), False), (date(2026, 11, 7), False),
    ])
    def test_offices_are_closed_on_weekends_holidays_and_at_the_year_end(self, day, open_):
        """Saturdays, Sundays, public holidays and 12/29–1/3 are closed days."""
        assert calendar.is_office_day(day) is open_

    def test_the_next_office_day_after_the_year_end(self):
        """From 12/29 the next office day is the first weekday of January after 1/3."""
        assert calendar.next_office_day(date(2026, 12, 29)) == date(2027, 1, 4)

    @pytest.mark.parametrize(("day", "name"), [
        (date(2026, 11, 23), "勤労感謝の日"),
        (date(2026, 5, 6), "振替休日"),
        (date(2026, 9, 22), "国民の休日"),
        (date(2027, 1, 11), "成人の日"),
        (date(2026, 11, 24), None),
    ])
    def test_public_holidays_are_named_in_japanese(self, day, name):
        """Public holidays, substitute holidays and 国民の休日 are named in Japanese; other days give None."""
        assert calendar.holiday_name(day) == name
        assert calendar.is_public_holiday(day) is (name is not None)


def test_the_holiday_data_is_loaded_with_the_module_not_in_the_first_answer():
    """The ``holidays`` package imports every country's module at the first call of its lazy ``holidays.Japan``
    (about 60 ms, which fell in the first answer asking whether a desk is open); the calendar imports it itself
    (checked in a fresh interpreter: this one may have loaded it for another test)."""
    import subprocess
    import sys

    code = "import sys, japanese.calendar; print('holidays.countries.japan' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "True"

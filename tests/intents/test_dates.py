"""Dates typed in chat, in the forms residents use, and the kind answers for days that do not exist."""

from __future__ import annotations

from datetime import date

import pytest

from intents.dates import NeedYear
from intents.dates import NoSuchDay
from intents.dates import Unreadable
from intents.dates import is_date_alone
from intents.dates import read_date

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize("typed", ["2027年3月5日", "2027/3/5", "2027-03-05", "２０２７年３月５日", "2027年 3月 5日",
                                   "20270305", "R9.3.5", "r9/3/5", "令和9年3月5日", "予定日は2027年3月5日です"])
def test_full_dates_in_common_forms_are_read(typed):
    """Western years, eras, full-width digits and a short sentence around the date are read alike."""
    assert read_date(typed, TODAY) == date(2027, 3, 5)


@pytest.mark.parametrize(("typed", "expected"), [
    ("令和元年5月1日", date(2019, 5, 1)), ("平成31年4月30日", date(2019, 4, 30)), ("昭和35年4月1日", date(1960, 4, 1)),
    ("S35.4.1", date(1960, 4, 1)), ("H1.1.8", date(1989, 1, 8)),
])
def test_era_years_are_converted(typed, expected):
    """令和, 平成 and 昭和 (or R, H, S) years become western years; 元年 is year 1."""
    assert read_date(typed, TODAY) == expected


@pytest.mark.parametrize(("typed", "prefer", "expected"), [
    ("3/5", "future", date(2027, 3, 5)),
    ("12/1", "future", date(2026, 12, 1)),
    ("11月1日", "future", date(2026, 11, 1)),
    ("3/5", "past", date(2026, 3, 5)),
    ("12/1", "past", date(2025, 12, 1)),
])
def test_a_date_without_a_year_takes_the_year_it_must_mean(typed, prefer, expected):
    """Without a year, a due date is the next such day (from a month ago on) and a birth date the last one."""
    assert read_date(typed, TODAY, prefer) == expected


def test_a_date_without_a_year_needs_one_when_nothing_says_which(typed="3/5"):
    """Without a hint, a month and day alone ask for the year."""
    assert read_date(typed, TODAY) == NeedYear()


@pytest.mark.parametrize(("typed", "shown"), [("2月30日", "2月30日"), ("2026年2月30日", "2026年2月30日"),
                                              ("2027/2/29", "2027年2月29日"), ("13月1日", "13月1日")])
def test_days_that_do_not_exist_are_reported_as_typed(typed, shown):
    """2月30日 and friends are NoSuchDay, carrying the date as the resident wrote it."""
    assert read_date(typed, TODAY, "future") == NoSuchDay(shown)


@pytest.mark.parametrize("typed", ["26/3/5", "2026", "R.3.5"])
def test_date_like_text_that_cannot_be_read_is_unreadable(typed):
    """Digits that look like a date but are not one are Unreadable, not ignored."""
    assert read_date(typed, TODAY, "future") == Unreadable()


@pytest.mark.parametrize("typed", ["こんにちは", "4月の健診はいつ", "12月31日はごみの収集ありますか", "3歳児健診"])
def test_other_messages_are_not_dates(typed):
    """A question that merely mentions a date is not taken as an answer."""
    assert read_date(typed, TODAY, "future") is None


@pytest.mark.parametrize("text", ["2月30日", "２月３０日", "3/5", "2027/3/5", "令和9年3月5日", "R9.3.5", "3月5日です",
                                  "20270305"])
def test_a_date_alone_is_recognised(text):
    """A date with nothing else, in any of the ways residents write one, is a date alone."""
    assert is_date_alone(text)


@pytest.mark.parametrize("text", ["3", "12", "2027", "12月31日はごみの収集ありますか", "3月5日に転入しました", "住民票"])
def test_a_number_or_a_sentence_is_no_date_alone(text):
    """A bare number, or a date inside a question or a sentence, is not a date alone."""
    assert not is_date_alone(text)

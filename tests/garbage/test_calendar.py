"""Collection days per category: the rules' days, bent by public holidays, the pack's changes and shutdowns.

Every expected list here was worked out by hand from a printed calendar (2026-11-01 is a Sunday,
2026-12-01 a Tuesday, 2027-01-01 a Friday); none is computed by the code under test.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from garbage.calendar import CalendarPolicy
from garbage.calendar import collection_dates
from garbage.calendar import next_collection
from garbage.schedule import CalendarChange
from garbage.schedule import Schedule
from garbage.schedule import parse_5374
from garbage.schedule import parse_exceptions_csv

MON_THU = parse_5374("月 木")
YEAR_END_PACK = """\
date,category,moved_to,note
2026-12-31..2027-01-03,,,年末年始
2027-01-04,生ごみ,2027-01-05,振替
"""


def year_end_policy(**overrides) -> CalendarPolicy:
    """The policy of a pack that stops over the year end and moves 生ごみ of 2027-01-04 to 01-05."""
    changes, errors = parse_exceptions_csv(YEAR_END_PACK)
    assert errors == []
    return CalendarPolicy(changes=tuple(changes), **overrides)


def d(month_day: str, year: int = 2026) -> date:
    """A date from ``"11-23"``, so hand-made lists stay short."""
    month, day = month_day.split("-")
    return date(year, int(month), int(day))




def test_collects_on_a_public_holiday_by_default():
    """By default 勤労感謝の日 (Monday 2026-11-23) is an ordinary collection day."""
    dates = collection_dates(MON_THU, "生ごみ", d("11-01"), d("11-30"), CalendarPolicy())

    assert dates == [d(f"11-{n}") for n in (2, 5, 9, 12, 16, 19, 23, 26, 30)]


def test_skips_public_holidays_when_the_policy_says_so():
    """With collect_on_public_holidays False, Monday 2026-11-23 drops out and nothing else moves."""
    policy = CalendarPolicy(collect_on_public_holidays=False)

    dates = collection_dates(MON_THU, "生ごみ", d("11-01"), d("11-30"), policy)

    assert dates == [d(f"11-{n}") for n in (2, 5, 9, 12, 16, 19, 26, 30)]


def test_month_exception_picks_another_nth_weekday():
    """「月3（11月は月2）」 collects the 2nd Monday in November and the 3rd Monday in December."""
    dates = collection_dates(parse_5374("月3（11月は月2）"), "金属類", d("11-01"), d("12-31"), CalendarPolicy())

    assert dates == [d("11-09"), d("12-21")]


def test_year_end_pack_cancels_and_moves():
    """Across the year end, 12-31 is cancelled and 2027-01-04 moves to Tuesday 01-05, which the rules never name."""
    dates = collection_dates(MON_THU, "生ごみ", d("12-21"), d("01-10", 2027), year_end_policy())

    assert dates == [d("12-21"), d("12-24"), d("12-28"), d("01-05", 2027), d("01-07", 2027)]


def test_category_change_leaves_other_categories_alone():
    """The 生ごみ move does not touch 雑誌, whose January exception gives the 2nd and 4th Tuesday."""
    schedule = parse_5374("火1 火3（1月は火2 火4）")

    dates = collection_dates(schedule, "雑誌", d("12-01"), d("01-31", 2027), year_end_policy())

    assert dates == [d("12-01"), d("12-15"), d("01-12", 2027), d("01-26", 2027)]


def test_move_for_every_category_applies_only_where_the_rules_collect():
    """A move of 2026-11-23 for every category reaches the Monday category, not the Wednesday one."""
    policy = CalendarPolicy(
        collect_on_public_holidays=False,
        changes=(CalendarChange(d("11-23"), None, d("11-28"), "振替"),),
    )

    monday_thursday = collection_dates(MON_THU, "生ごみ", d("11-01"), d("11-30"), policy)
    wednesday = collection_dates(parse_5374("水"), "かん", d("11-01"), d("11-30"), policy)

    assert monday_thursday == [d(f"11-{n}") for n in (2, 5, 9, 12, 16, 19, 26, 28, 30)]
    assert wednesday == [d(f"11-{n}") for n in (4, 11, 18, 25)]


def test_moved_date_outside_the_window_start_still_lands_inside():
    """A collection moved into the window from a day before it is still counted."""
    policy = CalendarPolicy(changes=(CalendarChange(d("11-30"), "生ごみ", d("12-02")),))

    assert collection_dates(MON_THU, "生ごみ", d("12-01"), d("12-07"), policy) == [d("12-02"), d("12-03"), d("12-07")]


def test_centre_shutdown_removes_its_days():
    """A shutdown from 12-29 to 01-03 inclusive removes Thursday 12-31 only."""
    policy = CalendarPolicy(shutdowns=((d("12-29"), d("01-03", 2027)),))

    dates = collection_dates(MON_THU, "生ごみ", d("12-21"), d("01-10", 2027), policy)

    assert dates == [d("12-21"), d("12-24"), d("12-28"), d("01-04", 2027), d("01-07", 2027)]


@pytest.mark.parametrize(
    ("collect_on_public_holidays", "expected"),
    [
        (True, [d("01-05", 2027), d("01-07", 2027), d("01-11", 2027)]),
        (False, [d("01-05", 2027), d("01-07", 2027), d("01-14", 2027)]),
    ],
)
def test_next_collections_after_the_year_end(collect_on_public_holidays, expected):
    """From 12-30 the next three skip the year end; 成人の日 (2027-01-11) counts only when holidays collect."""
    policy = year_end_policy(collect_on_public_holidays=collect_on_public_holidays)

    assert next_collection(MON_THU, "生ごみ", d("12-30"), policy, count=3) == expected


def test_next_collection_includes_today():
    """On a collection day, the next collection is today."""
    assert next_collection(MON_THU, "生ごみ", d("11-26"), CalendarPolicy()) == [d("11-26")]


def test_next_collection_stops_at_the_horizon():
    """Nothing past the horizon is returned."""
    schedule = parse_5374("20261201 20270301")

    assert next_collection(schedule, "粗大ごみ", d("11-01"), CalendarPolicy(), count=5, horizon_days=60) == [d("12-01")]


def test_missing_fifth_weekday_gives_no_date_that_month():
    """「金4（4月7月9月3月は金5）」 has no date in April 2026, which has four Fridays, and the 4th Friday in May."""
    schedule = parse_5374("金4（4月7月9月3月は金5）")

    assert collection_dates(schedule, "粗大ごみ", d("04-01"), d("05-31"), CalendarPolicy()) == [d("05-22")]


def test_exception_may_change_the_weekday():
    """「木4（9月3月は水5）」 collects on the 5th Wednesday in September 2026 instead of the 4th Thursday."""
    schedule = parse_5374("木4（9月3月は水5）")

    assert collection_dates(schedule, "粗大ごみ", d("09-01"), d("10-31"), CalendarPolicy()) == [d("09-30"), d("10-22")]


def test_month_limited_weekly_code_collects_every_week_of_those_months():
    """「水:6 9」 collects every Wednesday of June and September only."""
    schedule = parse_5374("水:6 9")

    dates = collection_dates(schedule, "剪定枝", d("08-20"), d("10-10"), CalendarPolicy())

    assert dates == [d(f"09-{n:02}") for n in (2, 9, 16, 23, 30)]


def test_verbatim_schedule_names_no_day():
    """A cell kept verbatim gives no dates; the caller shows its text instead."""
    schedule = Schedule(verbatim="祝日を除く月曜日")

    assert collection_dates(schedule, "生ごみ", d("11-01"), d("11-30"), CalendarPolicy()) == []


def test_window_ending_before_it_starts_is_empty():
    """An end before the start gives no dates."""
    assert collection_dates(MON_THU, "生ごみ", d("11-30"), d("11-01"), CalendarPolicy()) == []


DOMAIN_MODULES = [Path(__file__).resolve().parents[2] / "garbage" / name for name in ("schedule.py", "calendar.py")]


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda p: p.name)
def test_domain_modules_import_no_web_framework(path):
    """The schedule and calendar modules import neither flask, werkzeug nor linebot."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    roots |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    assert roots.isdisjoint({"flask", "werkzeug", "linebot"})


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda p: p.name)
def test_domain_modules_never_read_the_clock(path):
    """Time is passed in: the modules never call today() or now()."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }

    assert calls.isdisjoint({"today", "now", "utcnow"})

"""Calendar cells become rules, or stay verbatim; a pack's holidays.csv becomes calendar changes."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from garbage.schedule import EVERY_NTH
from garbage.schedule import CalendarChange
from garbage.schedule import MonthlyNth
from garbage.schedule import OnDates
from garbage.schedule import Schedule
from garbage.schedule import Weekly
from garbage.schedule import parse_5374
from garbage.schedule import parse_exceptions_csv
from garbage.schedule import parse_takamatsu
from importing.messages import Problem

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
RUMOI_AREA_DAYS = SHARED_DATA / "rumoi-5374" / "area_days.csv"
TAKAMATSU_DATES = SHARED_DATA / "takamatsu" / "garbage_collection_date.csv"
ALL_BUT = frozenset(range(1, 13)).difference


def distinct_cells(path: Path, first_day_column: int) -> list:
    """The distinct day cells of a real calendar file, or one skipped parameter when the file is absent."""
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{path} is not here (shared data, not in the repo)"))]
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return sorted({cell for row in rows[1:] for cell in row[first_day_column:]})


@pytest.mark.parametrize("cell", distinct_cells(RUMOI_AREA_DAYS, first_day_column=2))
def test_every_rumoi_cell_is_read_completely(cell):
    """Each distinct 留萌 area_days.csv cell becomes rules or remark ids, with nothing left verbatim."""
    schedule = parse_5374(cell)

    assert schedule.complete
    assert schedule.rules or schedule.remarks
    assert schedule.source == cell


@pytest.mark.parametrize("cell", distinct_cells(TAKAMATSU_DATES, first_day_column=2))
def test_every_takamatsu_cell_is_read_completely(cell):
    """Each distinct 高松 garbage_collection_date.csv cell becomes rules with nothing left verbatim."""
    schedule = parse_takamatsu(cell)

    assert schedule.complete
    assert schedule.rules
    assert schedule.source == cell


@pytest.mark.parametrize(
    ("code", "weekday"),
    [("月", 0), ("火", 1), ("水", 2), ("木", 3), ("金", 4), ("土", 5), ("日", 6)],
)
def test_weekday_codes_map_to_date_weekday(code, weekday):
    """5374 weekday codes are numbered as date.weekday(): 月 is 0, 日 is 6."""
    assert parse_5374(code).rules == (Weekly(frozenset({weekday})),)
    assert parse_5374(f"{code}2").rules == (MonthlyNth(weekday, frozenset({2})),)


@pytest.mark.parametrize(
    ("cell", "rules"),
    [
        ("月 木", (Weekly(frozenset({0, 3})),)),
        ("火　金", (Weekly(frozenset({1, 4})),)),
        ("月1 月3 ", (MonthlyNth(0, frozenset({1, 3})),)),
        ("水２ 水４", (MonthlyNth(2, frozenset({2, 4})),)),
        ("月 水2", (Weekly(frozenset({0})), MonthlyNth(2, frozenset({2})))),
        ("水1:6 9", (MonthlyNth(2, frozenset({1}), frozenset({6, 9})),)),
        ("水1 水3:6 9", (MonthlyNth(2, frozenset({1, 3}), frozenset({6, 9})),)),
        ("月:6 9", (MonthlyNth(0, EVERY_NTH, frozenset({6, 9})),)),
        ("20260105 20260119", (OnDates(frozenset({date(2026, 1, 5), date(2026, 1, 19)})),)),
    ],
)
def test_plain_5374_codes(cell, rules):
    """Weekly codes, n-th weekdays, month limits and date lists become the matching rules."""
    assert parse_5374(cell) == Schedule(rules=rules)


@pytest.mark.parametrize(
    ("cell", "rules"),
    [
        (
            "月3（11月は月2）",
            (MonthlyNth(0, frozenset({3}), ALL_BUT({11})), MonthlyNth(0, frozenset({2}), frozenset({11}))),
        ),
        (
            "水3（12月は水2 3月は水4）",
            (
                MonthlyNth(2, frozenset({3}), ALL_BUT({12, 3})),
                MonthlyNth(2, frozenset({2}), frozenset({12})),
                MonthlyNth(2, frozenset({4}), frozenset({3})),
            ),
        ),
        (
            "金4（4月7月9月3月は金5）",
            (
                MonthlyNth(4, frozenset({4}), ALL_BUT({4, 7, 9, 3})),
                MonthlyNth(4, frozenset({5}), frozenset({4, 7, 9, 3})),
            ),
        ),
        (
            "火1 火3（1月は火2 火4）",
            (MonthlyNth(1, frozenset({1, 3}), ALL_BUT({1})), MonthlyNth(1, frozenset({2, 4}), frozenset({1}))),
        ),
        (
            "木4（9月3月は水5）",
            (MonthlyNth(3, frozenset({4}), ALL_BUT({9, 3})), MonthlyNth(2, frozenset({5}), frozenset({9, 3}))),
        ),
        (
            "金2（6月9月のみ 9月は金3）",
            (MonthlyNth(4, frozenset({2}), frozenset({6})), MonthlyNth(4, frozenset({3}), frozenset({9}))),
        ),
        ("木1（7月10月のみ）", (MonthlyNth(3, frozenset({1}), frozenset({7, 10})),)),
        (
            "水1:6 9（9月は水2）",
            (MonthlyNth(2, frozenset({1}), frozenset({6})), MonthlyNth(2, frozenset({2}), frozenset({9}))),
        ),
    ],
)
def test_parenthesised_month_exceptions(cell, rules):
    """「N月は…」 replaces every code of the cell in those months and 「N月…のみ」 limits the cell to them."""
    assert parse_5374(cell) == Schedule(rules=rules)


@pytest.mark.parametrize(
    ("cell", "remarks"),
    [("*1", ("1",)), ("*1 *2", ("1", "2"))],
)
def test_remark_tokens_become_remark_ids(cell, remarks):
    """``*N`` tokens point at remarks.csv and carry no rule."""
    assert parse_5374(cell) == Schedule(remarks=remarks)


def test_remarks_sit_beside_rules():
    """A cell with codes and a remark keeps both."""
    assert parse_5374("月 *2") == Schedule(rules=(Weekly(frozenset({0})),), remarks=("2",))


@pytest.mark.parametrize("cell", ["", " ", "　"])
def test_empty_cell_has_no_rules(cell):
    """An empty cell means no collection: no rules, nothing verbatim."""
    assert parse_5374(cell) == Schedule()


@pytest.mark.parametrize(
    "cell",
    [
        "月 祝日除く",
        "月3（11月は第2月曜）",
        "月3（13月は月2）",
        "月3（11月は月2 11月は月4）",
        "金2（6月9月のみ 3月は金3）",
        "金2（6月9月のみ 7月10月のみ）",
        "水1:6 9（7月のみ）",
        "月3（11月は月2",
        "月3（）",
        "月3（11月は月2）臨時",
        "水1:6 13",
        "水1:6:9",
        "月6",
        "20260230",
        "月 20260105",
        "*1:6 9",
    ],
)
def test_unreadable_cell_is_kept_verbatim_without_rules(cell):
    """Text no rule expresses exactly keeps the whole cell verbatim and drops every rule rather than guess."""
    schedule = parse_5374(cell)

    assert schedule.rules == ()
    assert schedule.verbatim == cell.strip()
    assert not schedule.complete


def test_verbatim_cell_keeps_its_remark_ids():
    """Remark ids in an unreadable cell are still offered, so the remark can be shown beside the text."""
    assert parse_5374("月 *1 祝日除く").remarks == ("1",)


def test_source_is_the_cell_as_written():
    """``source`` keeps the cell untouched, trailing and full-width spaces included."""
    assert parse_5374("月1 月3　").source == "月1 月3　"


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("毎週火・金曜日", (Weekly(frozenset({1, 4})),)),
        ("毎週水曜日", (Weekly(frozenset({2})),)),
        ("毎週月曜・木曜", (Weekly(frozenset({0, 3})),)),
        ("毎週月", (Weekly(frozenset({0})),)),
        ("第２・４月曜日", (MonthlyNth(0, frozenset({2, 4})),)),
        ("第1・3木曜", (MonthlyNth(3, frozenset({1, 3})),)),
        ("第２金", (MonthlyNth(4, frozenset({2})),)),
        ("第１・第３金曜日", (MonthlyNth(4, frozenset({1, 3})),)),
        ("毎週月曜日、第２土曜日", (Weekly(frozenset({0})), MonthlyNth(5, frozenset({2})))),
        ("第２月曜日・第４水曜日", (MonthlyNth(0, frozenset({2})), MonthlyNth(2, frozenset({4})))),
    ],
)
def test_takamatsu_prose(text, rules):
    """高松's 毎週/第N phrases, in full- or half-width digits and 曜日/曜/bare forms, become rules."""
    assert parse_takamatsu(text) == Schedule(rules=rules)


@pytest.mark.parametrize(
    "text",
    ["毎週月曜日（祝日を除く）", "月2回", "第６月曜日", "第10月曜日", "随時", "毎週祝日", "毎週 月曜日"],
)
def test_takamatsu_other_prose_is_kept_verbatim(text):
    """Prose outside the 毎週/第N phrases is kept verbatim with no rules."""
    assert parse_takamatsu(text) == Schedule(verbatim=text)


def test_takamatsu_empty_text_has_no_rules():
    """An empty 高松 cell means no collection."""
    assert parse_takamatsu("") == Schedule()


GOOD_EXCEPTIONS = (
    "\ufeffdate,category,moved_to,note\r\n"
    "2026-12-31..2027-01-03,,,年末年始\r\n"
    "2027-01-04,生ごみ,2027-01-05,振替\r\n"
    "\r\n"
    '2026-11-23,かん,,"祝日\r\n休み"\r\n'
)


def test_exceptions_csv_becomes_changes():
    """Ranges become one change per day; empty category is every category; moved_to moves the collection."""
    changes, errors = parse_exceptions_csv(GOOD_EXCEPTIONS)

    assert errors == []
    assert changes == [
        CalendarChange(date(2026, 12, 31), None, None, "年末年始"),
        CalendarChange(date(2027, 1, 1), None, None, "年末年始"),
        CalendarChange(date(2027, 1, 2), None, None, "年末年始"),
        CalendarChange(date(2027, 1, 3), None, None, "年末年始"),
        CalendarChange(date(2027, 1, 4), "生ごみ", date(2027, 1, 5), "振替"),
        CalendarChange(date(2026, 11, 23), "かん", None, "祝日\r\n休み"),
    ]


BAD_EXCEPTIONS = """\
date,category,moved_to,note,area
2026-02-30,,,
2026-12-31..2026-12-29,,,
2026-12-31..2027-01-03,,,年末年始
2027-01-01,,2027-01-02,
2026/12/30,,,
2026-11-23,生ごみ,2026-11-31,
2026-11-24,,,,大町,extra
2026-12-01..2026-12-03,,2026-12-05,
2026-01-01..2027-06-01,,,
2026-12-10..,,,
,生ごみ,,
2026-12-24,,2026-12-24,
"""


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (1, Problem("holidays.unknown_columns", columns=["area"], allowed="date,category,moved_to,note")),
        (2, Problem("holidays.no_such_day", column="date", value="2026-02-30")),
        (3, Problem("holidays.range_reversed", value="2026-12-31..2026-12-29")),
        (5, Problem("holidays.conflict", day="2027-01-01", first="4行目")),
        (6, Problem("holidays.date_format", value="2026/12/30")),
        (7, Problem("holidays.no_such_day", column="moved_to", value="2026-11-31")),
        (8, Problem("row.width", found=6, expected=5)),
        (9, Problem("holidays.range_with_moved_to")),
        (10, Problem("holidays.range_too_long", value="2026-01-01..2027-06-01", limit=366)),
        (11, Problem("holidays.date_format", value="2026-12-10..")),
        (12, Problem("field.empty", column="date")),
        (13, Problem("holidays.moved_to_same_day")),
    ],
)
def test_bad_exceptions_rows_are_reported_by_row(row, reason):
    """Each bad row is reported with its number (the header is row 1) and a reason, never raised."""
    _, errors = parse_exceptions_csv(BAD_EXCEPTIONS)

    assert (row, reason) in errors


def test_bad_exceptions_rows_leave_the_good_ones():
    """Only the good rows of a file with bad ones become changes."""
    changes, errors = parse_exceptions_csv(BAD_EXCEPTIONS)

    assert len(errors) == 12
    assert [str(problem) for row, problem in errors if row == 5] == ["2027-01-01 は4行目と食い違っています。"]
    assert {change.day for change in changes} == {
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    }


@pytest.mark.parametrize(
    "header",
    ["date,category,moveto,note", "day,category,moved_to,note", "date,category,moved_to,moved_to,note", ""],
)
def test_exceptions_with_a_missing_or_repeated_column_are_rejected(header):
    """A missing date, category or moved_to column, or a repeated column, rejects the whole file at row 1."""
    changes, errors = parse_exceptions_csv(f"{header}\n2026-12-31,,,\n")

    assert changes == []
    assert errors and all(row == 1 for row, _ in errors)


def test_unreadable_csv_record_is_reported_and_ends_the_file():
    """A record the csv module cannot read is reported by its row; the rows before it still count."""
    huge = "x" * 200_000
    text = f'date,category,moved_to,note\n2026-12-31,,,\n2027-01-01,,,"{huge}"\n2027-01-02,,,\n'

    changes, errors = parse_exceptions_csv(text)

    assert [change.day for change in changes] == [date(2026, 12, 31)]
    assert [row for row, _ in errors] == [3]

"""Reading 5374 folders and 高松's sheets: real data, damaged variants, and every row reported by file and row."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from garbage.importers import area_aliases
from garbage.importers import parse_day
from garbage.importers import read_5374
from garbage.importers import read_exceptions
from garbage.importers import read_takamatsu
from garbage.schedule import MonthlyNth
from garbage.schedule import Weekly
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.messages import Problem

ROOT = Path(__file__).resolve().parents[2]
RUMOI = Path(__file__).resolve().parents[3] / "shared" / "data" / "rumoi-5374"
DEMO_GARBAGE = ROOT / "packs" / "demo" / "garbage"
TAKAMATSU_ITEMS = DEMO_GARBAGE / "garbage_separation_list.csv"
TAKAMATSU_CALENDAR = DEMO_GARBAGE / "garbage_collection_date.csv"

RUMOI_ABSENT = f"留萌 5374 data not found at {RUMOI} (shared data next to the repo; it has no licence to ship)"

SMALL = {
    "target.csv": "type,name,notice,furigana\n燃やすごみ,生ごみ,水を切る,な\n燃やすごみ,紙くず,,か\n資源,かん,洗う,か\n",
    "area_days.csv": "地名,センター,燃やすごみ,資源\n北町,第一,月 木,水2 水4\n南町,第一,火 金,*1\n",
    "description.csv": "label,sublabel,description,styles,bgcolor\n燃やすごみ,,,,#ff0000\n資源,,,,#00ff00\n",
    "remarks.csv": "ID,注意事項\n1,市役所へお問い合わせください\n",
    "center.csv": "名称,休止開始日,休止終了日\n",
}


def write_5374(folder: Path, **files: str | bytes) -> Path:
    """A small 5374 folder in ``folder``; keyword arguments replace files (dots as underscores)."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = dict(SMALL)
    contents.update({name.replace("_csv", ".csv"): text for name, text in files.items()})
    for name, text in contents.items():
        if text is None:
            continue
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def failed(call) -> list[RowError]:
    """The errors an import raised."""
    with pytest.raises(ImportFailed) as caught:
        call()
    return caught.value.errors


def failure(call) -> list[str]:
    """The problems an import raised, as the person fixing the files reads them."""
    return [str(error) for error in failed(call)]


def located(call) -> list[tuple[str, Problem]]:
    """The problems an import raised with where they are (file and row): what a test checks."""
    return [(error.where, error.problem) for error in failed(call)]


@pytest.fixture(scope="module")
def rumoi():
    if not (RUMOI / "target.csv").is_file():
        pytest.skip(RUMOI_ABSENT)
    return read_5374(RUMOI)


@pytest.fixture(scope="module")
def takamatsu():
    return read_takamatsu(TAKAMATSU_ITEMS, TAKAMATSU_CALENDAR)


# --- 留萌 (real 5374 data) -------------------------------------------------------------------------


def test_rumoi_reads_every_area_and_category(rumoi):
    """The 留萌 folder gives its 45 areas and 24 categories, 綿製品 included."""
    assert len(rumoi.areas) == 45
    assert len(rumoi.categories) == 24
    assert "綿製品" in {category.name for category in rumoi.categories}


def test_rumoi_exact_duplicates_are_collapsed_and_reported(rumoi):
    """The 23 rows repeating a (category, name, notice) are dropped, each reported with both row numbers."""
    skipped = [line for line in rumoi.report if "duplicate of row" in line]
    assert len(skipped) == 23
    assert len(rumoi.items) == 1283 - 23
    assert [i.category for i in rumoi.items if i.name == "ＩＣレコーダー"] == ["小型家電"]
    assert "target.csv row 1274: duplicate of row 47 (ＩＣレコーダー / 小型家電), skipped" in rumoi.report


def test_rumoi_item_in_two_categories_keeps_both(rumoi):
    """植木の枝 is listed under both 剪定枝 and 草."""
    assert sorted(i.category for i in rumoi.items if i.name == "植木の枝") == ["剪定枝", "草"]


def test_rumoi_sonota_is_not_collected(rumoi):
    """その他 (収集できません in most notices) is the only category the city does not collect."""
    assert [c.name for c in rumoi.categories if not c.collected] == ["その他"]


def test_rumoi_line_breaks_inside_a_notice_are_kept(rumoi):
    """A quoted notice spanning lines stays one item with its line break."""
    notice = next(i.notice for i in rumoi.items if i.name == "エアコン")
    assert notice.startswith("家電リサイクル対象のため収集できません。\n")


def test_rumoi_remark_with_extra_fields_is_joined(rumoi):
    """remarks.csv row 2 has more fields than its header; they are joined into one text and reported."""
    remark = next(r for r in rumoi.remarks if r.key == "1")
    assert remark.text.startswith("対象製品：家庭で使用していた小型家電") and remark.text.endswith("４３－２５８８）")
    assert remark.text.count(",") == 2
    assert any(line.startswith("remarks.csv row 2: 4 fields") for line in rumoi.report)


def test_rumoi_cells_become_rules(rumoi):
    """大町's cells become weekday, n-th weekday and remark rules."""
    rules = {r.category: r.schedule for r in rumoi.rules if r.area == "大町"}
    assert rules["生ごみ"].rules == (Weekly(frozenset({0, 3})),)
    assert rules["新聞"].rules == (MonthlyNth(0, frozenset({1, 3})),)
    assert rules["小型家電"].remarks == ("1",) and not rules["小型家電"].rules


def test_rumoi_category_missing_from_description_is_reported(rumoi):
    """綿製品, used in target.csv only, is reported as having no colour and no collection days."""
    assert "target.csv: category 綿製品 is not in description.csv; added without a colour" in rumoi.report
    assert "area_days.csv: category 綿製品 has no column; no collection days for it" in rumoi.report


def test_bom_crlf_and_a_header_typo_read_the_same(tmp_path, rumoi):
    """target.csv saved with a BOM, CRLF line ends and the header typo 「notie」 gives the same items."""
    folder = tmp_path / "rumoi"
    shutil.copytree(RUMOI, folder)
    text = (RUMOI / "target.csv").read_text(encoding="utf-8").replace("type,name,notice,", "type,name,notie,", 1)
    (folder / "target.csv").write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))

    data = read_5374(folder)

    assert [(i.name, i.category, i.notice.replace("\r\n", "\n")) for i in data.items] == [
        (i.name, i.category, i.notice) for i in rumoi.items
    ]
    assert "target.csv row 1: column 'notie' read as 'notice'" in data.report


# --- 5374 variants made here -----------------------------------------------------------------------


def test_missing_furigana_column_is_tolerated(tmp_path):
    """A target.csv without the furigana column reads, with empty index rows."""
    folder = write_5374(tmp_path, target_csv="type,name,notice\n燃やすごみ,生ごみ,水を切る\n資源,かん,\n")
    data = read_5374(folder)
    assert [(i.name, i.kana) for i in data.items] == [("生ごみ", ""), ("かん", "")]


def test_cp932_files_are_read(tmp_path):
    """A folder saved by Excel as Shift_JIS (cp932) with CRLF reads like UTF-8."""
    folder = write_5374(tmp_path, **{name.replace(".", "_"): text.replace("\n", "\r\n").encode("cp932")
                                     for name, text in SMALL.items()})
    data = read_5374(folder)
    assert [i.name for i in data.items] == ["生ごみ", "紙くず", "かん"]


def test_center_dates_in_three_spellings(tmp_path):
    """center.csv dates may be written 2026/12/31, 2026-12-31 or 20261231."""
    folder = write_5374(tmp_path, center_csv="名称,休止開始日,休止終了日\n第一,2026/12/31,20270103\n第二,2027-12-30,2028/1/3\n")
    data = read_5374(folder)
    assert [(s.center, s.start, s.end) for s in data.shutdowns] == [
        ("第一", date(2026, 12, 31), date(2027, 1, 3)),
        ("第二", date(2027, 12, 30), date(2028, 1, 3)),
    ]


def test_cell_kept_verbatim_is_reported_with_area_and_category(tmp_path):
    """A cell no rule expresses is kept verbatim and the report names its area, category and text."""
    folder = write_5374(tmp_path, area_days_csv="地名,センター,燃やすごみ,資源\n北町,第一,月 木,電話で申込み\n")
    data = read_5374(folder)
    [rule] = data.verbatim_rules()
    assert (rule.area, rule.category, rule.schedule.verbatim) == ("北町", "資源", "電話で申込み")
    assert "area_days.csv: kept verbatim for 資源: 「電話で申込み」 in 1 area: 北町" in data.report


def test_missing_category_and_unknown_column_are_errors_by_file_and_row(tmp_path):
    """An item without a category and an area_days column no file defines are both reported, by file and row."""
    folder = write_5374(
        tmp_path,
        target_csv="type,name,notice,furigana\n燃やすごみ,生ごみ,,な\n,謎の品,,な\n資源,かん,,か\n",
        area_days_csv="地名,センター,燃やすごみ,資源,粗大\n北町,第一,月,水,*1\n",
    )
    assert located(lambda: read_5374(folder)) == [
        ("target.csv の3行目", Problem("garbage.no_category", name="謎の品", column="type")),
        ("area_days.csv の1行目", Problem("garbage.unknown_column", column=5, category="粗大",
                                         description="description.csv", target="target.csv")),
    ]
    assert failure(lambda: read_5374(folder)) == [
        "target.csv の3行目：品目「謎の品」の分別区分（type）が空です。",
        "area_days.csv の1行目：5列目の「粗大」は description.csv にも target.csv にもない分別区分です。",
    ]


def test_broken_shift_jis_and_a_bad_row_are_all_reported(tmp_path):
    """A Shift_JIS file with invalid bytes and a bad row in another file fail together, each named by file."""
    broken = "type,name,notice,furigana\r\n燃やすごみ,生ごみ,,な\r\n資源,かん,,か\r\n".encode("cp932")
    folder = write_5374(
        tmp_path,
        target_csv=broken.replace("かん".encode("cp932"), b"\x82\xff"),
        area_days_csv="地名,センター,燃やすごみ,資源\n北町,第一,月,水\n,第一,火,木\n",
    )
    assert located(lambda: read_5374(folder)) == [
        ("target.csv（ファイル全体）", Problem("text.unknown_encoding", line=3, byte="82")),
        ("area_days.csv の3行目", Problem("garbage.area_no_name", column="地名")),
    ]
    problems = failure(lambda: read_5374(folder))
    assert problems[0].startswith("target.csv（ファイル全体）：3行目のバイト 0x82 が読めません。")
    assert problems[1] == "area_days.csv の3行目：地区の名前（地名）がありません。"


def test_missing_required_file_is_an_error(tmp_path):
    """A folder without area_days.csv is refused, naming the file."""
    folder = write_5374(tmp_path, area_days_csv=None)
    assert located(lambda: read_5374(folder)) == [("area_days.csv（ファイル全体）", Problem("garbage.missing_file"))]
    assert failure(lambda: read_5374(folder)) == ["area_days.csv（ファイル全体）：フォルダにこのファイルがありません。"]


def test_not_collected_can_be_chosen(tmp_path):
    """``not_collected`` names the categories the city does not collect, overriding the guess."""
    data = read_5374(write_5374(tmp_path), not_collected=["資源"])
    assert {c.name: c.collected for c in data.categories} == {"燃やすごみ": True, "資源": False}


# --- 5374 as its city forks write it (synthetic files, one variant each) ------------------------------


def center(text: str) -> str:
    """A center.csv with its header and the given rows."""
    return "名称,休止開始日,休止終了日\n" + text


def test_center_with_an_empty_period_has_no_shutdown(tmp_path):
    """「…クリーンセンター,,」: a centre with both dates empty imports, with no shutdown."""
    folder = write_5374(tmp_path, center_csv=center("第一,,\n"))
    data = read_5374(folder)
    assert data.shutdowns == []
    assert not any("第一" in line for line in data.report)


def test_center_row_with_only_a_name_has_no_shutdown(tmp_path):
    """A centre row without any comma (only 名称) is a centre without a shutdown."""
    folder = write_5374(tmp_path, center_csv=center("第一\n"))
    assert read_5374(folder).shutdowns == []


@pytest.mark.parametrize(
    ("row", "problem", "message"),
    [
        ("第一,2026/12/29,", Problem("garbage.shutdown_no_end", center="第一", start="2026/12/29"),
         "center.csv の2行目：第一の休止開始日（2026/12/29）はありますが、休止終了日がありません。"),
        ("第一,,2027/1/3", Problem("garbage.shutdown_no_start", center="第一", end="2027/1/3"),
         "center.csv の2行目：第一の休止終了日（2027/1/3）はありますが、休止開始日がありません。"),
    ],
)
def test_half_empty_shutdown_is_an_error_by_row(tmp_path, row, problem, message):
    """A shutdown with one date but not the other is an error on its row, not a guess."""
    folder = write_5374(tmp_path, center_csv=center(row + "\n"))
    assert located(lambda: read_5374(folder)) == [("center.csv の2行目", problem)]
    [text] = failure(lambda: read_5374(folder))
    assert text.startswith(message)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("第一,2026/2/30,2026/3/2", Problem("garbage.no_such_date", value="2026/2/30")),
        ("第一,2026/12/29,1月3日", Problem("garbage.date_format", value="1月3日")),
        ("第一,2027/1/3,2026/12/29", Problem("garbage.shutdown_reversed", start=date(2027, 1, 3),
                                            end=date(2026, 12, 29))),
    ],
)
def test_bad_shutdown_dates_are_errors_by_row(tmp_path, row, problem):
    """A date that does not exist, one not written as a date and a period ending before it starts are refused."""
    folder = write_5374(tmp_path, center_csv=center(row + "\n"))
    assert located(lambda: read_5374(folder)) == [("center.csv の2行目", problem)]


def test_a_date_that_does_not_exist_is_named_in_japanese(tmp_path):
    """The text quotes the date as written."""
    folder = write_5374(tmp_path, center_csv=center("第一,2026/2/30,2026/3/2\n"))
    assert failure(lambda: read_5374(folder)) == ["center.csv の2行目：日付「2026/2/30」は存在しない日付です。"]


def test_center_without_a_header_is_an_error(tmp_path):
    """A center.csv whose first line is a shutdown is refused at row 1 instead of losing that shutdown."""
    folder = write_5374(tmp_path, center_csv="第一,2026/12/29,2027/1/3\n")
    assert located(lambda: read_5374(folder)) == [("center.csv の1行目", Problem("garbage.center_header"))]
    [problem] = failure(lambda: read_5374(folder))
    assert problem.startswith("center.csv の1行目：この行は休止期間で、見出しではありません。")


def test_several_periods_of_one_centre_are_all_kept(tmp_path):
    """A centre listed once per year keeps every period (京丹後's center.csv)."""
    folder = write_5374(tmp_path, center_csv=center("第一,2026/12/29,2027/1/3\n第一,2027/12/29,2028/1/3\n"))
    assert [(s.center, s.start.year) for s in read_5374(folder).shutdowns] == [("第一", 2026), ("第一", 2027)]


def test_area_centre_without_a_row_in_center_csv_is_reported(tmp_path):
    """Areas naming a centre center.csv does not list import without shutdowns, and the report says so."""
    folder = write_5374(tmp_path, center_csv=center("第二,2026/12/29,2027/1/3\n"))
    data = read_5374(folder)
    assert "area_days.csv: centre 第一 (2 areas) has no row in center.csv: no shutdowns for those areas" in data.report
    assert "center.csv row 2: no area in area_days.csv names centre 第二; its shutdowns apply to no area" \
        in data.report


def test_areas_without_a_centre_are_told_every_shutdown_applies(tmp_path):
    """Areas with an empty センター cell get every shutdown of center.csv, and the report names them."""
    folder = write_5374(tmp_path, area_days_csv="地名,センター,燃やすごみ,資源\n北町,,月 木,水2\n",
                        center_csv=center("第一,2026/12/29,2027/1/3\n"))
    data = read_5374(folder)
    assert "area_days.csv: 1 area name no centre: every shutdown in center.csv applies to them (北町)" in data.report


def test_date_only_column_named_by_no_file_is_reported_and_left_out(tmp_path):
    """A 「ごみ収集がない日・特殊な収集がある日」 column of YYYYMMDD lists is no category: left out and reported."""
    folder = write_5374(
        tmp_path,
        area_days_csv="地名,センター,燃やすごみ,資源,ごみ収集がない日・特殊な収集がある日\n"
                      "北町,第一,月 木,水2,20261231 20270101\n南町,第一,火 金,水4,２０２６１２３１\n",
    )
    data = read_5374(folder)
    assert [c.name for c in data.categories] == ["燃やすごみ", "資源"]
    assert {rule.category for rule in data.rules} == {"燃やすごみ", "資源"}
    [line] = [line for line in data.report if "ごみ収集がない日" in line]
    assert line.startswith("area_days.csv column 5 「ごみ収集がない日・特殊な収集がある日」: not a category")
    assert "(2 areas, 20261231–20270101); not imported" in line and "holidays.csv" in line


def test_date_only_category_without_items_is_a_category_and_reported(tmp_path):
    """A description.csv category with no items and only dates (粗大ごみ by appointment dates) is kept, reported."""
    folder = write_5374(
        tmp_path,
        area_days_csv="地名,センター,燃やすごみ,資源,粗大ごみ\n北町,第一,月 木,水2,20261210 20270114\n",
        description_csv="label,sublabel,description,styles,bgcolor\n燃やすごみ,,,,#f00\n資源,,,,#0f0\n粗大ごみ,,,,#00f\n",
    )
    data = read_5374(folder)
    assert any(rule.category == "粗大ごみ" for rule in data.rules)
    assert ("area_days.csv: category 粗大ごみ has no items in target.csv and only dates in its cells; residents are "
            "told it is collected on those dates") in data.report


def test_blank_cell_means_not_collected_there_and_is_reported(tmp_path):
    """An empty cell is no collection of that category in that area (久留米's AbleEmptyDate), reported."""
    folder = write_5374(tmp_path, area_days_csv="地名,センター,燃やすごみ,資源\n北町,第一,月 木,\n南町,第一,火 金,水2\n")
    data = read_5374(folder)
    assert {(r.area, r.category) for r in data.rules} == {("北町", "燃やすごみ"), ("南町", "燃やすごみ"), ("南町", "資源")}
    assert "area_days.csv: 資源: blank cell, so not collected, in 1 area: 北町" in data.report


def test_remark_only_cell_is_reported(tmp_path):
    """A cell with only a remark id (*1) imports with that remark and no days, and the report says so."""
    data = read_5374(write_5374(tmp_path))
    [rule] = [r for r in data.rules if r.area == "南町" and r.category == "資源"]
    assert (rule.schedule.rules, rule.schedule.remarks) == ((), ("1",))
    assert "area_days.csv: 資源: no days, only remark *1, in 1 area" in data.report


@pytest.mark.parametrize("name", ["", "メモ"])
def test_empty_extra_column_is_ignored_and_reported(tmp_path, name):
    """A column with no values, unnamed or named by no file, is ignored and reported."""
    folder = write_5374(tmp_path, area_days_csv=f"地名,センター,燃やすごみ,{name},資源\n北町,第一,月,,水2\n")
    data = read_5374(folder)
    assert {rule.category for rule in data.rules} == {"燃やすごみ", "資源"}
    assert any(line.startswith("area_days.csv row 1: column 4 ") and line.endswith("ignored") for line in data.report)


def test_missing_centre_column_is_an_error(tmp_path):
    """A header whose second column is a category (no センター column) is refused, not read as the centre."""
    folder = write_5374(tmp_path, area_days_csv="地名,燃やすごみ,資源\n北町,月 木,水2\n")
    assert located(lambda: read_5374(folder)) == [
        ("area_days.csv の1行目", Problem("garbage.center_is_category", category="燃やすごみ"))]
    [problem] = failure(lambda: read_5374(folder))
    assert problem.startswith("area_days.csv の1行目：2列目が分別区分「燃やすごみ」になっています。")


def test_euc_jp_5374_folder_is_read(tmp_path):
    """A 5374 folder saved in EUC-JP reads like UTF-8."""
    folder = write_5374(tmp_path, **{name.replace(".", "_"): text.encode("euc_jp") for name, text in SMALL.items()})
    data = read_5374(folder)
    assert [i.name for i in data.items] == ["生ごみ", "紙くず", "かん"]
    assert [a.name for a in data.areas] == ["北町", "南町"]


def test_private_use_character_in_target_is_an_error_by_file_row_and_column(tmp_path):
    """A 外字 (U+E000) in an item name is refused by file, row and column."""
    folder = write_5374(tmp_path, target_csv="type,name,notice,furigana\n燃やすごみ,生ごみ\ue000,,な\n資源,かん,,か\n")
    assert located(lambda: read_5374(folder)) == [
        ("target.csv の2行目", Problem("text.private_use", place="B列（name）", position=4, codepoint="E000"))]
    [problem] = failure(lambda: read_5374(folder))
    assert problem.startswith("target.csv の2行目：B列（name）の4文字目に外字（U+E000）があります。")


def test_line_break_in_a_notice_is_kept_but_not_in_an_area_cell(tmp_path):
    """A notice may span lines; a calendar cell may not."""
    folder = write_5374(
        tmp_path,
        target_csv='type,name,notice,furigana\n燃やすごみ,生ごみ,"水を切る\n袋に入れる",な\n資源,かん,,か\n',
        area_days_csv='地名,センター,燃やすごみ,資源\n北町,第一,"月\n木",水2\n',
    )
    assert located(lambda: read_5374(folder)) == [
        ("area_days.csv の2行目", Problem("text.line_break", place="C列（燃やすごみ）", position=2))]
    [problem] = failure(lambda: read_5374(folder))
    assert problem == "area_days.csv の2行目：C列（燃やすごみ）の2文字目に改行があります。この列では改行できません。"


# --- 高松 (shipped in the demo pack) ------------------------------------------------------------------


def test_takamatsu_counts(takamatsu):
    """高松 gives 8 areas, 5 calendars each, and 607 items (606 rows, one in two categories)."""
    assert (len(takamatsu.areas), len(takamatsu.rules), len(takamatsu.items)) == (8, 40, 607)
    assert takamatsu.verbatim_rules() == []


def test_takamatsu_empty_rows_are_skipped_and_reported(takamatsu):
    """The seven empty rows at the end (#property 635–641) are skipped, each with its reason."""
    skipped = [line for line in takamatsu.report if line.endswith("skipped")]
    assert len(skipped) == 7
    assert skipped[0] == "garbage_separation_list.csv row 608 (#property 635): no name and no category, skipped"


def test_takamatsu_two_categories_in_one_cell(takamatsu):
    """「破砕、臨時・粗大」 is two categories, with their full names."""
    assert [i.category for i in takamatsu.items if i.name == "ござ（プラスチック製）"] == ["破砕ごみ", "臨時・粗大ごみ"]


def test_takamatsu_spellings_of_one_category_merge(takamatsu):
    """紙布 is read as 紙・布, so no category 紙布 exists."""
    assert next(i.category for i in takamatsu.items if i.name == "手提げ袋（紙製）") == "紙・布"
    assert "紙布" not in {c.name for c in takamatsu.categories}


def test_takamatsu_not_collected_categories(takamatsu):
    """収集不可 and 家電リサイクル法対象品 are the categories the city does not collect."""
    assert [c.name for c in takamatsu.categories if not c.collected] == ["収集不可", "家電リサイクル法対象品"]


def test_takamatsu_calendar_columns_map_to_categories(takamatsu):
    """The calendar columns become the sorting list's category names, with prose read into rules."""
    rules = {r.category: r.schedule.rules for r in takamatsu.rules if r.area == "木太・林・多肥・国分寺南部"}
    assert rules == {
        "燃やせるごみ": (Weekly(frozenset({1, 4})),),
        "破砕ごみ": (MonthlyNth(0, frozenset({1, 3})),),
        "缶・びん・ペットボトル": (MonthlyNth(3, frozenset({2, 4})),),
        "紙・布": (MonthlyNth(3, frozenset({1, 3})),),
        "プラスチック容器包装": (Weekly(frozenset({2})),),
    }


def test_takamatsu_area_aliases(takamatsu):
    """Each district named inside an area's cell is an alias; 「香川（浅野）」 also gives 浅野."""
    aliases = {a.name: a.aliases for a in takamatsu.areas}
    assert aliases["木太・林・多肥・国分寺南部"] == ("木太", "林", "多肥", "国分寺南部")
    assert {"香川（浅野）", "浅野"} <= set(aliases["栗林・太田・香川（浅野）"])


def test_takamatsu_prose_kept_verbatim_is_reported(tmp_path):
    """A calendar text the parser cannot read is kept verbatim and reported with area and category."""
    calendar = tmp_path / "calendar.csv"
    calendar.write_text("#property,name,burnableGarbage\n1,北・南,毎週火・金曜日（祝日を除く）\n", encoding="utf-8")
    data = read_takamatsu(TAKAMATSU_ITEMS, calendar)
    [rule] = data.verbatim_rules()
    assert (rule.area, rule.category) == ("北・南", "燃やせるごみ")
    assert "calendar.csv: kept verbatim for 燃やせるごみ: 「毎週火・金曜日（祝日を除く）」 in 1 area: 北・南" in data.report


def test_takamatsu_row_without_category_is_an_error(tmp_path):
    """An item row with a name but no category is refused, by file and row."""
    items = tmp_path / "items.csv"
    items.write_text("#property,name,classification,note\n1,アイロン,破砕ごみ,\n2,謎の品,,メモ\n", encoding="utf-8")
    assert located(lambda: read_takamatsu(items, TAKAMATSU_CALENDAR)) == [
        ("items.csv の3行目", Problem("garbage.no_category", name="謎の品", column="classification"))]
    assert failure(lambda: read_takamatsu(items, TAKAMATSU_CALENDAR)) == [
        "items.csv の3行目：品目「謎の品」の分別区分（classification）が空です。"
    ]


def test_takamatsu_unknown_calendar_column_is_an_error(tmp_path):
    """A calendar column that is none of the five known ones is refused at row 1."""
    calendar = tmp_path / "calendar.csv"
    calendar.write_text("#property,name,oversized\n1,北,毎週火曜日\n", encoding="utf-8")
    assert located(lambda: read_takamatsu(TAKAMATSU_ITEMS, calendar)) == [
        ("calendar.csv の1行目", Problem("garbage.unknown_calendar_column", column="oversized",
                                        allowed="burnableGarbage,crushableGarbage,cansGlassPlastic,paperAndCloth,"
                                                "plasticContainers"))]
    [problem] = failure(lambda: read_takamatsu(TAKAMATSU_ITEMS, calendar))
    assert problem.startswith("calendar.csv の1行目：収集日の列「oversized」は使えません（使える列: burnableGarbage,")


def takamatsu_items(tmp_path: Path, *rows: str) -> Path:
    """A small sorting list with the given rows after the header."""
    path = tmp_path / "items.csv"
    path.write_text("#property,name,classification,note\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_takamatsu_unknown_category_is_an_error_by_row(tmp_path):
    """「宇宙ごみ」 is neither a calendar category nor one the city has: an error on its row, not a new category."""
    items = takamatsu_items(tmp_path, "1,アイロン,破砕ごみ,", "2,人工衛星,宇宙ごみ,", "3,隕石,宇宙ごみ,")
    calendar = ["燃やせるごみ", "破砕ごみ", "缶・びん・ペットボトル", "紙・布", "プラスチック容器包装"]
    assert located(lambda: read_takamatsu(items, TAKAMATSU_CALENDAR)) == [
        ("items.csv の3行目", Problem("garbage.undeclared_category", name="人工衛星", part="宇宙ごみ", calendar=calendar)),
        ("items.csv の4行目", Problem("garbage.undeclared_category", name="隕石", part="宇宙ごみ", calendar=calendar)),
    ]
    problems = failure(lambda: read_takamatsu(items, TAKAMATSU_CALENDAR))
    assert problems[0].startswith("items.csv の3行目：人工衛星の分別区分「宇宙ごみ」は、収集日の列の区分（燃やせるごみ、")
    assert "pack.toml の [garbage] other_categories" in problems[0]


def test_takamatsu_misspelt_calendar_category_is_an_error(tmp_path):
    """「燃えるごみ」 for the calendar's 燃やせるごみ is refused instead of becoming a category without days."""
    items = takamatsu_items(tmp_path, "1,紙くず,燃えるごみ,")
    [error] = failed(lambda: read_takamatsu(items, TAKAMATSU_CALENDAR))
    assert (error.where, error.code, error.params["part"]) == ("items.csv の2行目", "garbage.undeclared_category",
                                                               "燃えるごみ")


def test_takamatsu_sorting_only_categories_are_known_by_name(tmp_path):
    """Not-collected, 粗大 and 有害/危険 categories need no calendar column (高松's real list has them)."""
    items = takamatsu_items(tmp_path, "1,冷蔵庫,家電リサイクル法対象品,", "2,ソファー,臨時・粗大ごみ,",
                            "3,乾電池,有害ごみ,", "4,ガスボンベ,危険ごみ,", "5,タイヤ,収集不可,")
    data = read_takamatsu(items, TAKAMATSU_CALENDAR)
    assert {i.category for i in data.items} == {"家電リサイクル法対象品", "臨時・粗大ごみ", "有害ごみ", "危険ごみ", "収集不可"}


def test_takamatsu_category_declared_by_the_city_is_accepted(tmp_path):
    """A category the city declares in ``other_categories`` (拠点回収) imports, under its spelling variants too."""
    items = takamatsu_items(tmp_path, "1,古着,拠点回収,", "2,小型家電,拠点回収ごみ,")
    data = read_takamatsu(items, TAKAMATSU_CALENDAR, other_categories=["拠点回収"])
    assert [i.category for i in data.items] == ["拠点回収", "拠点回収"]


def test_takamatsu_control_character_is_an_error_by_row_and_column(tmp_path):
    """A control character in an item's note is refused by file, row and column."""
    items = takamatsu_items(tmp_path, "1,アイロン,破砕ごみ,コードを\x0bまとめる")
    assert located(lambda: read_takamatsu(items, TAKAMATSU_CALENDAR)) == [
        ("items.csv の2行目", Problem("text.control", place="D列（note）", position=5, codepoint="000B"))]
    [problem] = failure(lambda: read_takamatsu(items, TAKAMATSU_CALENDAR))
    assert problem == "items.csv の2行目：D列（note）の5文字目に制御文字（U+000B）があります。消してください。"


# --- helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "aliases"),
    [
        ("木太・林", ("木太", "林")),
        ("香川（浅野）", ("香川", "浅野")),
        ("高松第一（松島・築地）花園・塩江", ("高松第一（松島・築地）", "高松第一", "松島", "築地", "花園", "塩江")),
        ("大町", ()),
    ],
)
def test_area_aliases(name, aliases):
    """Names inside a district list become aliases; separators inside brackets belong to the bracket."""
    assert area_aliases(name) == aliases


@pytest.mark.parametrize("text", ["2026/12/31", "2026-12-31", "20261231", "２０２６／１２／３１"])
def test_parse_day_spellings(text):
    """Center dates are read in each spelling 5374 forks use."""
    assert parse_day(text) == date(2026, 12, 31)


def test_demo_holidays_file():
    """The demo's holidays.csv stops every category from 12/31 to 1/3, twice, with its note."""
    changes = read_exceptions(DEMO_GARBAGE / "holidays.csv")
    assert len(changes) == 8
    assert {(c.category, c.moved_to, c.note) for c in changes} == {(None, None, "年末年始は収集しません")}
    assert min(c.day for c in changes) == date(2026, 12, 31) and max(c.day for c in changes) == date(2028, 1, 3)


def test_holidays_row_with_a_private_use_character_is_an_error(tmp_path):
    """A holidays.csv note with a 外字 is refused by file, row and column."""
    path = tmp_path / "holidays.csv"
    path.write_text("date,category,moved_to,note\n2026-12-31,,,年末\ue000\n", encoding="utf-8")
    assert located(lambda: read_exceptions(path)) == [
        ("holidays.csv の2行目", Problem("text.private_use", place="D列（note）", position=3, codepoint="E000"))]


def test_bad_holidays_row_is_an_error_by_file_and_row(tmp_path):
    """A holidays.csv row with an impossible date is refused, by file and row."""
    path = tmp_path / "holidays.csv"
    path.write_text("date,category,moved_to,note\n2026-12-31,,,\n2026-02-30,,,\n", encoding="utf-8")
    assert located(lambda: read_exceptions(path)) == [
        ("holidays.csv の3行目", Problem("holidays.no_such_day", column="date", value="2026-02-30"))]
    assert failure(lambda: read_exceptions(path)) == ["holidays.csv の3行目：date「2026-02-30」は存在しない日付です。"]

"""The [garbage] table of pack.toml and ``flask garbage import``: what they load and what they print."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
from city import pack as packs
from city.models import Municipality
from garbage import store
from garbage.models import Area
from garbage.models import CalendarException
from garbage.models import CenterShutdown
from garbage.models import GarbageItem

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "packs" / "demo"
RUMOI = Path(__file__).resolve().parents[3] / "shared" / "data" / "rumoi-5374"

SMALL_5374 = {
    "target.csv": "type,name,notice,furigana\n燃やすごみ,生ごみ,水を切る,な\n資源,かん,洗う,か\n",
    "area_days.csv": "地名,センター,燃やすごみ,資源\n北町,第一,月 木,電話で申込み\n",
    "description.csv": "label,sublabel,description,styles,bgcolor\n燃やすごみ,,,,#ff0000\n資源,,,,#00ff00\n",
}


def write_pack(folder: Path, garbage: str, files: dict[str, str | bytes] | None = None) -> Path:
    """A pack with a [garbage] table and the given files (paths relative to the pack)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.toml").write_text(
        f'[municipality]\ncode = "011111"\nname = "テスト町"\n\n[garbage]\n{garbage}\n', encoding="utf-8"
    )
    for name, text in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_pack_loads_garbage(app):
    """Loading the demo pack saves 高松's 8 areas, 607 items, the holidays and the settings."""
    with db.transaction(app) as session:
        report = packs.load_pack(session, DEMO)
    assert (report.garbage.areas, report.garbage.items, report.garbage.exceptions) == (8, 607, 8)
    with db.transaction(app) as session:
        settings = store.load_settings(session)
        policy = store.load_policy(session)
    assert settings.collect_on_public_holidays is True
    assert settings.attribution.startswith("出典：高松市オープンデータ")
    assert {change.note for change in policy.changes} == {"年末年始は収集しません"}


def test_pack_load_prints_the_garbage_report(runner):
    """``pack load`` prints the garbage counts and each report line, and no longer calls garbage 'not loaded'."""
    result = runner.invoke(args=["pack", "load", str(DEMO)])
    assert result.exit_code == 0, result.output
    assert "garbage: 9 categories, 607 items, 8 areas, 40 collection rules (0 kept verbatim)" in result.output
    assert "garbage_separation_list.csv row 344: 手提げ袋（紙製）: category '紙布' read as 紙・布" in result.output
    assert "ごみ (garbage dictionary and calendar)" not in result.output


def test_pack_with_a_5374_folder_loads(app, tmp_path):
    """``format = "5374"`` with ``dir`` reads that folder of the pack."""
    pack = write_pack(tmp_path, 'format = "5374"\ndir = "gomi/"',
                      {f"gomi/{name}": text for name, text in SMALL_5374.items()})
    with db.transaction(app) as session:
        report = packs.load_pack(session, pack)
    assert (report.garbage.items, report.garbage.areas, report.garbage.verbatim) == (2, 1, 1)
    assert report.garbage.exceptions == 0


def test_bad_garbage_file_in_a_pack_saves_nothing(runner, session, tmp_path):
    """A pack whose target.csv has broken Shift_JIS bytes saves neither the city nor any garbage, naming the file."""
    broken = "type,name,notice,furigana\r\n燃やすごみ,生ごみ,,な\r\n資源,かん,,か\r\n".encode("cp932")
    files = {f"garbage/{name}": text for name, text in SMALL_5374.items()}
    files["garbage/target.csv"] = broken.replace("かん".encode("cp932"), b"\x82\xff")
    pack = write_pack(tmp_path, 'format = "5374"\ndir = "garbage/"', files)

    result = runner.invoke(args=["pack", "load", str(pack)])

    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "1件の問題があり、何も取り込んでいません。" in result.output
    assert "target.csv（ファイル全体）：3行目のバイト 0x82 が読めません。" in result.output
    assert (count(session, Municipality), count(session, GarbageItem)) == (0, 0)


def test_bad_holidays_row_in_a_pack_saves_nothing(runner, session, tmp_path):
    """A holidays.csv with a bad row stops the whole pack, naming the file and row."""
    files = {f"garbage/{name}": text for name, text in SMALL_5374.items()}
    files["garbage/holidays.csv"] = "date,category,moved_to,note\n2026-12-31..2027-01-03,,,\n31/12/2027,,,\n"
    pack = write_pack(tmp_path, 'format = "5374"\nholidays = "garbage/holidays.csv"', files)

    result = runner.invoke(args=["pack", "load", str(pack)])

    assert result.exit_code != 0
    assert ("holidays.csv の3行目：date「31/12/2027」は YYYY-MM-DD か YYYY-MM-DD..YYYY-MM-DD の形で書いてください。"
            in result.output)
    assert (count(session, Municipality), count(session, CalendarException)) == (0, 0)


@pytest.mark.parametrize(
    ("garbage", "message"),
    [
        ('format = "xlsx"', "format must be one of 5374, takamatsu"),
        ('format = "takamatsu"\nitems = "a.csv"', "needs calendar"),
        ('format = "5374"\ndir = "nowhere/"', "nowhere/ named in pack.toml does not exist"),
        ('format = "5374"\ncollect_on_public_holidays = "yes"', "must be true or false"),
    ],
)
def test_bad_garbage_table_is_a_pack_error(app, tmp_path, garbage, message):
    """A [garbage] table with a wrong format, a missing key or a wrong type is refused with what to fix."""
    pack = write_pack(tmp_path, garbage, {f"garbage/{name}": text for name, text in SMALL_5374.items()})
    with db.transaction(app) as session, pytest.raises(packs.PackError, match=message):
        packs.load_pack(session, pack)


def test_garbage_import_prints_counts_verbatim_cells_and_skipped_rows(runner, session, tmp_path):
    """``garbage import DIR`` saves a 5374 folder and prints its counts, verbatim cells and skipped rows."""
    folder = tmp_path / "gomi"
    folder.mkdir()
    for name, text in SMALL_5374.items():
        (folder / name).write_text(text, encoding="utf-8")
    with (folder / "target.csv").open("a", encoding="utf-8") as f:
        f.write("資源,かん,洗う,か\n")

    result = runner.invoke(args=["garbage", "import", str(folder)])

    assert result.exit_code == 0, result.output
    assert "garbage: 2 categories, 2 items, 1 areas, 2 collection rules (1 kept verbatim)" in result.output
    assert "kept verbatim for 資源: 「電話で申込み」 in 1 area: 北町" in result.output
    assert "target.csv row 4: duplicate of row 3 (かん / 資源), skipped" in result.output
    assert session.scalars(sa.select(Area.name)).all() == ["北町"]


def test_garbage_import_of_takamatsu_keeps_the_stored_holidays(runner, session, tmp_path):
    """``--format takamatsu`` reads the two sheets; the holidays the pack loaded stay."""
    runner.invoke(args=["pack", "load", str(DEMO)])
    folder = tmp_path / "takamatsu"
    shutil.copytree(DEMO / "garbage", folder)

    result = runner.invoke(args=["garbage", "import", str(folder), "--format", "takamatsu"])

    assert result.exit_code == 0, result.output
    assert "calendar exceptions: kept" in result.output
    assert count(session, CalendarException) == 8


def test_garbage_import_failure_names_file_and_row(runner, session, tmp_path):
    """A folder with a bad row imports nothing and the error names the file and row."""
    folder = tmp_path / "gomi"
    folder.mkdir()
    for name, text in SMALL_5374.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "target.csv").write_text("type,name,notice,furigana\n燃やすごみ,生ごみ,,な\n,かん,,か\n", encoding="utf-8")

    result = runner.invoke(args=["garbage", "import", str(folder)])

    assert result.exit_code != 0
    assert "gomi は取り込めません。1件の問題があり、何も取り込んでいません。" in result.output
    assert "target.csv の3行目：品目「かん」の分別区分（type）が空です。" in result.output
    assert count(session, GarbageItem) == 0


def test_garbage_import_of_rumoi(runner, session):
    """``garbage import`` of the 留萌 folder saves 45 areas and 1,260 items and reports the 23 duplicates."""
    if not (RUMOI / "target.csv").is_file():
        pytest.skip(f"留萌 5374 data not found at {RUMOI} (shared data next to the repo; it has no licence to ship)")
    result = runner.invoke(args=["garbage", "import", str(RUMOI)])
    assert result.exit_code == 0, result.output
    assert "garbage: 24 categories, 1260 items, 45 areas" in result.output
    assert result.output.count("skipped") == 23
    assert count(session, Area) == 45


def test_garbage_import_replaces_the_attribution(runner, session, tmp_path):
    """Importing another dataset does not keep the previous data's credit line under answers."""
    from garbage.models import GarbageSettings

    runner.invoke(args=["pack", "load", str(DEMO)])
    folder = tmp_path / "takamatsu"
    shutil.copytree(DEMO / "garbage", folder)
    runner.invoke(args=["garbage", "import", str(folder), "--format", "takamatsu", "--attribution", "出典：テスト市"])
    assert session.scalar(sa.select(GarbageSettings.attribution)) == "出典：テスト市"


def test_garbage_import_of_a_centre_with_no_shutdown_period(runner, session, tmp_path):
    """A 5374 folder whose center.csv gives a centre an empty period (「…クリーンセンター,,」) imports."""
    folder = tmp_path / "gomi"
    folder.mkdir()
    for name, text in SMALL_5374.items():
        (folder / name).write_text(text.replace("北町,第一", "北町,綾川クリーンセンター"), encoding="utf-8")
    (folder / "center.csv").write_text("名称,休止開始日,休止終了日\n綾川クリーンセンター,,\n", encoding="utf-8")

    result = runner.invoke(args=["garbage", "import", str(folder)])

    assert result.exit_code == 0, result.output
    assert count(session, CenterShutdown) == 0 and count(session, Area) == 1


def test_garbage_import_of_an_unknown_takamatsu_category_saves_nothing(runner, session, tmp_path):
    """``--format takamatsu`` with an item of 「宇宙ごみ」 fails by file and row and saves nothing."""
    folder = tmp_path / "takamatsu"
    shutil.copytree(DEMO / "garbage", folder)
    with (folder / "garbage_separation_list.csv").open("a", encoding="utf-8") as f:
        f.write("900,人工衛星,宇宙ごみ,\n")

    result = runner.invoke(args=["garbage", "import", str(folder), "--format", "takamatsu"])

    assert result.exit_code != 0
    assert "garbage_separation_list.csv の615行目：人工衛星の分別区分「宇宙ごみ」は" in result.output
    assert count(session, GarbageItem) == 0


def test_garbage_import_other_category_option_declares_a_category(runner, session, tmp_path):
    """``--other-category 宇宙ごみ`` declares the category, and the items import."""
    folder = tmp_path / "takamatsu"
    shutil.copytree(DEMO / "garbage", folder)
    with (folder / "garbage_separation_list.csv").open("a", encoding="utf-8") as f:
        f.write("900,人工衛星,宇宙ごみ,\n")

    result = runner.invoke(args=["garbage", "import", str(folder), "--format", "takamatsu",
                                 "--other-category", "宇宙ごみ"])

    assert result.exit_code == 0, result.output
    assert count(session, GarbageItem) == 608


def test_pack_other_categories_reach_the_takamatsu_importer(app, tmp_path):
    """``[garbage] other_categories`` in pack.toml declares a sorting-list category without a calendar column."""
    files = {f"garbage/{path.name}": path.read_bytes() for path in (DEMO / "garbage").glob("*.csv")}
    files["garbage/garbage_separation_list.csv"] += "900,古着,拠点回収,\n".encode()
    table = ('format = "takamatsu"\nitems = "garbage/garbage_separation_list.csv"\n'
             'calendar = "garbage/garbage_collection_date.csv"\nother_categories = ["拠点回収"]')
    pack = write_pack(tmp_path, table, files)
    with db.transaction(app) as session:
        report = packs.load_pack(session, pack)
    assert report.garbage.items == 608


def test_other_categories_with_5374_is_a_pack_error(app, tmp_path):
    """``other_categories`` belongs to the takamatsu format; with 5374 the pack is refused."""
    pack = write_pack(tmp_path, 'format = "5374"\nother_categories = ["拠点回収"]',
                      {f"garbage/{name}": text for name, text in SMALL_5374.items()})
    with db.transaction(app) as session, pytest.raises(packs.PackError, match="other_categories is for format"):
        packs.load_pack(session, pack)


def test_pack_faq_errors_name_the_faq_file(runner, tmp_path):
    """A bad row of a pack's FAQ is reported with the FAQ file's name (a pack has several files)."""
    pack = write_pack(tmp_path, 'format = "5374"', {f"garbage/{name}": text for name, text in SMALL_5374.items()})
    with (pack / "pack.toml").open("a", encoding="utf-8") as f:
        f.write('\n[faq]\nfile = "faq.csv"\n')
    (pack / "faq.csv").write_text("id,question,answer\n1,質問,\n", encoding="utf-8")

    result = runner.invoke(args=["pack", "load", str(pack)])

    assert result.exit_code != 0
    assert "faq.csv の2行目：answer が空です。" in result.output


def test_demo_pack_says_where_home_appliances_go(app):
    """The demo pack's [garbage.takeaway] text is stored on 家電リサイクル法対象品 (where 冷蔵庫 and テレビ go)."""
    with db.transaction(app) as session:
        packs.load_pack(session, DEMO)
        takeaway = {c.name: c.takeaway for c in store.load_categories(session)}
    assert "販売店" in takeaway["家電リサイクル法対象品"] and "指定引取場所" in takeaway["家電リサイクル法対象品"]
    assert takeaway["燃やせるごみ"] == ""


def test_takeaway_text_reaches_a_5374_category(app, tmp_path):
    """``[garbage.takeaway]`` works for the 5374 format too, on a category the city does not collect."""
    files = {f"garbage/{name}": text for name, text in SMALL_5374.items()}
    files["garbage/target.csv"] += "その他,洗濯機,家電リサイクル対象のため収集できません,せ\n"
    files["garbage/description.csv"] += "その他,,,,#000000\n"
    pack = write_pack(tmp_path, 'format = "5374"\nnot_collected = ["その他"]\n\n[garbage.takeaway]\n'
                                '"その他" = "販売店へ引き取りを依頼してください。"', files)
    with db.transaction(app) as session:
        packs.load_pack(session, pack)
        takeaway = {c.name: c.takeaway for c in store.load_categories(session)}
    assert takeaway["その他"] == "販売店へ引き取りを依頼してください。"


@pytest.mark.parametrize(("table", "message"), [
    ('"粗大" = "店へ"', "categories the garbage data does not have: 粗大"),
    ('"資源" = "店へ"', "for categories the city does not collect, not 資源"),
    ('"資源" = 3', "must map category names to text"),
])
def test_bad_takeaway_table_is_a_pack_error(app, tmp_path, table, message):
    """A takeaway for an unknown or a collected category, or one that is not text, is refused by name."""
    pack = write_pack(tmp_path, f'format = "5374"\n\n[garbage.takeaway]\n{table}',
                      {f"garbage/{name}": text for name, text in SMALL_5374.items()})
    with db.transaction(app) as session, pytest.raises(packs.PackError, match=message):
        packs.load_pack(session, pack)


@pytest.mark.parametrize("value", ["8時30分", "25:00", "8:30", 830])
def test_a_put_out_time_that_is_not_a_time_of_day_is_refused(tmp_path, value):
    """``put_out_by`` must be a time of day written HH:MM."""
    with pytest.raises(packs.PackError, match="put_out_by"):
        packs.read_garbage(tmp_path, {"format": "takamatsu", "put_out_by": value})


def test_demo_pack_says_how_to_ask_for_bulky_waste(app):
    """The demo pack's [garbage.takeaway] may also tell how to apply for a category taken on request (粗大ごみ)."""
    with db.transaction(app) as session:
        packs.load_pack(session, DEMO)
        takeaway = {c.name: c.takeaway for c in store.load_categories(session)}
    assert "申し込" in takeaway["臨時・粗大ごみ"]

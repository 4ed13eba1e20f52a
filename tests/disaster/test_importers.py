"""Reading the 国土地理院's shelter data as published, and the variants other cities' files have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disaster.hazards import BY_KEY
from disaster.importers import EMERGENCY
from disaster.importers import EVACUATION
from disaster.importers import read_shelter_files
from importing.errors import ImportFailed
from importing.messages import Problem

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "packs" / "demo" / "shelters"
SHARED = ROOT.parent / "shared" / "data" / "gsi-shelters-hokkaido"
EMERGENCY_HEADER = ("NO,共通ID,都道府県名及び市町村名,施設・場所名,住所,洪水,崖崩れ、土石流及び地滑り,高潮,地震,津波,大規模な火事,"
                    "内水氾濫,火山現象,指定避難所との住所同一,緯度,経度,備考")


def csv_file(tmp_path: Path, rows: list[str], *, header: str = EMERGENCY_HEADER, encoding: str = "utf-8",
             name: str = "shelters.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def test_the_demo_packs_geojson_reads_every_shelter_of_both_kinds():
    """139 指定緊急避難場所 and 53 指定避難所 (two of them listed twice under different 共通ID)."""
    data = read_shelter_files([DEMO / "emergency.geojson", DEMO / "evacuation.geojson"])
    kinds = [record.kind for record in data.records]
    assert (kinds.count(EMERGENCY), kinds.count(EVACUATION)) == (139, 53)
    assert data.skipped == []


def test_hazard_flags_are_read_per_column():
    """富丘中学校 (emergency) is designated for 洪水 and 地震 and shares its address with a 指定避難所."""
    data = read_shelter_files([DEMO / "emergency.geojson"])
    school = next(r for r in data.records if r.name == "富丘中学校")
    assert school.hazards == BY_KEY["flood"].bit | BY_KEY["quake"].bit
    assert school.shares_address
    assert (school.latitude, school.longitude) == (42.842609, 141.649046)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not next to this checkout")
def test_a_flat_csv_with_a_kind_column_holds_two_cities():
    """shelters_flat.csv: 259 rows of both kinds, 千歳市 and 留萌市."""
    data = read_shelter_files([SHARED / "shelters_flat.csv"])
    assert len(data.records) == 259
    assert {r.kind for r in data.records} == {EMERGENCY, EVACUATION}
    assert sum(1 for r in data.records if r.hazards & BY_KEY["tsunami"].bit) == 20  # 留萌市's coast


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "euc_jp"])
def test_a_csv_is_read_in_the_encodings_cities_save(tmp_path, encoding):
    """The same file saved as UTF-8 (with or without BOM), Shift_JIS or EUC-JP reads the same."""
    path = csv_file(tmp_path, ["1,E01,北海道千歳市,青葉公園,北海道千歳市真町,,,,1,,,,,,42.82,141.65,備考あり"],
                    encoding=encoding)
    (record,) = read_shelter_files([path]).records
    assert (record.name, record.kind, record.notes) == ("青葉公園", EMERGENCY, "備考あり")


def test_a_csv_of_evacuation_shelters_is_told_by_its_columns(tmp_path):
    """No hazard columns, 受入対象者 and 想定収容人数: 指定避難所, with its capacity."""
    path = csv_file(tmp_path, ["1,E02,北海道千歳市,北栄小学校,北海道千歳市北栄1-1,1,要配慮者,\"1,200人\",42.84,141.66"],
                    header="NO,共通ID,都道府県名及び市町村名,施設・場所名,住所,指定緊急避難場所との住所同一,受入対象者,想定収容人数,緯度,経度")
    (record,) = read_shelter_files([path]).records
    assert (record.kind, record.accepts, record.capacity, record.shares_address) == (EVACUATION, "要配慮者", 1200, True)


def test_bad_rows_are_all_reported_by_number_and_nothing_is_read(tmp_path):
    """A missing name, a swapped coordinate pair and a flag that is not 1 or empty: three rows, three errors."""
    path = csv_file(tmp_path, [
        "1,E01,北海道千歳市,,北海道千歳市真町,,,,1,,,,,,42.82,141.65,",
        "2,E02,北海道千歳市,公園,北海道千歳市真町,,,,1,,,,,,141.65,42.82,",
        "3,E03,北海道千歳市,広場,北海道千歳市真町,,,,はい,,,,,,42.82,141.65,",
        "4,E04,北海道千歳市,運動場,北海道千歳市真町,,,,1,,,,,,42.83,141.66,",
    ])
    with pytest.raises(ImportFailed) as failed:
        read_shelter_files([path])
    assert [(error.where, error.problem) for error in failed.value.errors] == [
        ("shelters.csv の2行目", Problem("field.empty", column="施設・場所名")),
        ("shelters.csv の3行目", Problem("shelters.outside_japan", column="緯度", value="141.65", low=20.0, high=46.0)),
        ("shelters.csv の3行目", Problem("shelters.outside_japan", column="経度", value="42.82", low=122.0, high=154.5)),
        ("shelters.csv の4行目", Problem("shelters.flag", column="地震", value="はい")),
    ]
    assert "  shelters.csv の3行目：緯度 の 141.65 は日本の範囲（20.0～46.0）の外です。緯度と経度が入れ替わっていませんか。" in str(
        failed.value)


def test_blank_rows_and_exact_repeats_are_skipped_and_reported(tmp_path):
    """An empty line and a row repeated as it was are skipped, each named by its row."""
    row = "1,E01,北海道千歳市,青葉公園,北海道千歳市真町,,,,1,,,,,,42.82,141.65,"
    path = csv_file(tmp_path, [row, ",,,,,,,,,,,,,,,,", row])
    data = read_shelter_files([path])
    assert len(data.records) == 1
    assert [line.split(":")[0] for line in data.skipped] == ["shelters.csv row 3", "shelters.csv row 4"]


def test_the_same_id_with_other_values_is_an_error(tmp_path):
    """Two rows with one 共通ID that disagree cannot both be right: the import stops."""
    path = csv_file(tmp_path, ["1,E01,北海道千歳市,青葉公園,北海道千歳市真町,,,,1,,,,,,42.82,141.65,",
                               "2,E01,北海道千歳市,青葉公園,北海道千歳市真町,1,,,1,,,,,,42.82,141.65,"])
    with pytest.raises(ImportFailed) as failed:
        read_shelter_files([path])
    [error] = failed.value.errors
    assert (error.where, error.problem) == ("shelters.csv の3行目",
                                            Problem("shelters.conflict", key="E01", first="shelters.csv の2行目"))
    assert error.message == "共通ID E01 は、shelters.csv の2行目にもあり、内容が違います。"


def test_garbage_text_is_refused(tmp_path):
    """A name with a private-use character (a 外字) would reach residents as a blank box: refused."""
    path = csv_file(tmp_path, ["1,E01,北海道千歳市,青葉\ue000公園,北海道千歳市真町,,,,1,,,,,,42.82,141.65,"])
    with pytest.raises(ImportFailed) as failed:
        read_shelter_files([path])
    assert [(error.row, error.problem) for error in failed.value.errors] == [
        (2, Problem("text.private_use", place="施設・場所名", position=3, codepoint="E000"))]


def test_a_geojson_feature_without_a_point_is_reported_by_its_number(tmp_path):
    """The second feature has no coordinates: feature 2 is named."""
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [141.65, 42.82]},
                 "properties": {"施設・場所名": "青葉公園", "地震": "1"}},
                {"type": "Feature", "geometry": None, "properties": {"施設・場所名": "広場"}}]
    path = tmp_path / "emergency.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        read_shelter_files([path])
    assert [(error.where, error.problem) for error in failed.value.errors] == [
        ("emergency.geojson の2件目", Problem("shelters.not_point"))]


def test_a_file_that_is_not_geojson_is_refused(tmp_path):
    path = tmp_path / "shelters.geojson"
    path.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        read_shelter_files([path])
    assert [(error.where, error.problem) for error in failed.value.errors] == [
        ("shelters.geojson（ファイル全体）", Problem("shelters.not_geojson"))]

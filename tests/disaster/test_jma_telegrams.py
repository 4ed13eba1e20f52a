"""気象庁防災情報XML telegrams read as JMA wrote them: every fixture, old and R06 formats, quakes, tsunamis,
drills, retractions, and files that are no telegram."""

from __future__ import annotations

from pathlib import Path

import pytest

from disaster.jma import telegrams
from disaster.jma.telegrams import MUNICIPALITY
from disaster.jma.telegrams import QUAKE_AREA
from disaster.jma.telegrams import TSUNAMI_AREA
from disaster.jma.telegrams import TelegramError

DATA = Path(__file__).resolve().parents[1] / "data" / "jma"
TELEGRAMS = sorted(DATA.glob("V*.xml"))


def read(name: str) -> telegrams.Telegram:
    return telegrams.parse((DATA / name).read_bytes())


def area(telegram: telegrams.Telegram, scope: str, code: str) -> telegrams.AreaReport:
    [found] = [report for report in telegram.areas if report.scope == scope and report.code == code]
    return found


def kinds(report: telegrams.AreaReport) -> list[tuple[str, str]]:
    return [(kind.name, kind.status) for kind in report.kinds]


@pytest.mark.parametrize("path", TELEGRAMS, ids=lambda path: path.name)
def test_every_fixture_reads_as_the_type_its_file_name_says(path):
    telegram = telegrams.parse(path.read_bytes())
    assert telegram.family == path.name.split("_")[0]
    assert telegram.sent_at.tzinfo is not None and telegram.reported_at.tzinfo is not None


def test_the_r06_telegram_of_sapporo_lists_chitose_with_its_two_advisories_issued():
    telegram = read("VPWW61_sapporo_20260528_chitose.xml")
    assert (telegram.office, telegram.head_title) == ("札幌管区気象台", "石狩・空知・後志地方雷・濃霧注意報")
    assert kinds(area(telegram, MUNICIPALITY, "0122400")) == [("雷注意報", "発表"), ("濃霧注意報", "発表")]
    assert telegram.headline.startswith("石狩、空知、後志地方では")


def test_an_r06_lift_keeps_the_kind_lifted_by_name():
    report = area(read("VPWW58_asahikawa_20260531_kaijo.xml"), MUNICIPALITY, "0121200")
    assert [(kind.name, kind.status, kind.last) for kind in report.kinds] == [("強風注意報", "解除", "強風注意報")]


def test_a_telegram_rewritten_by_another_tool_reads_the_same():
    """熊本's VPWW53 was re-serialised by REXML (single quotes, declarations in another order)."""
    telegram = read("VPWW53_kumamoto_20161231_kaijo.xml")
    statuses = {kind.status for report in telegram.areas for kind in report.kinds}
    assert telegram.headline == "注意報を解除します。" and statuses == {"解除", "発表警報・注意報はなし"}


def test_a_special_warning_of_the_old_format_is_read_with_its_condition_of_kind():
    telegram = read("VPWW54_yamagata_20240725_special-warning.xml")
    sakata = area(telegram, MUNICIPALITY, "0620400")
    assert ("大雨特別警報", "発表") in kinds(sakata)


def test_a_municipality_with_nothing_in_force_has_no_kind_in_force():
    telegram = read("VPWW54_tokushima_jma-sample.xml")
    quiet = [report for report in telegram.areas if not any(kind.in_force for kind in report.kinds)]
    assert len(quiet) == 25 and all(kinds(report) == [("", "発表警報・注意報はなし")] for report in quiet)


def test_a_sediment_warning_is_read_per_municipality():
    telegram = read("VXWW50_oshima-hiyama_jma-sample_happyo.xml")
    assert kinds(area(telegram, MUNICIPALITY, "0133100")) == [("警戒", "発表")]
    assert not area(telegram, MUNICIPALITY, "0120200").kinds[0].in_force  # 函館市: なし


def test_an_earthquake_gives_the_greatest_intensity_per_area_and_municipality():
    telegram = read("VXSE53_hokkaido-toho-oki_20210220.xml")
    assert kinds(area(telegram, QUAKE_AREA, "167")) == [("震度３", "発表")]
    assert kinds(area(telegram, MUNICIPALITY, "0122300")) == [("震度３", "発表")]
    assert (telegram.hypocenter, telegram.magnitude) == ("北海道東方沖", "Ｍ５．０")
    assert telegram.comments == ("この地震による津波の心配はありません。",)


def test_the_first_intensity_report_names_areas_only():
    telegram = read("VXSE51_hokkaido-toho-oki_20210220.xml")
    assert [(report.scope, report.code) for report in telegram.areas] == [(QUAKE_AREA, "167")]


def test_a_tsunami_lift_is_a_forecast_after_an_advisory():
    report = area(read("VTSE41_torishima_20231009_kaijo.xml"), TSUNAMI_AREA, "320")
    [kind] = report.kinds
    assert (kind.name, kind.last) == ("津波予報（若干の海面変動）", "津波注意報")


def test_a_drill_is_known_as_one():
    telegram = read("VTSE41_jma-sample_kunren.xml")
    assert telegram.status == "訓練" and telegram.drill


@pytest.mark.parametrize("name", ["VTSE41_jma-sample_torikeshi.xml", "VXSE53_jma-sample_torikeshi.xml"])
def test_a_retraction_carries_its_words_and_no_areas(name):
    telegram = read(name)
    assert telegram.retraction and telegram.areas == () and telegram.text.endswith("を取り消します。")


def test_a_retraction_and_what_it_voids_share_a_series():
    """JMA: a series is Title + EditorialOffice (+ EventID for earthquakes and tsunamis)."""
    retraction = read("VTSE41_jma-sample_torikeshi.xml")
    assert retraction.series == "津波警報・注意報・予報a|気象庁本庁|20210805103531"


@pytest.mark.parametrize("raw, reason", [
    (b"not xml at all", "not readable XML"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "no Report element"),
    (b"<Report xmlns='http://xml.kishou.go.jp/jmaxml1/'><Control><Title>\xe5\xa4\xa9\xe6\xb0\x97\xe6\xa6\x82\xe6"
     b"\xb3\x81</Title></Control><Head/></Report>", "a telegram of a kind not read here"),
    (b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><Report>&b;</Report>",
     "not readable XML"),
])
def test_what_is_no_telegram_is_refused_with_the_reason(raw, reason):
    with pytest.raises(TelegramError, match=reason):
        telegrams.parse(raw)


def test_a_telegram_without_a_time_zone_is_refused():
    raw = (DATA / "VXSE51_hokkaido-toho-oki_20210220.xml").read_bytes().replace(b"2021-02-20T13:25:31Z",
                                                                                 b"2021-02-20T13:25:31")
    with pytest.raises(TelegramError, match="Control/DateTime has no time zone"):
        telegrams.parse(raw)

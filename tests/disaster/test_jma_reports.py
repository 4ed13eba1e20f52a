"""JMA telegrams handled for the city (``jma ingest``): drafts in JMA's words for what concerns the city, each
telegram once, drills and other cities skipped, 解除 and 取消 followed, and the disaster mode JMA's kinds set."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
from disaster import mode
from disaster.jma import city
from disaster.jma import reports
from disaster.models import JmaReport
from tests.chat import say
from tests.conftest import NOW

DATA = Path(__file__).resolve().parents[1] / "data" / "jma"
CHITOSE = "VPWW61_sapporo_20260528_chitose.xml"
SEDIMENT_ISSUED = "VXWW50_oshima-hiyama_jma-sample_happyo.xml"
SEDIMENT_LIFTED = "VXWW50_oshima-hiyama_jma-sample_kaijo.xml"
TSUNAMI = "VTSE41_torishima_20231009_chuiho.xml"


@pytest.fixture
def configure(app):
    """Store a pack's ``[jma]`` table."""

    def store(**table) -> None:
        with db.transaction(app) as session:
            reports.save_config(session, city.read_config(table))

    return store


def ingest(runner, *names: str) -> list[str]:
    result = runner.invoke(args=["jma", "ingest", *(str(DATA / name) for name in names)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def ingest_today(runner, tmp_path, *names: str) -> list[str]:
    """Ingest telegrams as if JMA had sent them on the test clock's day (same times of day, so in the same order):
    what is in force counts only telegrams of the last day."""
    paths = []
    for name in names:
        raw = (DATA / name).read_bytes()
        (tmp_path / name).write_bytes(re.sub(rb"\d{4}-\d{2}-\d{2}T", NOW.strftime("%Y-%m-%dT").encode(), raw))
        paths.append(str(tmp_path / name))
    result = runner.invoke(args=["jma", "ingest", *paths])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def listed(runner) -> list[dict]:
    return json.loads(runner.invoke(args=["jma", "list", "--json"]).output)


def retraction_of_the_tsunami_advisory() -> bytes:
    """JMA's sample 取消 of a 津波注意報, made to retract the real advisory of 2023-10-09 (its EventID, later)."""
    raw = (DATA / "VTSE41_jma-sample_torikeshi.xml").read_bytes()
    return raw.replace(b"20210805103531", b"20231009052500").replace(b"2021-08-05T03:56:58Z",
                                                                     b"2023-10-09T01:00:00Z")


def test_a_telegram_for_the_city_becomes_a_draft_in_jmas_words(runner, configure):
    configure(municipalities=["0122400"], advisories=True)
    [said] = ingest(runner, CHITOSE)
    assert "draft" in said and "千歳市 雷注意報（発表）" in said
    [report] = listed(runner)
    assert report["outcome"] == "draft"
    assert [(c["area"], c["kind"], c["change"]) for c in report["changes"]] == [
        ("千歳市", "雷注意報", "発表"), ("千歳市", "濃霧注意報", "発表")]
    text = report["text"]
    assert text.startswith("【気象庁】石狩・空知・後志地方雷・濃霧注意報\n石狩、空知、後志地方では")
    assert "千歳市：雷注意報（発表）、濃霧注意報（発表）" in text and "5月28日 13:52 札幌管区気象台発表" in text
    assert text.endswith("出典：気象庁ホームページ（気象庁防災情報XML）")


def test_the_same_telegram_is_handled_once(runner, configure):
    configure(municipalities=["0122400"], advisories=True)
    ingest(runner, CHITOSE)
    [again] = ingest(runner, CHITOSE)
    assert "already handled" in again and len(listed(runner)) == 1


def test_only_advisories_are_skipped_unless_the_pack_asks_for_them(runner, configure):
    configure(municipalities=["0122400"], advisories=False)
    [said] = ingest(runner, CHITOSE)
    assert "skipped" in said and "only 注意報" in said


def test_a_telegram_for_other_cities_is_skipped(runner, configure):
    configure(municipalities=["0122400"])
    [said] = ingest(runner, "VPWW55_abashiri_20260529_lv2.xml")
    assert "skipped: not for this city" in said


def test_without_a_jma_table_every_telegram_is_skipped_with_the_reason(runner):
    [said] = ingest(runner, CHITOSE)
    assert "skipped" in said and "[jma]" in said


def test_a_drill_never_becomes_a_draft(runner, configure):
    configure(tsunami_areas=["320"])
    [said] = ingest(runner, "VTSE41_jma-sample_kunren.xml")
    assert "skipped: 訓練" in said


def test_a_lifted_warning_becomes_a_draft(runner, configure):
    configure(municipalities=["0121200"], advisories=True)
    [said] = ingest(runner, "VPWW58_asahikawa_20260531_kaijo.xml")
    assert "draft" in said and "留萌市 強風注意報（解除）" in said


def test_the_older_format_is_skipped_where_the_pack_reads_r06(runner, configure):
    configure(municipalities=["0620400"])  # 酒田市; weather = "r06" by default
    [skipped] = ingest(runner, "VPWW54_yamagata_20240725_special-warning.xml")
    assert "skipped" in skipped and "R06" in skipped


def test_the_older_format_is_read_where_the_pack_chooses_it(runner, configure):
    configure(municipalities=["0620400"], weather="h27")
    assert "酒田市 大雨特別警報（発表）" in ingest(runner, "VPWW54_yamagata_20240725_special-warning.xml")[0]


def test_a_split_municipality_counts_as_the_city(runner, configure):
    """富山市 (1620100) is 富山市平地 1620111 and 富山市山間部 1620112 in JMA's warnings."""
    configure(municipalities=["1620100"], weather="h27", advisories=True)
    [said] = ingest(runner, "VPWW53_toyama_20260728_during-r06.xml")
    assert "skipped" in said and "VPWW53" in said  # its VPWW54 twin carries the same: never read twice
    assert "not for this city" not in said


def test_a_newer_telegram_of_the_series_supersedes_the_draft_staff_have_not_seen(runner, configure):
    configure(municipalities=["0133100"])
    ingest(runner, SEDIMENT_ISSUED, SEDIMENT_LIFTED)
    newest, oldest = listed(runner)
    assert (newest["outcome"], oldest["outcome"]) == ("draft", "superseded")
    assert newest["changes"] == [{"area": "松前町", "code": "0133100", "kind": "土砂災害警戒情報", "change": "解除"}]


def test_an_older_telegram_arriving_late_is_skipped(runner, configure):
    configure(municipalities=["0133100"])
    ingest(runner, SEDIMENT_LIFTED)
    [late] = ingest(runner, SEDIMENT_ISSUED)
    assert f"skipped: older than #{listed(runner)[-1]['id']}" in late


def test_a_retraction_voids_the_draft_it_retracts(app, runner, configure, tmp_path):
    configure(tsunami_areas=["320"])
    ingest(runner, TSUNAMI)
    (tmp_path / "torikeshi.xml").write_bytes(retraction_of_the_tsunami_advisory())
    result = runner.invoke(args=["jma", "ingest", str(tmp_path / "torikeshi.xml")])
    assert "voided" in result.output
    assert listed(runner)[-1]["outcome"] == "voided"


def test_a_retraction_of_what_residents_got_becomes_a_draft_to_tell_them(app, runner, configure, tmp_path):
    configure(tsunami_areas=["320"])
    ingest(runner, TSUNAMI)
    assert runner.invoke(args=["jma", "relay", str(listed(runner)[0]["id"]), "--by", "田中"]).exit_code == 0
    (tmp_path / "torikeshi.xml").write_bytes(retraction_of_the_tsunami_advisory())
    runner.invoke(args=["jma", "ingest", str(tmp_path / "torikeshi.xml")])
    retraction, original = listed(runner)
    assert original["outcome"] == "relayed" and retraction["outcome"] == "draft"
    assert "先ほどの、津波注意報を取り消します。" in retraction["text"]


def test_a_strong_earthquake_is_relayed_without_staff_where_the_pack_says_so(runner, configure):
    configure(municipalities=["0122300"], min_intensity="3", auto_relay=["震度３"])
    [said] = ingest(runner, "VXSE53_hokkaido-toho-oki_20210220.xml")
    assert "relayed" in said
    [report] = listed(runner)
    assert report["decided_by"] == reports.AUTO and "震源：北海道東方沖　Ｍ５．０" in report["text"]


def test_a_weaker_earthquake_waits_for_staff(runner, configure):
    configure(municipalities=["0122300"], min_intensity="3", auto_relay=["震度５弱"])
    assert "draft" in ingest(runner, "VXSE53_hokkaido-toho-oki_20210220.xml")[0]


def test_an_earthquake_below_the_packs_intensity_is_skipped(runner, configure):
    configure(quake_areas=["167"], min_intensity="4")
    assert "skipped" in ingest(runner, "VXSE51_hokkaido-toho-oki_20210220.xml")[0]


def test_staff_relay_or_dismiss_a_draft_once_and_say_who(runner, configure):
    configure(municipalities=["0133100"])
    ingest(runner, SEDIMENT_ISSUED)
    draft = str(listed(runner)[0]["id"])
    assert runner.invoke(args=["jma", "relay", draft, "--by", " "]).exit_code != 0  # nobody named
    assert runner.invoke(args=["jma", "dismiss", draft, "--by", "佐藤"]).exit_code == 0
    again = runner.invoke(args=["jma", "relay", draft, "--by", "田中"])
    assert again.exit_code != 0 and "dismissed, not a draft" in again.output
    assert (listed(runner)[0]["outcome"], listed(runner)[0]["decided_by"]) == ("dismissed", "佐藤")


def test_a_file_that_is_no_telegram_is_named_and_the_others_are_handled(runner, configure, tmp_path):
    configure(municipalities=["0133100"])
    (tmp_path / "broken.xml").write_bytes("<Report>途中で切れ".encode("shift_jis"))
    result = runner.invoke(args=["jma", "ingest", str(tmp_path / "broken.xml"), str(DATA / SEDIMENT_ISSUED)])
    assert result.exit_code == 1
    assert "broken.xml: not read: not readable XML" in result.output and "draft" in result.output
    assert "Traceback" not in result.output


def test_show_prints_the_text_residents_would_get(runner, configure):
    configure(municipalities=["0133100"])
    ingest(runner, SEDIMENT_ISSUED)
    shown = runner.invoke(args=["jma", "show", str(listed(runner)[0]["id"])]).output
    assert shown.startswith("【気象庁】渡島・檜山地方土砂災害警戒情報") and "松前町：土砂災害警戒情報（発表）" in shown


def test_a_kind_the_pack_names_puts_the_bot_in_disaster_mode_while_in_force(app, runner, configure, tmp_path):
    configure(municipalities=["0133100"], disaster_mode=["土砂災害警戒情報"])
    ingest_today(runner, tmp_path, SEDIMENT_ISSUED)
    with db.read_transaction(app) as session:
        assert mode.mode_now(session, NOW) == mode.Mode(True, 4, "landslide")
    ingest_today(runner, tmp_path, SEDIMENT_LIFTED)
    with db.read_transaction(app) as session:
        assert not mode.mode_now(session, NOW).active


def test_a_warning_whose_latest_telegram_is_a_day_old_is_no_longer_in_force(app, runner, configure):
    """The telegram of 2013 (the feed stopped, or an old file was ingested): not told as in force, no mode."""
    configure(municipalities=["0133100"], disaster_mode=["土砂災害警戒情報"])
    ingest(runner, SEDIMENT_ISSUED)
    with db.read_transaction(app) as session:
        assert not mode.mode_now(session, NOW).active
    assert "土砂災害警戒情報" not in say(app, "警報出てる？").messages[0].text


def test_a_kind_in_force_the_pack_does_not_name_leaves_the_mode_off(app, runner, configure, tmp_path):
    configure(municipalities=["0133100"], disaster_mode=["大津波警報"])
    ingest_today(runner, tmp_path, SEDIMENT_ISSUED)
    with db.read_transaction(app) as session:
        assert not mode.mode_now(session, NOW).active


def test_a_drill_after_a_real_warning_leaves_the_mode_on(app, runner, configure, tmp_path):
    configure(municipalities=["0133100"], disaster_mode=["土砂災害警戒情報"])
    ingest_today(runner, tmp_path, SEDIMENT_ISSUED)
    drill = (DATA / SEDIMENT_LIFTED).read_bytes().replace("<Status>通常</Status>".encode(),
                                                          "<Status>訓練</Status>".encode())
    (tmp_path / "drill.xml").write_bytes(re.sub(rb"\d{4}-\d{2}-\d{2}T", NOW.strftime("%Y-%m-%dT").encode(), drill))
    runner.invoke(args=["jma", "ingest", str(tmp_path / "drill.xml")])
    with db.read_transaction(app) as session:
        assert mode.mode_now(session, NOW).active


@pytest.mark.parametrize("table, problem", [
    ({"municipalities": ["122400"]}, "7-digit"),
    ({"municipalities": [122400]}, "7-digit"),
    ({"weather": "r05"}, "weather must be"),
    ({"min_intensity": "5弱"}, "min_intensity"),
    ({"auto_relay": "震度５弱"}, "auto_relay"),
    ({"municipality": ["0122400"]}, "unknown key"),
])
def test_a_wrong_jma_table_is_refused_naming_the_key(table, problem):
    with pytest.raises(city.JmaConfigError, match=problem):
        city.read_config(table)


def test_the_times_are_told_in_the_citys_time(configure, app, runner):
    """Control/DateTime is UTC, ReportDateTime JST: residents read JST."""
    configure(quake_areas=["167"], min_intensity="3")
    ingest(runner, "VXSE51_hokkaido-toho-oki_20210220.xml")
    assert "2月20日 22:25 気象庁発表" in listed(runner)[0]["text"]


def test_residents_asking_for_warnings_get_jmas_in_force_in_jmas_words(app, runner, configure, tmp_path):
    configure(municipalities=["0122400"], advisories=True)
    ingest_today(runner, tmp_path, CHITOSE)
    text = say(app, "いま警報とか出てる？").messages[0].text
    assert "気象庁の発表（11月20日 13:52 札幌管区気象台）：雷注意報、濃霧注意報" in text
    assert "出典：気象庁ホームページ（気象庁防災情報XML）" in text


def test_a_question_about_what_happens_under_a_warning_is_left_to_the_faq(app):
    assert say(app, "警報が出たら学校は休みですか").intent != "notices"


def test_with_nothing_in_force_the_answer_does_not_say_all_clear(app, configure):
    configure(municipalities=["0122400"])
    text = say(app, "今の警報は？").messages[0].text
    assert "受け取っていません" in text and "気象庁のホームページで確かめてください" in text


def test_a_city_that_reads_no_jma_telegram_says_nothing_of_them(app):
    assert "気象庁" not in say(app, "今の警戒レベルは？").messages[0].text


def test_a_warning_lifted_is_no_longer_told(app, runner, configure, tmp_path):
    configure(municipalities=["0133100"])
    ingest_today(runner, tmp_path, SEDIMENT_ISSUED)
    assert "土砂災害警戒情報" in say(app, "警報出てる？").messages[0].text
    ingest_today(runner, tmp_path, SEDIMENT_LIFTED)
    assert "土砂災害警戒情報" not in say(app, "警報出てる？").messages[0].text


def test_what_is_in_force_is_read_from_the_last_days_telegrams_by_their_index(app, database_url):
    """A week of telegrams (2,000): the lookup every fallback reply and shelter answer makes reads the last day's
    by the index on their send time, not the whole table (months of telegrams on a busy feed)."""
    engine = db.session_factory(app).kw["bind"]
    rows = [{"key": f"k{n}", "family": "VPWW54", "title": "気象警報・注意報", "series": f"s{n % 40}",
             "office": "札幌管区気象台", "sent_at": NOW - timedelta(minutes=5 * n),
             "reported_at": NOW - timedelta(minutes=5 * n), "received_at": NOW - timedelta(minutes=5 * n),
             "outcome": "skipped", "in_force": ["大雨警報"] if n == 3 else [], "changes": []} for n in range(2000)]
    with db.transaction(app) as session:
        session.execute(sa.insert(JmaReport), rows)
    if database_url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE jma_report")
    explain = "EXPLAIN " if database_url.startswith("postgresql") else "EXPLAIN QUERY PLAN "
    plans = []

    def plan(conn, cursor, statement, parameters, context, executemany):
        if "max(jma_report.sent_at)" in statement and not plans:
            cursor.execute(explain + statement, parameters)
            plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))

    sa.event.listen(engine, "before_cursor_execute", plan)
    try:
        with db.read_transaction(app) as session:
            in_force = reports.in_force_now(session, NOW)
    finally:
        sa.event.remove(engine, "before_cursor_execute", plan)
    lines = [line.strip() for line in plans[0].splitlines()] if plans else []
    assert lines and not any(line == "SCAN jma_report" or line.startswith("Seq Scan on jma_report") for line in lines)
    assert any("ix_jma_report_sent_at" in line and "sent_at" in line for line in lines)
    assert in_force == []  # the latest telegram of the series says nothing is in force

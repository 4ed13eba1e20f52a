"""避難所 from the chat: the question, a location, a hazard, and the three nearest shelters with their status;
the import command and the pack that load them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from linebot.v3.messaging import LocationMessage
from linebot.v3.messaging import TextMessage

import db
from bot import dispatch
from bot import postbacks
from bot.context import context_for
from disaster.hazards import BY_KEY
from disaster.models import Shelter
from disaster.nearest import haversine_m
from messaging import texts
from tests import factories
from tests.chat import DEMO
from tests.chat import checked
from tests.chat import load_demo_pack
from tests.chat import press
from tests.chat import say
from tests.conftest import NOW

NEAR_AZUSA = (42.8425, 141.6500)  # beside 富丘中学校 and 千歳市総合武道館, あずさ 1丁目


def send_location(app, latitude: float, longitude: float):
    with app.app_context(), db.transaction(app) as session:
        return checked(dispatch.shelters.on_location(context_for(session), factories.USER_ID, latitude, longitude))


def buttons(reply) -> dict[str, str]:
    """The quick-reply buttons of the reply's last message: label → postback data (or action type)."""
    items = reply.messages[-1].quick_reply.items
    return {item.action.label: getattr(item.action, "data", None) or item.action.type for item in items}


def test_asking_for_a_shelter_offers_the_send_location_button(app):
    load_demo_pack(app)
    reply = say(app, "避難所どこ？")
    assert buttons(reply) == {"位置情報を送る": "location"}


def test_a_location_asks_for_the_hazard_among_those_the_city_has_shelters_for(app):
    """千歳市 has sites for 洪水, 土砂災害, 地震 and 火山 only: no 津波 button; and a place to stay."""
    load_demo_pack(app)
    reply = send_location(app, *NEAR_AZUSA)
    assert list(buttons(reply)) == ["洪水", "土砂災害", "地震", "火山", "避難所（滞在）"]


def test_the_three_nearest_sites_for_the_hazard_come_as_text_and_map_pins(app):
    """地震: three map pins, nearest first, and one text naming them with distance, hazards and status."""
    load_demo_pack(app)
    data = buttons(send_location(app, *NEAR_AZUSA))["地震"]
    reply = press(app, data)
    text, *pins = reply.messages
    assert isinstance(text, TextMessage) and all(isinstance(pin, LocationMessage) for pin in pins)
    assert len(pins) == 3
    with db.transaction(app) as session:
        quake = [s for s in session.scalars(sa.select(Shelter)) if s.hazards & BY_KEY["quake"].bit]
        expected = sorted(quake, key=lambda s: haversine_m(*NEAR_AZUSA, s.latitude, s.longitude))[:3]
    assert [pin.title for pin in pins] == [s.name for s in expected]
    assert "開設状況：未確認" in text.text and "出典：国土地理院" in text.text
    assert text.text.index(pins[0].title) < text.text.index(pins[1].title)


def test_the_volcano_search_finds_the_one_site_designated_for_it(app):
    """Only 千歳市総合武道館 is designated for 火山現象: it is the first and only volcano site found."""
    load_demo_pack(app)
    reply = press(app, buttons(send_location(app, 42.80, 141.60))["火山"])
    assert [m.title for m in reply.messages if isinstance(m, LocationMessage)] == ["千歳市総合武道館"]


def test_a_status_staff_set_is_shown_with_its_time_and_an_old_one_as_unconfirmed(app):
    load_demo_pack(app)
    data = buttons(send_location(app, *NEAR_AZUSA))["地震"]
    first = press(app, data).messages[1].title
    named = sa.update(Shelter).where(Shelter.name == first)  # a name may be two shelters (building and grounds)
    with db.transaction(app) as session:
        session.execute(named.values(status="open", crowding="some", status_at=NOW - timedelta(minutes=30)))
    assert "開設中・やや混雑" in press(app, data).messages[0].text
    with db.transaction(app) as session:
        session.execute(named.values(status_at=NOW - timedelta(hours=5)))
    assert "開設状況：未確認（最後の情報は" in press(app, data).messages[0].text


def test_a_place_name_instead_of_a_location_asks_for_the_hazard_there(app):
    """「あずさの避難所」: the shelters of あずさ are found by address; the hazard buttons search around them."""
    load_demo_pack(app)
    reply = say(app, "あずさの避難所")
    assert "「あずさ」の近く" in reply.messages[0].text
    found = press(app, buttons(reply)["地震"])
    assert all("あずさ" in pin.address for pin in found.messages[1:])


def test_a_place_with_no_shelter_asks_for_the_location_instead(app):
    load_demo_pack(app)
    reply = say(app, "ニューヨークの避難所")
    assert "見つかりませんでした" in reply.messages[0].text
    assert buttons(reply) == {"位置情報を送る": "location"}


def test_a_tampered_button_gets_a_kind_word(app):
    load_demo_pack(app)
    reply = press(app, postbacks.encode(postbacks.SHELTER, h="quake", la="nan", lo="141"))
    assert "もう一度「避難所」" in reply.messages[0].text


def test_without_shelter_data_the_city_desk_is_named(app, faq):
    reply = send_location(app, *NEAR_AZUSA)
    assert "まだ登録されていません" in reply.messages[0].text


def test_the_import_command_reports_and_a_second_import_changes_nothing(app, runner):
    files = [str(DEMO / "shelters" / "emergency.geojson"), str(DEMO / "shelters" / "evacuation.geojson")]
    first = runner.invoke(args=["shelters", "import", *files])
    assert first.exit_code == 0 and "192 added" in first.output
    second = runner.invoke(args=["shelters", "import", *files])
    assert "0 added, 0 changed, 0 removed, 192 unchanged" in second.output


def test_a_reimport_keeps_the_status_staff_set(app, runner):
    files = [str(DEMO / "shelters" / "emergency.geojson")]
    runner.invoke(args=["shelters", "import", *files])
    with db.transaction(app) as session:
        session.scalars(sa.select(Shelter).where(Shelter.name == "青空公園")).one().status = "open"
    runner.invoke(args=["shelters", "import", *files])
    with db.transaction(app) as session:
        assert session.scalars(sa.select(Shelter).where(Shelter.name == "青空公園")).one().status == "open"


def test_a_bad_file_imports_nothing_and_names_the_row(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("施設・場所名,住所,地震,緯度,経度\n公園,千歳市,1,42.8,141.6\n広場,千歳市,1,abc,141.6\n", encoding="utf-8")
    result = runner.invoke(args=["shelters", "import", str(bad)])
    assert result.exit_code != 0 and "bad.csv の3行目：緯度 は度の数値で書いてください（「abc」になっています）。" in result.output
    assert "bad.csv は取り込めません。1件の問題があり、何も取り込んでいません。" in result.output
    with db.transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Shelter)) == 0


def test_a_hazard_named_with_the_question_is_not_taken_for_a_place(app):
    """「津波 避難所」「大雨の避難場所」: the location is asked for (the hazard comes after it), no place is searched."""
    load_demo_pack(app)
    for text in ("津波 避難所", "大雨の避難場所", "避難場所しりたい"):
        reply = say(app, text)
        assert buttons(reply) == {"位置情報を送る": "location"}, text
        assert "見つかりませんでした" not in reply.messages[0].text, text


def test_a_question_about_shelters_rather_than_for_one_is_left_to_the_faq(app):
    """「避難所に持っていくもの」 asks what to bring, not where to go: the shelter search does not take it."""
    load_demo_pack(app)
    for text in ("避難所に持っていくもの", "避難所にペット連れて行ける？"):
        assert say(app, text).intent != "shelter", text


def test_dialect_polite_and_where_to_flee_questions_offer_the_location_button(app):
    """Written as residents write: Hokkaido dialect, a long polite request, 「どこに逃げればいい」, a status question."""
    load_demo_pack(app)
    for text in ("避難所どこだべ", "恐れ入りますが、近くの避難所を教えていただけますでしょうか", "どこに避難すればいい？",
                 "地震だ！どこに逃げたらいいべさ", "津波のときどこに逃げればいい", "避難所開いてる？"):
        reply = say(app, text)
        assert reply.intent == "shelter" and buttons(reply) == {"位置情報を送る": "location"}, text


def test_a_shelter_said_lately_to_be_full_or_closed_comes_after_the_others(app):
    """富丘中学校 is the nearest for 地震 here; once its staff say it is full, the three shown are others."""
    load_demo_pack(app)
    data = buttons(send_location(app, *NEAR_AZUSA))["地震"]
    first = press(app, data).messages[1].title
    with db.transaction(app) as session:
        session.execute(sa.update(Shelter).where(Shelter.name == first).values(
            status="full", crowding="full", status_at=NOW - timedelta(minutes=10)))
    after = [m.title for m in press(app, data).messages if isinstance(m, LocationMessage)]
    assert first not in after and len(after) == 3


def test_a_facility_the_data_lists_twice_is_shown_once(app):
    """北海道千歳高等支援学校 is two 指定避難所 rows (two 共通ID): a place to stay near it names it once."""
    load_demo_pack(app)
    with db.transaction(app) as session:
        school = session.scalars(sa.select(Shelter).where(Shelter.name == "北海道千歳高等支援学校")).first()
        place = (school.latitude, school.longitude)
    reply = press(app, buttons(send_location(app, *place))["避難所（滞在）"])
    titles = [m.title for m in reply.messages if isinstance(m, LocationMessage)]
    assert titles.count("北海道千歳高等支援学校") == 1 and len(titles) == 3


def test_a_hazard_named_with_the_question_is_not_asked_again_when_the_location_comes(app):
    """「地震の避難所どこ？」 then a location: the nearest sites for 地震 at once, the other hazards a button away."""
    load_demo_pack(app)
    asked = say(app, "地震の時の避難所どこ？")
    assert asked.messages[0].text.startswith("地震のときの避難場所をお探しします。")
    reply = send_location(app, *NEAR_AZUSA)
    assert "地震のときの指定緊急避難場所" in reply.messages[0].text
    assert "地震" not in buttons(reply) and "洪水" in buttons(reply)


def test_the_hazard_named_is_forgotten_once_the_location_has_come(app):
    load_demo_pack(app)
    say(app, "じしんのときのひなんじょ")
    send_location(app, *NEAR_AZUSA)
    again = send_location(app, *NEAR_AZUSA)
    assert "地震" in buttons(again)  # asked as usual


def test_a_hazard_named_with_a_place_shows_the_shelters_at_once(app):
    load_demo_pack(app)
    reply = say(app, "あずさの洪水の避難所")
    assert "洪水のときの指定緊急避難場所" in reply.messages[0].text and len(reply.messages) == 4


def test_a_hazard_the_city_has_no_site_for_is_said_before_the_location_is_asked(app):
    """千歳市 has no 津波 site: the resident is told so, then asked for the location as usual."""
    load_demo_pack(app)
    reply = say(app, "津波の避難場所は？")
    assert "津波に対応する指定緊急避難場所がありません" in reply.messages[0].text
    assert buttons(reply) == {"位置情報を送る": "location"}


def test_a_place_far_from_every_shelter_is_told_it_may_be_outside_the_city(app):
    """A location in 札幌, about 32 km from the nearest site: the list comes with a note first."""
    load_demo_pack(app)
    data = buttons(send_location(app, 43.0618, 141.3545))["地震"]
    text = press(app, data).messages[0].text
    assert text.startswith("送られた場所からかもめ市の避難場所まで約") and "km" in text.splitlines()[0]


def test_a_place_in_another_region_gets_no_list_only_where_to_look(app):
    """A location in Tokyo, about 800 km away: no hazard question and no list, only where to look instead."""
    load_demo_pack(app)
    reply = send_location(app, 35.6812, 139.7671)
    [message] = reply.messages
    assert "かもめ市の外にいらっしゃるようです" in message.text and "119番" in message.text
    assert message.quick_reply is None


def test_a_place_in_the_city_gets_no_such_warning(app):
    load_demo_pack(app)
    data = buttons(send_location(app, *NEAR_AZUSA))["地震"]
    assert press(app, data).messages[0].text.startswith("近い順に3か所です")


def test_a_nearer_shelter_staff_said_is_full_is_named_not_dropped(app, runner):
    """富丘中学校 (about 80 m) is full: the list starts further away, and says why the nearest is not in it."""
    load_demo_pack(app)
    assert runner.invoke(args=["shelters", "status", "富丘中学校", "--full"]).exit_code == 0
    data = buttons(send_location(app, *NEAR_AZUSA))["洪水"]
    first_line = press(app, data).messages[0].text.splitlines()[0]
    assert first_line.startswith("近くの富丘中学校（約") and "満員のため" in first_line


def test_a_danger_told_now_is_answered_with_what_to_do_then_the_search(app):
    """「川があふれそう」 (once answered with how to put out roof tiles, 瓦): first what to do, then the location for
    flood sites, remembered for when it comes."""
    load_demo_pack(app)
    reply = say(app, "川があふれそう、どうしたらいい？")
    first, ask = reply.messages
    assert "川や水路に近づかず" in first.text and "119番" in first.text
    assert ask.text.startswith("洪水のときの避難場所をお探しします。") and buttons(reply) == {"位置情報を送る": "location"}


def test_someone_who_will_not_be_able_to_get_to_a_shelter_is_told_what_to_do_as_well(app):
    """「大雨のときに避難所まで歩けないかも」: a condition on the hazard keeps the danger steps out, not this help."""
    load_demo_pack(app)
    reply = say(app, "足が悪いので大雨のとき避難所に行けないかもしれません")
    assert "避難所へ行けないときは" in reply.messages[0].text


def test_someone_who_cannot_get_to_a_shelter_is_told_what_to_do_first(app):
    load_demo_pack(app)
    reply = say(app, "うちのじいちゃん動けないんだけど避難どうすればいいべ")
    assert "避難所へ行けないときは" in reply.messages[0].text and "119番" in reply.messages[0].text


def test_a_shelter_named_with_a_question_about_it_gets_its_status(app, runner):
    """「富丘中学校は開いてる？」 (once a school-enrolment entry): the status staff last set, and where it is."""
    load_demo_pack(app)
    runner.invoke(args=["shelters", "status", "富丘中学校", "--full"])
    reply = say(app, "富丘中学校は開いてる？")
    text, pin = reply.messages
    assert text.text.startswith("富丘中学校") and "開設状況：満員" in text.text
    assert isinstance(pin, LocationMessage) and pin.title == "富丘中学校"


def test_a_shelter_named_with_another_question_is_left_to_the_faq(app):
    load_demo_pack(app)
    assert say(app, "富丘中学校の入学説明会").intent != "shelter_status"


def test_the_ways_residents_type_the_question_start_the_search(app):
    load_demo_pack(app)
    for text in ("避難所どこ😭", "ひなんじょってどこにあるんだべ", "ひなんしょ　どこ？？", "非難所どこ", "地震のとき　どこ逃げる",
                 "地震きたらどこさ逃げればいいっしょ？", "避難場所おしえて🙏"):
        assert buttons(say(app, text)) == {"位置情報を送る": "location"}, text


def test_a_word_around_the_question_is_taken_whole_where_a_shorter_one_begins_it(app):
    """「どこさあるの」: 「どこさ」 is taken whole (not 「どこ」 leaving 「さ」, which read as a question about shelters)."""
    load_demo_pack(app)
    for text in ("避難所どこさあるの？", "ひなんじょどこさあるの"):
        assert buttons(say(app, text)) == {"位置情報を送る": "location"}, text


def test_a_hazard_with_its_kind_in_words_is_no_place(app):
    """「土砂災害の避難場所」: not 「『災害』という地名が見つかりませんでした」."""
    load_demo_pack(app)
    assert say(app, "土砂災害の避難場所").messages[0].text.startswith("土砂災害のときの避難場所をお探しします。")


@pytest.mark.parametrize("text", ["今揺れた！！地震どうしたらいい", "ゆれてる こわい", "地震だ！"])
def test_a_quake_told_now_is_answered_with_what_to_do_then_the_search(app, text):
    """「今揺れた！」 (once a 「もしかして」 list, then only a link): how to keep safe while it shakes and after, 119
    for the hurt or trapped, then the location for quake sites."""
    load_demo_pack(app)
    reply = say(app, text)
    first, ask = reply.messages
    assert "頭を守り" in first.text and "119番" in first.text
    assert ask.text.startswith("地震のときの避難場所をお探しします。") and buttons(reply) == {"位置情報を送る": "location"}


def test_a_flooded_street_told_now_is_a_flood_danger(app):
    """「道が川みたいになってる」 (once 「もしかして」): not to walk in the water, then the search for flood sites."""
    load_demo_pack(app)
    first, ask = say(app, "大雨で家の前の道が川みたいになってる").messages
    assert "水の中を歩いたり" in first.text and ask.text.startswith("洪水のときの避難場所をお探しします。")


@pytest.mark.parametrize("text", ["地震が来たらどうしたらいい？", "地震保険について", "浸水の罹災証明", "床下浸水したときの消毒",
                                  "この前の地震で壁にひびが入った"])
def test_what_would_happen_or_came_after_is_no_danger_told_now(app, text):
    """What to do if, insurance, and what comes after a flood are the FAQ's: no safety steps, no location asked."""
    load_demo_pack(app)
    reply = say(app, text)
    assert reply.intent != "shelter" and "位置情報を送る" not in "".join(message.text for message in reply.messages)


@pytest.mark.parametrize(("text", "hazard"), [
    ("浸水してきた！2階に上がればいい？", "flood"), ("床上浸水してる、今すぐ逃げたら危ない？", "flood"),
    ("冠水してる道、通ったら危ない？", "flood"), ("崖が崩れそう、今避難したらいい？", "landslide"),
    ("地震が起きた、時間がない", "quake"), ("今地震きた、テレビが倒れた", "quake"), ("家が揺れてる", "quake"),
])
def test_a_danger_told_now_with_a_question_of_what_to_do_is_still_a_danger(app, text, hazard):
    """A condition in the question asked next (上がれば, 逃げたら) is no condition on the hazard: what to do first."""
    load_demo_pack(app)
    first, ask = say(app, text).messages
    assert first.text == texts.SHELTER_DANGER[hazard] and "位置情報を送る" in ask.text


@pytest.mark.parametrize("text", ["地震や台風で壊れた屋根の修理の相談はどこ", "揺れが大きい家の耐震診断を受けたい",
                                  "ブランコで揺れてる子供", "庭に池みたいなのを作りたい",
                                  "家の前の道が川みたいに細いのですが拡幅工事の予定は"])
def test_words_of_a_hazard_that_tell_no_danger_now_get_no_safety_steps(app, text):
    """A repair, a diagnosis, a swing, a pond, a narrow road: no safety steps."""
    load_demo_pack(app)
    assert not any(text_ in message.text for message in say(app, text).messages
                   for text_ in texts.SHELTER_DANGER.values())

"""Health in the conversation: 119 first whatever is open, the city's lines and desk, nothing kept of what was said."""

from __future__ import annotations

import logging
import tomllib
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
import runtime
from bot import conversation
from bot.conversation import Step
from bot.models import Conversation
from faq import store as faq_store
from faq.importers import FaqRecord
from faq.models import QueryLog
from healthdesk import store as health_store
from messaging import texts
from tests import factories
from tests.chat import municipality
from tests.chat import say
from tests.chat import text_of
from tests.conftest import NOW

DEMO_HEALTH = Path(__file__).resolve().parents[2] / "packs" / "demo" / "health.toml"
EVENING = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)  # 21:30 in Japan
SUNDAY_NOON = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 12:00 in Japan on Sunday 22 November


def demo_section() -> dict:
    return tomllib.loads(DEMO_HEALTH.read_text(encoding="utf-8"))


@pytest.fixture
def city(app):
    """かもめ市 with the demo pack's health data."""
    with db.transaction(app) as session:
        municipality(session)
        health_store.save_section(session, demo_section())


def calls(reply) -> list[str]:
    """The tel: URIs of the reply's quick-reply buttons."""
    items = [item for m in reply.messages if m.quick_reply for item in m.quick_reply.items]
    return [item.action.uri for item in items if item.action.type == "uri"]


def first_text(reply) -> str:
    return reply.messages[0].text


EMERGENCY_START = texts.HEALTH_EMERGENCY.split("\n")[0].format(number="119")


class TestEmergency:
    @pytest.mark.parametrize("message", ["いきがくるしい", "胸がすごく痛いです", "じいちゃんが倒れて返事せん",
                                         "子供がひきつけをおこした"])
    def test_the_first_message_is_119_with_a_call_button(self, app, city, message):
        """A red flag is answered with the 119 message first, the city to name first, and a button to call."""
        reply = say(app, message)
        assert first_text(reply).startswith(EMERGENCY_START)
        assert "「かもめ市」から" in first_text(reply)
        assert "tel:119" in calls(reply)

    @pytest.mark.parametrize("message", ["家が火事です", "地震で家が傾いてしまいました", "家がつぶれて出られない"])
    def test_a_fire_or_a_rescue_is_119_first_without_words_of_diagnosis(self, app, city, message):
        """A fire or a person trapped: 119 first with the call button, and no talk of diagnosis (it is no illness)."""
        reply = say(app, message)
        assert first_text(reply).startswith(EMERGENCY_START)
        assert "診断" not in first_text(reply) and "消防に通報できません" in first_text(reply)
        assert "tel:119" in calls(reply)

    def test_without_any_health_data_the_national_red_flags_still_apply(self, app):
        """A city that loaded no health section still answers a red flag with 119 first."""
        with db.transaction(app) as session:
            municipality(session)
        reply = say(app, "意識がない")
        assert first_text(reply).startswith(EMERGENCY_START)

    def test_119_comes_first_even_with_an_area_step_open(self, app, city):
        """A step waiting for the area does not catch a red flag; the step is closed afterwards."""
        with db.transaction(app) as session:
            conversation.start(session, factories.USER_ID, Step.ASK_AREA, NOW, then="明日のごみ")
        reply = say(app, "胸が痛い")
        assert first_text(reply).startswith(EMERGENCY_START)
        with db.transaction(app) as session:
            assert session.get(Conversation, factories.USER_ID) is None

    def test_an_act_under_way_gives_119_then_the_mental_health_lines(self, app, city):
        """Despair with an act under way: 119 first, then the lines to talk to."""
        reply = say(app, "薬をたくさん飲んでしまった。死にたい")
        assert first_text(reply).startswith(EMERGENCY_START)
        assert "よりそいホットライン 0120-279-338" in reply.messages[1].text


POLICE_START = texts.POLICE_EMERGENCY.split("\n")[0].format(number="110")


class TestPolice:
    def test_violence_is_110_first_then_the_police_and_dv_lines(self, app, city):
        """旦那に殴られた: the 110 message first, then #9110 and the DV lines, each with a button."""
        reply = say(app, "旦那に殴られた")
        assert first_text(reply).startswith(POLICE_START)
        assert "「かもめ市」の場所" in first_text(reply)
        assert "DV相談ナビ #8008" in reply.messages[1].text
        assert calls(reply)[:3] == ["tel:110", "tel:%239110", "tel:%238008"]

    def test_a_break_in_gives_the_police_line_without_the_dv_lines(self, app, city):
        """泥棒に入られた: 110 first and the police consultation line; the DV lines are not for this."""
        reply = say(app, "泥棒に入られた")
        assert first_text(reply).startswith(POLICE_START)
        assert "#9110" in text_of(reply) and "DV相談" not in text_of(reply)

    def test_110_comes_first_even_with_an_area_step_open(self, app, city):
        """A step waiting for the area does not catch a missing child (the trial's 「ごみの日」 then danger)."""
        with db.transaction(app) as session:
            conversation.start(session, factories.USER_ID, Step.ASK_AREA, NOW, then="明日のごみ")
        reply = say(app, "子どもがいなくなった")
        assert first_text(reply).startswith(POLICE_START)
        with db.transaction(app) as session:
            assert session.get(Conversation, factories.USER_ID) is None

    def test_an_injury_from_violence_is_119_first_and_110_after(self, app, city):
        """Bleeding after being hit: 119 first, then a line to call 110 too, with both buttons."""
        reply = say(app, "夫に殴られて血が止まらない")
        assert first_text(reply).startswith(EMERGENCY_START)
        assert texts.POLICE_TOO.format(number="110") in text_of(reply)
        assert calls(reply)[:2] == ["tel:119", "tel:110"]

    def test_what_was_said_to_the_police_route_is_not_kept(self, app, city):
        """Only that a police reply was given is logged: no text and no resident (a crime suffered is sensitive)."""
        say(app, "ストーカーされてる")
        with db.read_transaction(app) as session:
            rows = session.execute(sa.select(QueryLog.normalized_text, QueryLog.resident_hash, QueryLog.intent)).all()
        assert rows == [("", None, "health.police")]


class TestSelfHarm:
    def test_despair_gets_the_lines_and_119_if_in_danger(self, app, city):
        """死にたい: thanks, the lines with hours (the city's too), and 119 if in danger now."""
        text = text_of(say(app, "しにたい"))
        assert "よりそいホットライン 0120-279-338（24時間・無料）" in text
        assert "北海道いのちの電話 011-231-4343" in text
        assert texts.HEALTH_SELF_HARM_NOW.format(number="119") in text


class TestDoubt:
    def test_where_there_is_no_7119_the_local_alternatives_are_given(self, app, city):
        """かもめ市 has no #7119: it says so, gives 119 first and the facility-information line."""
        reply = say(app, "救急車よぶべき？")
        assert first_text(reply) == texts.HEALTH_DOUBT_FIRST.format(number="119")
        assert "かもめ市では、救急安心センター（#7119）は利用できません。" in text_of(reply)
        assert "北海道救急医療情報案内センター 0120-20-8699" in text_of(reply)
        assert "tel:%237119" not in calls(reply)

    def test_where_7119_exists_it_is_offered(self, app):
        """A pack that says #7119 exists here gets it offered, with its button."""
        section = {"lines": {"q7119": {"available": True, "name": "救急安心センターさっぽろ"}}}
        with db.transaction(app) as session:
            municipality(session)
            health_store.save_section(session, section)
        reply = say(app, "救急車を呼ぶか迷っています")
        assert "救急安心センターさっぽろ #7119（24時間）に相談できます" in text_of(reply)
        assert "tel:%237119" in calls(reply)


    def test_a_doubt_about_a_child_in_the_evening_gives_the_child_line_after_119(self, app, city):
        """「子どもが39度の熱…救急車を呼ぶほどではない…どこに相談すれば」 at 21:30: 119 first, then #8000 with its
        button, and no word of the #7119 the city lacks (a trial's parent got the adult's lines only)."""
        runtime.of(app).clock = lambda: EVENING
        reply = say(app, "夜中に子どもが39度の熱を出しました。救急車を呼ぶほどではないと思うのですが、どこに相談すればいいですか？")
        assert first_text(reply) == texts.HEALTH_DOUBT_FIRST.format(number="119")
        assert "北海道小児救急電話相談 #8000（毎日19時〜翌朝8時）" in reply.messages[1].text
        assert calls(reply)[:2] == ["tel:119", "tel:%238000"]
        assert "#7119" not in text_of(reply)

    def test_a_doubt_about_a_child_by_day_gives_the_child_lines_hours_and_where_to_ask_now(self, app, city):
        """At noon on a Sunday #8000 is closed: its hours, then where to ask which hospital sees patients now."""
        runtime.of(app).clock = lambda: SUNDAY_NOON
        reply = say(app, "赤ちゃんが吐いたけど救急車よぶべき？")
        text = text_of(reply)
        assert first_text(reply) == texts.HEALTH_DOUBT_FIRST.format(number="119")
        assert "北海道小児救急電話相談（#8000）の受付は毎日19時〜翌朝8時です。" in text
        assert "北海道救急医療情報案内センター 0120-20-8699" in text and "tel:%238000" not in calls(reply)


class TestChild:
    def test_in_the_evening_the_child_line_is_given(self, app, city):
        """At 21:30 #8000 answers (毎日19時〜翌朝8時): it comes first, with its button."""
        runtime.of(app).clock = lambda: EVENING
        reply = say(app, "子どもが熱を出した")
        assert "北海道小児救急電話相談 #8000（毎日19時〜翌朝8時）" in first_text(reply)
        assert "tel:%238000" in calls(reply)

    def test_asked_where_at_night_the_child_line_comes_first_then_the_clinic(self, app, city):
        """「夜間やってる病院ある？」 for a child at 21:30: #8000 first, then the 急病センター with its button, then
        the signs that need 119 (a trial's parent got #8000 alone)."""
        runtime.of(app).clock = lambda: EVENING
        reply = say(app, "子どもが熱38度あるんだけど夜間やってる病院ある？")
        texts_ = [message.text for message in reply.messages]
        assert "#8000" in texts_[0] and "かもめ市休日夜間急病センター" in texts_[1] and "119番" in texts_[-1]
        assert calls(reply) == ["tel:%238000", "tel:0123456750", "tel:119"]

    def test_at_noon_the_child_line_hours_and_the_desk_are_given(self, app, city):
        """At noon #8000 is closed: its hours, the city's desk and the 急病センター instead."""
        reply = say(app, "こどもが吐いた")
        assert "#8000）の受付は毎日19時〜翌朝8時です" in text_of(reply)
        assert "かもめ市保健センター 健康相談（0123-45-6740" in text_of(reply)
        assert "tel:%238000" not in calls(reply)


    def test_on_a_sunday_at_noon_the_places_open_now_come_first_with_their_buttons(self, app, city):
        """Sunday noon: #8000 and the desk are closed; the 急病センター is listed first and its button comes
        before the closed desk's (a trial's parent was offered the closed desk's number only)."""
        runtime.of(app).clock = lambda: SUNDAY_NOON
        reply = say(app, "こどもが吐いた")
        assert calls(reply)[0] == "tel:0123456750" and calls(reply)[-1] == "tel:119"


class TestWhereAndWorry:
    def test_where_can_i_be_seen_gives_the_emergency_clinic(self, app, city):
        """本日営業している病院: the 休日夜間急病センター with phone and hours, and the information line."""
        text = text_of(say(app, "本日営業している病院"))
        assert "かもめ市休日夜間急病センター（内科・小児科）" in text
        assert "電話 0123-45-6750" in text
        assert "0120-20-8699" in text

    def test_a_worry_about_ones_mood_gets_the_lines_that_listen_then_the_desk_then_119(self, app, city):
        """「眠れなくて気分が落ち込みます」: the mental-health lines first, the health desk after, 119 if in danger now;
        no 急病センター (a clinic for 内科・小児科 is no answer to low mood)."""
        reply = say(app, "最近ずっと眠れなくて気分が落ち込みます。相談できるところはありますか")
        texts_ = [message.text for message in reply.messages]
        assert texts_[0].startswith(texts.HEALTH_MOOD) and "0570-064-556" in texts_[0]
        assert "かもめ市保健センター 健康相談" in texts_[1] and "119番" in texts_[2]
        assert "急病センター" not in text_of(reply)

    def test_a_feeling_alone_gets_the_desks_reply_then_the_lines_that_listen_then_119(self, app, city):
        """「最近しんどい…」 may be the body's or the mood's: what the body may need first (the desk, the 急病センター),
        the mental-health lines after it, 119 last."""
        reply = say(app, "最近しんどい…")
        texts_ = [message.text for message in reply.messages]
        assert "かもめ市保健センター 健康相談" in texts_[0]
        assert texts_[1].startswith(texts.HEALTH_FEELING) and "0570-064-556" in texts_[1] and "119番" in texts_[2]

    def test_a_worry_goes_to_the_health_desk_not_the_city_office_fallback(self, app, city):
        """熱がある: the health desk, no judgement, and 119 if it gets worse; not the 市民課 fallback."""
        reply = say(app, "熱がある")
        assert reply.intent == "health.worry"
        assert "かもめ市保健センター 健康相談（0123-45-6740、平日 8時45分〜17時30分）" in text_of(reply)
        assert "病気かどうかの判断はできません" in text_of(reply)
        assert "市民課" not in text_of(reply)

    def test_a_worry_at_night_gives_what_answers_now_before_the_closed_desk(self, app, city):
        """熱がある at 21:30: the 急病センター and the information line first, the desk after, said to be closed."""
        runtime.of(app).clock = lambda: EVENING
        text = text_of(say(app, "熱がある"))
        assert text.index("かもめ市休日夜間急病センター") < text.index("0123-45-6740")
        assert "受付時間外" in text

    def test_the_facility_offered_for_a_worry_says_what_it_sees(self, app, city):
        """「日曜日に歯が痛くなったら開いている歯医者は」 at night: the 急病センター is named with its departments
        (内科・小児科), so a resident with a toothache is not told unsaid to go to a 内科."""
        runtime.of(app).clock = lambda: EVENING
        text = text_of(say(app, "日曜日に歯が痛くなったら開いている歯医者はありますか"))
        assert "かもめ市休日夜間急病センター（内科・小児科、0123-45-6750、受付" in text

    def test_an_faq_entry_that_answers_the_worry_comes_after_the_desk_with_the_buttons_last(self, app, city):
        """子どもが熱を出してしまいました is a FAQ question word for word: the child line first, the entry after
        it, the call buttons on the last message, within LINE's five messages."""
        with db.transaction(app) as session:
            faq_store.save_records(session, [FaqRecord("589", "子どもが熱を出してしまいました。", "熱の目安の案内")])
        reply = say(app, "子どもが熱を出してしまいました")
        assert reply.intent == "health.child"
        assert "熱の目安の案内" in reply.messages[-1].text
        assert "熱の目安の案内" not in first_text(reply)
        assert reply.messages[-1].quick_reply is not None and len(reply.messages) <= 5

    def test_a_worry_the_faq_may_answer_carries_what_the_search_found(self, app, city):
        """The FAQ search made for a child's worry is the reply's candidates (``ask`` shows them, not a second
        search)."""
        with db.transaction(app) as session:
            faq_store.save_records(session, [FaqRecord("589", "子どもが熱を出してしまいました。", "熱の目安の案内")])
        reply = say(app, "子どもが熱を出してしまいました")
        assert [hit.faq_id for hit in reply.candidates][:1] == ["589"]

    def test_kowai_in_hokkaido_goes_to_the_desk_not_the_mental_health_lines(self, app, city):
        """からだがこわい is tiredness: the health desk, not よりそいホットライン."""
        text = text_of(say(app, "からだがこわい"))
        assert "かもめ市保健センター" in text
        assert "よりそいホットライン" not in text

    @pytest.mark.parametrize("message", ["いきがくるしい", "しにたい", "救急車よぶべき？", "子どもが熱", "本日営業している病院",
                                         "熱がある"])
    def test_no_reply_names_a_disease_or_says_it_is_fine(self, app, city, message):
        """Health replies never name a disease nor reassure."""
        text = text_of(say(app, message))
        for word in ("大丈夫", "心配ありません", "様子を見て", "脳卒中", "心筋梗塞", "熱中症", "インフルエンザ", "風邪"):
            assert word not in text


class TestPrivacy:
    def test_nothing_of_what_was_said_is_kept(self, app, city, session, caplog):
        """Health messages leave a log row without text or resident, and no trace in the logs."""
        caplog.set_level(logging.DEBUG)
        for message in ("胸がすごく痛いです", "しにたい", "熱がある"):
            say(app, message)
        rows = session.execute(sa.select(QueryLog.normalized_text, QueryLog.resident_hash, QueryLog.intent)).all()
        assert sorted(rows) == [("", None, "health.emergency"), ("", None, "health.self_harm"),
                                ("", None, "health.worry")]
        assert session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0
        logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
        for said in ("胸", "しにたい", "熱", factories.USER_ID):
            assert said not in logged


class TestReload:
    def test_edited_health_data_changes_the_answers(self, app, city):
        """A reload with another desk phone and a new red-flag phrase changes the replies at once."""
        assert say(app, "目を開けない").intent != "health.emergency"
        section = demo_section()
        section["desk"]["phone"] = "0123-45-9999"
        section["red_flags"] = {"意識": ["意識 ない", "目 開けない"]}
        with db.transaction(app) as session:
            health_store.save_section(session, section)
        assert first_text(say(app, "目を開けない")).startswith(EMERGENCY_START)
        assert "0123-45-9999" in text_of(say(app, "熱がある"))


def test_a_red_flag_through_the_signed_webhook_replies_119_first(app, city, post_webhook, line_api):
    """Through LINE: the reply to 「いきがくるしい」 starts with the 119 message and LINE accepts it."""
    assert post_webhook(factories.body(factories.text_event("いきがくるしい"))).status_code == 200
    assert line_api.violations == []
    (_token, sent), = line_api.replies
    assert sent[0]["text"].startswith(EMERGENCY_START)
    assert sent[-1]["quickReply"]["items"][0]["action"] == {"type": "uri", "label": "119番に電話する", "uri": "tel:119"}

"""Dialogue steps that never trap: a step takes only its answer, lets anything else be answered as a new
message, keeps the garbage question that waited for the area, and reads area names loosely (demo pack:
かもめ市 with 高松's garbage areas and the demo FAQ; NOW is Fri 2026-11-20 in Japan)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot import postbacks
from bot.models import Conversation
from residents.models import Child
from residents.models import Resident
from tests import factories
from tests.chat import load_demo_garbage
from tests.chat import load_demo_pack
from tests.chat import press
from tests.chat import say
from tests.chat import text_of
from tests.conftest import NOW

KITA = "木太・林・多肥・国分寺南部"
KURI = "栗林・太田・香川（浅野）"
MAE = "前田・三谷・川添・仏生山・川島・十河・西植田・東植田・香南・香川（大野）"
NOT_FOUND = "見つかりませんでした"


@pytest.fixture
def city(app):
    """The demo pack loaded: its FAQ, synonyms, 高松's garbage data and かもめ市's contact."""
    load_demo_pack(app)


@pytest.fixture
def town(app, faq):
    """A lighter city for the steps themselves: the sample FAQ, the demo synonyms and 高松's garbage data."""
    load_demo_garbage(app, synonyms=True)


def area(session) -> str | None:
    return session.scalar(sa.select(Resident.area))


def step(session) -> str | None:
    return session.scalar(sa.select(Conversation.step))


class TestLettingGo:
    UNRELATED = ["粗大ごみ", "児童手当", "印鑑証明", "転入届を出したい", "マイナンバーカードの申請",
                 "住民票の写しがほしいです", "パスポートはどこで申請できますか", "保育園の申し込みについて"]

    def test_eight_unrelated_messages_after_the_area_question_are_each_answered(self, app, city):
        """After 「ごみ何曜日に出したらええの」 asks for the area, other questions get their own answers."""
        assert "町名" in text_of(say(app, "ごみ何曜日に出したらええの"))
        for typed in self.UNRELATED:
            reply = say(app, typed)
            assert NOT_FOUND not in text_of(reply), typed
            assert reply.kind in {"faq", "suggest", "intent"} and reply.intent != "area", typed

    def test_a_long_sentence_naming_no_area_is_not_taken_for_an_area(self, app, city, session):
        """A dialect sentence about something else, longer than any area answer, is not met with the area list."""
        say(app, "なまらさむいっしょ、ごみいつだべ")
        reply = say(app, "ほんまにどないなっとんねん、粗大ごみ出したいんやけど")
        assert reply.intent != "area" and "地域が見つかりませんでした" not in text_of(reply)
        assert step(session) is not None  # the garbage question still waits for the area

    def test_the_waiting_question_is_answered_once_the_town_is_typed_later(self, app, city, session):
        """The garbage question left waiting is answered when the resident later sends their town."""
        say(app, "ごみ何曜日に出したらええの")
        say(app, "児童手当")
        say(app, "印鑑証明")
        reply = say(app, "林です")
        assert f"地域を「{KITA}」に設定しました" in text_of(reply) and "【燃やせるごみ】" in text_of(reply)
        assert area(session) == KITA and step(session) is None

    def test_the_waiting_question_is_answered_after_the_area_setting(self, app, city, session):
        """Setting the area through 「地域設定」 later also answers the question that waited."""
        say(app, "燃えるごみはいつ？")
        say(app, "転入届を出したい")
        say(app, "地域設定")
        reply = say(app, "くりばやし")
        assert f"地域を「{KURI}」に設定しました" in text_of(reply) and "【燃やせるごみ】" in text_of(reply)

    def test_leaving_the_step_says_once_that_the_question_is_kept(self, app, city):
        """The first message after the step was left ends with a short note; later ones do not repeat it."""
        say(app, "ごみ何曜日に出したらええの")
        assert "さきほどのごみのご質問" in text_of(say(app, "児童手当"))
        assert "さきほどのごみのご質問" not in text_of(say(app, "印鑑証明"))

    def test_cancel_forgets_the_waiting_question(self, app, city, session):
        """「やめる」 closes the step and forgets the question: a town typed later is not taken as the area."""
        say(app, "ごみ何曜日に出したらええの")
        say(app, "やめる")
        say(app, "林です")
        assert area(session) is None and step(session) is None

    @pytest.mark.parametrize("typed", ["ありがとう", "了解です", "はい"])
    def test_small_talk_leaves_the_step(self, app, city, typed):
        """A thank-you or an acknowledgement is not taken for a town name."""
        say(app, "地域設定")
        reply = say(app, typed)
        assert NOT_FOUND not in text_of(reply) and reply.intent == "smalltalk"

    def test_the_waiting_question_is_not_kept_for_ever(self, app, city, session):
        """Once its day is over, the kept question goes: a town typed then is answered as a new message."""
        say(app, "ごみ何曜日に出したらええの")
        say(app, "児童手当")
        row = session.get(Conversation, factories.USER_ID)
        past = NOW - timedelta(minutes=1)
        row.expires_at, row.data = past, {**row.data, "later_until": past.isoformat()}
        session.commit()
        say(app, "林です")
        assert area(session) is None and step(session) is None


class TestAreasLoosely:
    @pytest.mark.parametrize("typed", ["はやし", "ハヤシ", "林です", "林に住んでます", "はやしにすんでます",
                                       "林町3丁目", "林地区", "林のあたりです"])
    def test_hayashi_in_any_script_or_sentence_sets_the_area(self, app, town, session, typed):
        """The reading, katakana, a sentence around the name, 町 / 丁目 / 地区 all find 林."""
        say(app, "地域設定")
        say(app, typed)
        assert area(session) == KITA

    @pytest.mark.parametrize(("typed", "expected"), [("仏生", MAE), ("こうざい", "檀紙・弦打・香西・鬼無・下笠居・国分寺北部"),
                                                     ("しおのえ", "高松第一（松島・築地・新塩屋町）花園・新番丁（四番丁）・塩江")])
    def test_readings_and_the_start_of_a_name_set_the_area(self, app, town, session, typed, expected):
        """A name cut short or typed in hiragana is taken when only one area fits."""
        say(app, "地域設定")
        say(app, typed)
        assert area(session) == expected

    @pytest.mark.parametrize(("typed", "expected"), [("くりばやい", KURI), ("国分寺", KITA), ("植田", MAE)])
    def test_a_typo_or_a_shared_part_offers_choices(self, app, town, session, typed, expected):
        """A near miss or a part several areas share is asked back with buttons, not guessed."""
        say(app, "地域設定")
        reply = say(app, typed)
        labels = [item.action.display_text for item in reply.messages[-1].quick_reply.items]
        assert expected in labels and area(session) is None

    @pytest.mark.parametrize("typed", ["火星", "みなと町", "大町です"])
    def test_an_unknown_place_lists_every_area_numbered(self, app, town, typed):
        """A place the city does not have gets the list of areas, as buttons and numbered lines."""
        say(app, "地域設定")
        reply = say(app, typed)
        text = text_of(reply)
        assert NOT_FOUND in text and f"1. {'高松第一'}" in text and "8. 屋島" in text
        assert len(reply.messages[-1].quick_reply.items) == 9  # eight areas and 「やめる」

    @pytest.mark.parametrize("typed", ["4", "４", "4番", "4です"])
    def test_a_number_picks_from_the_list(self, app, town, session, typed):
        """After the list, the number of an area sets it."""
        say(app, "地域設定")
        say(app, "火星")
        say(app, typed)
        assert area(session) == KITA

    def test_a_number_out_of_the_list_is_not_an_area(self, app, town, session):
        """A number past the list sets nothing."""
        say(app, "地域設定")
        say(app, "火星")
        say(app, "12")
        assert area(session) is None

    def test_a_listed_area_button_sets_it(self, app, town, session):
        """The buttons of the list set the area they name."""
        say(app, "地域設定")
        item = say(app, "火星").messages[-1].quick_reply.items[2]
        press(app, item.action.data)
        assert area(session) == KURI


class TestDateSteps:
    def consent(self, app):
        press(app, postbacks.encode(postbacks.CONSENT))

    @pytest.mark.parametrize(("typed", "shown"), [("2月30日", "2月30日"), ("13月5日", "13月5日"),
                                                  ("2027年2月29日", "2027年2月29日")])
    def test_a_day_that_does_not_exist_keeps_the_step_open(self, app, town, session, typed, shown):
        """An impossible date is named kindly, nothing is stored, and a correct date afterwards is taken."""
        self.consent(app)
        say(app, "出産予定日")
        assert f"{shown}という日はないようです" in text_of(say(app, typed))
        say(app, "3月2日")
        assert session.scalars(sa.select(Child.due_date)).all() == [date(2027, 3, 2)]

    @pytest.mark.parametrize("typed", ["児童手当", "粗大ごみの出し方は？", "ありがとう"])
    def test_anything_but_a_date_leaves_the_date_step(self, app, town, session, typed):
        """The date step lets go of a text without a date; it is answered as a new message."""
        self.consent(app)
        say(app, "出産予定日")
        reply = say(app, typed)
        assert reply.intent != "children" and step(session) is None


class TestLabelStep:
    def open_label_step(self, app, session):
        press(app, postbacks.encode(postbacks.CONSENT))
        press(app, postbacks.encode(postbacks.CHILD, op="add", kind="due"), date="2027-03-02")
        child_id = session.scalar(sa.select(Child.id))
        press(app, postbacks.encode(postbacks.CHILD, op="label", id=child_id))

    @pytest.mark.parametrize("typed", ["粗大ごみの出し方を教えてください", "住民票の写しを取りたい", "ありがとう"])
    def test_a_question_is_not_taken_for_a_nickname(self, app, town, session, typed):
        """The nickname step lets go of a question, which is answered; the child keeps no label."""
        self.open_label_step(app, session)
        reply = say(app, typed)
        assert reply.intent != "children" and session.scalar(sa.select(Child.label)) is None

    @pytest.mark.parametrize("typed", ["長女", "第1子", "たろう"])
    def test_a_nickname_is_still_taken(self, app, town, session, typed):
        """Ordinary nicknames are kept."""
        self.open_label_step(app, session)
        say(app, typed)
        assert session.scalar(sa.select(Child.label)) == typed


def test_the_kept_question_note_leaves_the_suggestion_buttons_shown(app, city):
    """The note after 「もしかして」 carries its buttons, since LINE shows only the last message's."""
    say(app, "ごみ何曜日に出したらええの")
    reply = say(app, "粗大ごみ")
    assert reply.kind == "suggest" and "さきほどのごみのご質問" in reply.messages[-1].text
    assert reply.messages[-1].quick_reply is not None and reply.messages[0].quick_reply is None


def test_only_the_garbage_question_is_kept_not_the_rest_of_the_message(app, town, session):
    """What waits for the area is rebuilt from the day asked; nothing else the resident wrote is stored."""
    say(app, "子どもが熱っぽいので、明日のごみは何か教えてください")
    kept = session.scalar(sa.select(Conversation.data))
    assert kept["then"] == "明日のごみ" and "熱" not in str(kept)
    reply = say(app, "林です")
    assert f"明日 11月21日(土) は、{KITA}のごみ収集はありません" in text_of(reply)


@pytest.mark.parametrize("typed", ["林の燃えるごみはいつ？", "はやしは明日何ごみですか"])
def test_a_garbage_question_naming_the_area_answers_the_step(app, town, session, typed):
    """Asked for the area, a garbage question that names one sets it and is answered."""
    say(app, "ごみ何曜日に出したらええの")
    reply = say(app, typed)
    assert f"地域を「{KITA}」に設定しました" in text_of(reply) and area(session) == KITA
    assert "さきほどのごみのご質問" not in text_of(reply)


class TestLeavingADateStep:
    def test_leaving_the_own_birth_date_says_where_to_register_it_later(self, app, town, session):
        """A question instead of the own birth date is answered, and the resident told where to go back to it."""
        press(app, postbacks.encode(postbacks.CONSENT))
        asked = press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1))
        assert "生年月日" in text_of(asked) and step(session) == "ask_own_birth_date"
        reply = say(app, "粗大ごみ")
        assert "「ご自身の生年月日」から" in text_of(reply) and step(session) is None

    def test_leaving_a_nickname_says_where_to_give_it_later(self, app, town, session):
        """A question instead of a child's nickname is answered, with a word on where to give it later."""
        press(app, postbacks.encode(postbacks.CONSENT))
        say(app, "子どもの登録")
        say(app, "2027年3月5日")
        child = session.scalar(sa.select(Child.id))
        press(app, postbacks.encode(postbacks.CHILD, op="label", id=child))
        reply = say(app, "粗大ごみはどうやって出しますか？")
        assert "呼び名はつけずにおきました" in text_of(reply) and step(session) is None

    def test_a_date_welcome_beside_the_list_is_left_quietly(self, app, town, session):
        """The list of registered children takes a date typed next, but leaving it brings no note."""
        press(app, postbacks.encode(postbacks.CONSENT))
        say(app, "子どもの登録")
        say(app, "2027年3月5日")
        assert step(session) == "ask_child_date"
        assert "続けるときは" not in text_of(say(app, "粗大ごみ"))

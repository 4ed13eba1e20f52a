"""Garbage answers in chat: items, today's and the next collection, for the resident's area (高松 data)."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
from bot import postbacks
from city import pack as packs
from faq import store as faq_store
from faq.importers import FaqRecord
from faq.importers import read_synonyms_file
from garbage import store as garbage_store
from garbage.answers import Catalog
from garbage.answers import date_question
from garbage.answers import first_open_day
from garbage.answers import is_when_question
from garbage.answers import item_question
from garbage.answers import next_day_of
from garbage.importers import read_exceptions
from garbage.importers import read_takamatsu
from residents.models import Resident
from tests import factories
from tests.chat import municipality
from tests.chat import press
from tests.chat import say
from tests.chat import text_of
from tests.conftest import NOW

DEMO = Path(__file__).resolve().parents[2] / "packs" / "demo"
KITA = "木太・林・多肥・国分寺南部"  # 燃やせる: 火・金, 破砕: 第1・3月, 缶びん: 第2・4木, 紙布: 第1・3木, プラ: 水


@pytest.fixture
def city(app):
    """かもめ市 with 高松's garbage data and the demo synonym table."""
    data = read_takamatsu(DEMO / "garbage" / "garbage_separation_list.csv",
                          DEMO / "garbage" / "garbage_collection_date.csv")
    with db.transaction(app) as session:
        municipality(session, department="環境課", phone="0123-45-6751")
        faq_store.save_synonyms(session, read_synonyms_file(DEMO / "synonyms.csv"))
        garbage_store.save_garbage(session, data, attribution="出典：高松市")


class TestItems:
    def test_item_question_names_the_category(self, app, city):
        """「アイロンは何ごみ？」 says which category the item belongs to."""
        reply = say(app, "アイロンは何ごみ？")
        assert reply.intent == "garbage_item"
        assert "アイロンは【破砕ごみ】です。" in text_of(reply)

    def test_several_things_in_one_message_are_each_answered(self, app, city):
        """「テレビと冷蔵庫を捨てたい」: both, side by side, under one heading."""
        reply = say(app, "テレビと冷蔵庫を捨てたい", area=KITA)
        text = text_of(reply)
        assert reply.intent == "garbage_item"
        assert "テレビと冷蔵庫の出し方です。" in text and "・テレビ：" in text and "・冷蔵庫：" in text

    def test_item_answer_gives_the_next_date_in_the_residents_area(self, app, city):
        """With an area, the answer adds the next collection day there (NOW is Fri 2026-11-20)."""
        reply = say(app, "アイロンは何ごみ？", area=KITA)
        assert "次の収集日は 12月7日(月)" in text_of(reply)

    def test_not_collected_items_say_the_city_does_not_take_them(self, app, city):
        """A 収集不可 item says so and where to take it."""
        text = text_of(say(app, "ボタン電池は何ごみ"))
        assert "市では収集していません" in text and "協力店" in text

    def test_items_with_conditions_show_every_variant(self, app, city):
        """An item listed under several conditions shows each of them."""
        text = text_of(say(app, "乾電池は何ごみ？"))
        assert "条件によって" in text and "筒形" in text and "ボタン電池" in text

    def test_variants_are_named_by_their_item_not_by_the_whole_sentence(self, app, city):
        """「年末にパソコン捨てたいんやけど」 shows パソコン's variants under パソコン, not under the sentence."""
        text = text_of(say(app, "年末にパソコン捨てたいんやけど"))
        assert text.startswith("パソコンは、条件によって") and "年末" not in text

    @pytest.mark.parametrize("typed", ["ｱｲﾛﾝ", "あいろん", "アイロン"])
    def test_item_name_alone_in_any_script_is_answered(self, app, city, typed):
        """The bare item name, in half-width or hiragana, is enough."""
        assert say(app, typed).intent == "garbage_item"

    def test_attribution_is_shown(self, app, city):
        """Answers from the city's open data carry its attribution."""
        assert "出典：高松市" in text_of(say(app, "アイロンは何ごみ？"))

    def test_ordinary_questions_are_left_to_the_faq(self, app, city):
        """A question that names no item is not taken by the garbage intents."""
        assert say(app, "住民票の写しを取りたい").intent is None


class TestItemsByTheirNames:
    @pytest.mark.parametrize("typed", ["電池", "でんち", "電池は何ごみ？", "使い終わった電池の捨て方"])
    def test_a_general_word_offers_each_kind_as_a_button(self, app, city, typed):
        """「電池」 lists the kinds of 電池 with a button each, and a way out."""
        reply = say(app, typed)
        assert reply.intent == "garbage_item"
        assert "いくつか種類があります" in text_of(reply) and "・ボタン電池" in text_of(reply)
        items = reply.messages[0].quick_reply.items
        assert [postbacks.decode(item.action.data)[0] for item in items[:-1]] == ["item"] * (len(items) - 1)
        assert postbacks.decode(items[-1].action.data)[0] == postbacks.CANCEL

    @pytest.mark.parametrize(("typed", "answer"), [
        ("古いテレビはどうやって捨てるの？", "テレビは【"),
        ("消火器の処分方法", "消火器は【"),
        ("スプレー缶どう捨てればいいですか", "スプレー缶は【"),
        ("傘ってどうやったら捨てられる？", "傘は【"),
        ("座布団を処分するには", "座布団"),
    ])
    def test_a_way_of_disposing_asked_in_own_words_is_a_sorting_question(self, app, city, typed, answer):
        """「どうやって捨てる」, 「処分方法」, 「どう捨てれば」 ask how to put the thing out, like 「何ごみ」."""
        reply = say(app, typed)
        assert reply.intent == "garbage_item" and answer in text_of(reply)

    @pytest.mark.parametrize(("typed", "answer"), [
        ("電球切れたんだけどどうやって捨てる", "電球"),
        ("傘が壊れたので捨てたい", "傘は【"),
        ("テレビ映らなくなったんだけど処分したい", "テレビは【"),
    ])
    def test_the_thing_named_before_what_happened_to_it_is_found(self, app, city, typed, answer):
        """「電球切れたんだけど…」: the thing comes first, then what happened to it, then the sorting question."""
        reply = say(app, typed)
        assert reply.intent == "garbage_item" and answer in text_of(reply)

    @pytest.mark.parametrize("typed", ["3", "１２", "!!", "3."])
    def test_a_number_alone_is_no_things_name(self, app, city, typed):
        """「3」 typed where no buttons wait is not 三段ボックス: no item is answered."""
        assert say(app, typed).intent != "garbage_item"

    @pytest.mark.parametrize(("typed", "name"), [("傘は？", "傘は【"), ("ペットボトルのキャップは？", "ペットボトルのキャップは、"),
                                                 ("スプレー缶って？", "スプレー缶は【")])
    def test_a_thing_asked_with_は_or_って_is_named_without_them(self, app, city, typed, name):
        """「傘は？」 is answered as 傘, and the reply never echoes 「傘は？は」."""
        reply = say(app, typed)
        assert reply.intent == "garbage_item" and name in text_of(reply) and "？は" not in text_of(reply)

    def test_pressing_a_kind_answers_how_to_put_it_out(self, app, city):
        """The button of ボタン電池 answers ボタン電池, for the resident's area."""
        items = say(app, "電池").messages[0].quick_reply.items
        [button] = [item for item in items if item.action.label == "ボタン電池"]
        reply = press(app, button.action.data)
        assert reply.intent == "garbage_item"
        assert text_of(reply).startswith("ボタン電池は【収集不可】")

    def test_a_button_for_an_item_no_longer_there_gets_a_kind_word(self, app, city):
        """An item button whose item the city removed since is answered kindly, not with an error."""
        assert "ボタン" in text_of(press(app, postbacks.encode(postbacks.ITEM, k="000000000000")))

    @pytest.mark.parametrize(("typed", "answer"), [
        ("ペットボトルのキャップ", "キャップ（プラスチック製）：【プラスチック容器包装】"),
        ("蛍光灯", "蛍光管（電球型蛍光管を含む）は【有害ごみ】です。"),
        ("引っ越しで出たダンボール", "段ボール箱は【紙・布】です。"),
        ("古いテレビを捨てたい", "テレビは【家電リサイクル法対象品】"),
    ])
    def test_things_named_loosely_are_answered_from_the_dictionary(self, app, city, typed, answer):
        """A thing named inside a description, as 「AのB」 or by a near name is the dictionary's item."""
        reply = say(app, typed)
        assert reply.intent == "garbage_item"
        assert answer in text_of(reply)

    def test_a_things_name_wins_over_faq_near_misses(self, app, city):
        """「電池」 is answered from the dictionary although an FAQ entry about swallowed button cells exists."""
        with db.transaction(app) as session:
            faq_store.save_records(session, [FaqRecord("968", "子どもがボタン電池を飲み込んでしまったらどうすればいいですか？",
                                                       "すぐに医師に相談してください。")])
        assert say(app, "電池").intent == "garbage_item"

    def test_a_real_question_about_the_thing_still_gets_the_faq(self, app, city):
        """「ボタン電池の回収協力店はどこ」 is not a sorting question: the FAQ answers it.

        (Swallowing one is a health matter the health desk answers with 119 first, before any intent.)
        """
        with db.transaction(app) as session:
            faq_store.save_records(session, [FaqRecord("970", "ボタン電池の回収協力店はどこにありますか？",
                                                       "市のホームページの一覧をご覧ください。")])
        reply = say(app, "ボタン電池の回収協力店はどこにありますか")
        assert reply.intent is None and "一覧" in text_of(reply)

    @pytest.mark.parametrize(("compound", "question"), [
        ("放課後クラブ", "放課後クラブについて教えてください。"), ("母子手帳", "母子手帳の受け取り場所はどこですか？"),
    ])
    def test_a_compound_the_faq_knows_wins_over_an_item_sharing_its_head(self, app, city, compound, question):
        """放課後クラブ is not a ゴルフクラブ, 母子手帳 not a 手帳: the FAQ that names the compound answers."""
        with db.transaction(app) as session:
            faq_store.save_records(session, [FaqRecord("980", question, "担当課の窓口でご案内しています。")])
        reply = say(app, compound)
        assert reply.intent is None and reply.faq_id == "980"

    def test_a_loose_item_match_the_faq_does_not_know_is_offered(self, app, city):
        """炊飯器 (the dictionary has 炊飯ジャー) is offered as a choice to confirm, not answered as if sure."""
        reply = say(app, "炊飯器")
        assert reply.intent == "garbage_item"
        assert "近いもの" in text_of(reply) and "炊飯ジャー" in text_of(reply)
        assert "【" not in text_of(reply)

    def test_not_collected_items_say_where_they_go_with_the_packs_text(self, app):
        """冷蔵庫 (家電リサイクル法対象品) answers with the pack's text on where such things go."""
        with db.transaction(app) as session:
            packs.load_pack(session, DEMO)
        text = text_of(say(app, "冷蔵庫を捨てたい"))
        assert "冷蔵庫は【家電リサイクル法対象品】市では収集していません。" in text
        assert "販売店" in text and "指定引取場所" in text


class TestCollectionDays:
    def test_today_lists_what_goes_out(self, app, city):
        """「今日は何ごみ？」 on a Friday in 木太 is 燃やせるごみ."""
        reply = say(app, "今日は何ごみ？", area=KITA)
        assert reply.intent == "collection_day"
        assert "【燃やせるごみ】" in text_of(reply) and "11月20日(金)" in text_of(reply)

    def test_tomorrow_with_no_collection_says_so(self, app, city):
        """「明日のごみ」 on a Saturday says there is none."""
        assert "収集はありません" in text_of(say(app, "明日のごみ", area=KITA))

    def test_next_category_uses_the_synonym_table(self, app, city):
        """「次の燃えるごみはいつ？」 finds 燃やせるごみ and gives its next two dates (at noon on Friday, a
        collection day, that morning's collection is over: Tuesday and Friday next)."""
        text = text_of(say(app, "次の燃えるごみはいつ？", area=KITA))
        assert "【燃やせるごみ】11月24日(火)、11月27日(金)" in text

    @pytest.mark.parametrize("text", ["ペットボトルっていつ出せばいいの", "スプレー缶は何曜日に捨てればいい？"])
    def test_a_thing_asked_by_when_it_goes_out_gets_its_categorys_days(self, app, city, text):
        """「ペットボトルっていつ出せばいいの」 names no category but a thing: its category's days, not every one."""
        text = text_of(say(app, text, area=KITA))
        assert "【缶・びん・ペットボトル】" in text and "【燃やせるごみ】" not in text

    @pytest.mark.parametrize(("text", "category"), [("次のプラごみの日はいつですか", "プラスチック容器包装"),
                                                 ("びんごみの日", "缶・びん・ペットボトル")])
    def test_a_category_shortened_before_gomi_is_that_category(self, app, city, text, category):
        """「プラごみ」 is プラスチック容器包装 shortened, 「びんごみ」 a part of 缶・びん・ペットボトル: that category alone."""
        text = text_of(say(app, text, area=KITA))
        assert f"【{category}】" in text and "【燃やせるごみ】" not in text

    @pytest.mark.parametrize("text", ["缶の日はいつ？", "瓶はいつ", "ペットボトルの日", "びんの回収日は？"])
    def test_a_word_that_is_a_part_of_a_categorys_name_is_that_category(self, app, city, text):
        """「缶の日はいつ？」: 缶 is a part of 缶・びん・ペットボトル (瓶 read びん): that category's days alone."""
        text = text_of(say(app, text, area=KITA))
        assert "【缶・びん・ペットボトル】" in text and "【燃やせるごみ】" not in text

    @pytest.mark.parametrize("text", ["新聞は何曜日？", "雑誌っていつだっけ", "新聞の日は？"])
    def test_a_things_day_asked_without_a_verb_is_its_categorys_day(self, app, city, text):
        """「新聞は何曜日？」 names a thing the dictionary has: its category (紙・布) and next day, not the FAQ."""
        reply = say(app, text, area=KITA)
        assert reply.intent == "garbage_item" and "【紙・布】" in text_of(reply)

    @pytest.mark.parametrize("text", ["図書館の休みは何曜日？", "運動会は何曜日", "予防接種はいつ？", "お薬はいつ",
                                      "インフルエンザの注射はいつ", "停電してるけど電気はいつ"])
    def test_a_day_asked_of_what_is_no_thing_is_no_garbage_question(self, app, city, text):
        """Without a verb of disposal, only a thing named for sure makes it a garbage question: 休み is no 炭, 薬 no
        湿布薬, 注射 no 注射器, 電気 no 電気ストーブ."""
        assert say(app, text, area=KITA).intent not in {"garbage_item", "collection_day"}

    def test_a_things_day_asked_without_a_verb_is_the_faqs_when_the_faq_knows_the_thing(self, app, city):
        """「手帳はいつ」: 手帳 is in the dictionary, but the FAQ speaks of 母子手帳 and 障害者手帳: no word says
        garbage, so the FAQ's thing is meant."""
        with db.transaction(app) as session:
            faq_store.save_records(session, [FaqRecord("980", "母子手帳の受け取り場所はどこですか？",
                                                       "保健センターでお渡しします。")])
        reply = say(app, "手帳はいつ", area=KITA)
        assert reply.kind in {"faq", "suggest"} and "母子手帳" in text_of(reply)

    def test_when_the_days_are_asked_without_a_thing_every_category_is_given(self, app, city):
        """「ごみの日はいつ？」 names nothing: every category's next day."""
        text = text_of(say(app, "ごみの日はいつ？", area=KITA))
        assert "【燃やせるごみ】" in text and "【缶・びん・ペットボトル】" in text

    @pytest.mark.parametrize("text", ["ごみのひ", "ゴミのひは？", "ごみの日", "しゅうしゅうび", "もえるごみはなんようび",
                                      "ごみだしのひ"])
    def test_kana_asks_the_collection_day_as_kanji_does(self, app, city, text):
        """The day is asked in kana (ごみのひ, しゅうしゅうび, なんようび) as in kanji."""
        reply = say(app, text, area=KITA)
        assert reply.intent == "collection_day"
        assert "【燃やせるごみ】" in text_of(reply)

    def test_area_named_in_the_question_wins(self, app, city):
        """「栗林のプラスチックの日」 answers for 栗林 even though no area is set."""
        text = text_of(say(app, "栗林のプラスチック容器包装の日"))
        assert "栗林・太田・香川（浅野）" in text and "【プラスチック容器包装】" in text

    def test_public_holiday_is_named(self, app, city):
        """A day that is a public holiday says so (2026-11-23 勤労感謝の日)."""
        from datetime import date

        text = text_of(say(app, "今日は何ごみ？", area=KITA, today=date(2026, 11, 23)))
        assert "勤労感謝の日" in text

    def test_year_end_has_no_collection(self, app, year_end_city):
        """The pack's year-end break means no collection, even where rules say so: Friday 1/1/2027 is 木太's
        燃やせるごみ day by its rules."""
        text = text_of(say(app, "今日は何ごみ？", area=KITA, today=date(2027, 1, 1)))
        assert "収集はありません（年末年始は収集しません）。" in text

    def test_without_the_break_new_years_day_is_collected_by_the_rules(self, app, city):
        """Without the pack's break, Friday 1/1/2027 is collected (public holidays are collection days)."""
        assert "【燃やせるごみ】" in text_of(say(app, "今日は何ごみ？", area=KITA, today=date(2027, 1, 1)))


@pytest.fixture
def year_end_city(app):
    """かもめ市 with 高松's garbage data and the demo pack's year-end break (no collection 12/31–1/3)."""
    data = read_takamatsu(DEMO / "garbage" / "garbage_separation_list.csv",
                          DEMO / "garbage" / "garbage_collection_date.csv")
    data = dataclasses.replace(data, exceptions=read_exceptions(DEMO / "garbage" / "holidays.csv"))
    with db.transaction(app) as session:
        municipality(session, department="環境課", phone="0123-45-6751")
        faq_store.save_synonyms(session, read_synonyms_file(DEMO / "synonyms.csv"))
        garbage_store.save_garbage(session, data, attribution="出典：高松市")


DECEMBER = date(2026, 12, 3)  # a Thursday


class TestYearEnd:
    """「年末年始のごみは？」, 「12月31日は収集ある？」: December's questions, answered from the pack's break."""

    def test_the_break_is_one_span(self, app, year_end_city):
        """The four days without collection read as one span (the pack's note, 「年末年始は収集しません」, says no
        more than the heading and the span: it is left out, tests/bot/replies/test_garbage.py)."""
        reply = say(app, "年末年始のごみ収集はありますか", area=KITA, today=DECEMBER)
        assert reply.intent == "collection_day"
        assert "12月31日(木)〜1月3日(日) は収集がありません。" in text_of(reply)

    def test_each_category_gets_its_last_date_of_the_year_and_first_of_the_next(self, app, year_end_city):
        """木太's 燃やせるごみ (火・金): Tuesday 12/29 is the year's last; Friday 1/1 falls in the break, so
        Tuesday 1/5 is the first."""
        text = text_of(say(app, "年末年始のごみ収集はありますか", area=KITA, today=DECEMBER))
        last, first = text.split("■年内最後の収集日")[1].split("■年明け最初の収集日")
        assert "【燃やせるごみ】12月29日(火)" in last and "【燃やせるごみ】1月5日(火)" in first

    def test_a_named_category_is_the_only_one_listed(self, app, year_end_city):
        """「年末年始の燃えるごみ」 lists 燃やせるごみ (the synonym table's word) and nothing else."""
        text = text_of(say(app, "年末年始の燃えるごみ", area=KITA, today=DECEMBER))
        assert "【燃やせるごみ】" in text and "【破砕ごみ】" not in text

    @pytest.mark.parametrize("text", ["正月はごみ出せる？", "しょうがつのごみ", "年明けのゴミはいつから？",
                                      "今年最後の燃えるごみはいつ"])
    def test_new_year_words_ask_about_the_break(self, app, year_end_city, text):
        """正月, 年明け, 今年最後, in kanji or kana, ask about the break."""
        assert "■年明け最初の収集日" in text_of(say(app, text, area=KITA, today=DECEMBER))

    def test_in_january_the_break_is_the_one_just_passed(self, app, year_end_city):
        """On 1/2 「年明けのごみはいつから？」 is about this break, not next winter's."""
        text = text_of(say(app, "年明けのごみはいつから？", area=KITA, today=date(2027, 1, 2)))
        assert "【燃やせるごみ】1月5日(火)" in text

    def test_without_a_break_in_the_pack_the_usual_days_are_said(self, app, city):
        """A pack that lists no days without collection gets the usual days, said to be so."""
        text = text_of(say(app, "年末年始のごみ収集はありますか", area=KITA, today=DECEMBER))
        assert "登録されていません" in text and "【燃やせるごみ】1月1日(金)" in text

    def test_a_date_in_the_break_has_no_collection_with_the_packs_note(self, app, year_end_city):
        """「12月31日はごみ収集ある？」: none that day, and why."""
        text = text_of(say(app, "12月31日はごみ収集ある？", area=KITA, today=DECEMBER))
        assert text == "12月31日(木) は、木太・林・多肥・国分寺南部のごみ収集はありません（年末年始は収集しません）。"

    @pytest.mark.parametrize(("text", "day"), [("12/29のゴミは？", "12月29日(火)"), ("元日ってごみ出せますか", "1月1日(金)"),
                                               ("大晦日のごみ", "12月31日(木)")])
    def test_a_day_asked_by_its_date_or_name_is_answered_for_that_day(self, app, year_end_city, text, day):
        """A date typed (12/29) or a day's name (元日, 大晦日) is the day answered."""
        assert text_of(say(app, text, area=KITA, today=DECEMBER)).startswith(day)

    def test_a_date_already_passed_this_year_is_next_years(self, app, year_end_city):
        """On 12/3, 「1月5日は何ごみ？」 is next January's 5th, a Tuesday: 燃やせるごみ."""
        assert "1月5日(火) の木太・林・多肥・国分寺南部の収集は【燃やせるごみ】です。" in text_of(
            say(app, "1月5日は何ごみ？", area=KITA, today=DECEMBER))

    @pytest.mark.parametrize("text", ["年末の大掃除で出た蛍光灯は何ごみ？", "12月30日にスプレー缶を捨てたい"])
    def test_a_thing_asked_about_near_new_year_is_the_item_intents(self, app, year_end_city, text):
        """A thing to put out, asked with a date or 年末, is answered as the thing."""
        assert say(app, text, area=KITA, today=DECEMBER).intent == "garbage_item"


@pytest.mark.parametrize(("text", "asked"), [("2月29日のごみ", (2, 29)), ("2月30日のごみ", None),
                                             ("12月31日は何時まで開いてますか", None)])
def test_a_date_question_needs_a_day_that_exists_and_a_garbage_word(text, asked):
    """2月29日 is a day (in leap years); 2月30日 is none; a date without garbage is not a garbage question."""
    assert date_question(text) == asked


def test_the_next_29th_of_february_is_in_the_next_leap_year():
    """From 2026-12-03, 2月29日 is 2028's."""
    assert next_day_of(DECEMBER, 2, 29) == date(2028, 2, 29)


class TestArea:
    def test_without_an_area_the_bot_asks_and_then_answers(self, app, city, session):
        """Asking for a day without an area opens the area question; the town name then sets and answers it."""
        ask = say(app, "今日は何ごみ？")
        assert "町名" in text_of(ask)
        reply = say(app, "木太")
        text = text_of(reply)
        assert f"地域を「{KITA}」に設定しました" in text and "【燃やせるごみ】" in text
        assert session.scalar(sa.select(Resident.area)) == KITA

    def test_ambiguous_town_offers_choices(self, app, city):
        """A name that fits several areas is answered with buttons to choose from."""
        say(app, "地域設定")
        reply = say(app, "香川")
        labels = [item.action.label for item in reply.messages[-1].quick_reply.items]
        assert len(labels) >= 3 and labels[-1] == "やめる"

    def test_choosing_from_the_buttons_sets_the_area(self, app, city, session):
        """Pressing an area button stores it."""
        say(app, "地域設定")
        item = say(app, "香川").messages[-1].quick_reply.items[0]
        press(app, item.action.data)
        assert session.scalar(sa.select(Resident.area)) == item.action.display_text

    def test_unknown_town_is_asked_again_and_cancel_leaves(self, app, city):
        """An unknown name gets a kind retry; 「やめる」 closes the question."""
        say(app, "地域設定")
        assert "見つかりませんでした" in text_of(say(app, "火星"))
        assert "やめました" in text_of(say(app, "やめる"))
        assert say(app, "住民票の写しを取りたい").intent is None

    def test_area_change_shows_the_current_one(self, app, city):
        """「地域設定」 with an area already set says which one it is."""
        say(app, "地域設定")
        say(app, "木太")
        assert KITA in text_of(say(app, "地域設定"))

    def test_stale_area_button_is_refused_kindly(self, app, city):
        """A button for an area that no longer exists gets a kind word."""
        reply = press(app, postbacks.encode(postbacks.AREA, k=postbacks.area_key("存在しない町")))
        assert "使えなくなりました" in text_of(reply)


class TestReminders:
    def test_settings_list_the_areas_categories_with_buttons(self, app, city):
        """「ごみの通知」 shows each category of the resident's area, all off at first, with buttons."""
        say(app, "地域設定")
        say(app, "木太")
        reply = say(app, "ごみの通知")
        text = text_of(reply)
        assert reply.intent == "garbage_reminder"
        assert "－ 燃やせるごみ" in text and "受け取っていません" in text
        assert reply.messages[-1].quick_reply.items[0].action.label == "すべて受け取る"

    def test_reminders_wait_for_consent_to_push(self, app, city, runner):
        """Turning a reminder on without consent keeps the choice, asks for consent and plans nothing yet."""
        say(app, "地域設定")
        say(app, "木太")
        reply = press(app, postbacks.encode(postbacks.REMIND, k="*", on=1))
        assert reply.messages[-1].quick_reply.items[0].action.label == "同意して受け取る"
        result = runner.invoke(args=["garbage", "reminders", "--date", "2026-11-23"])
        assert "0 reminders" in result.output

    def test_turning_one_category_on_is_stored(self, app, city, session):
        """Pressing 「燃やせるごみを受け取る」 stores that reminder and shows it as on."""
        from residents.models import GarbageReminder

        say(app, "地域設定")
        say(app, "木太")
        items = say(app, "ごみの通知").messages[-1].quick_reply.items
        burnable = next(i for i in items if i.action.label.startswith("燃やせる"))
        reply = press(app, burnable.action.data)
        assert "✓ 燃やせるごみ" in text_of(reply)
        assert session.scalars(sa.select(GarbageReminder.category)).all() == ["燃やせるごみ"]

    def test_without_an_area_reminders_ask_for_it_first(self, app, city):
        """Asking for reminders before setting an area asks for the area, then shows the settings."""
        assert "町名" in text_of(say(app, "ごみの通知"))
        assert "受け取るごみの種類" in text_of(say(app, "木太"))

    def test_deleting_my_data_removes_reminders(self, app, city, session):
        """「データ削除」 also deletes the resident's reminders."""
        from residents.models import GarbageReminder

        say(app, "地域設定")
        say(app, "木太")
        press(app, postbacks.encode(postbacks.REMIND, k="*", on=1))
        assert session.scalar(sa.select(sa.func.count()).select_from(GarbageReminder)) == 5
        press(app, postbacks.encode(postbacks.DELETE, c="yes"))
        assert session.scalar(sa.select(sa.func.count()).select_from(GarbageReminder)) == 0

    def test_reminder_preview_plans_active_subscribers_only(self, app, city, runner):
        """`garbage reminders --date` counts the planned reminders; blocked residents get none."""
        from residents import service

        say(app, "地域設定")
        say(app, "木太")
        press(app, postbacks.encode(postbacks.REMIND, k="*", on=1))
        press(app, postbacks.encode(postbacks.CONSENT, then="reminders"))
        result = runner.invoke(args=["garbage", "reminders", "--date", "2026-11-23"])
        assert "1 reminders for 2026-11-23" in result.output, result.output
        with db.transaction(app) as tx:
            service.block(tx, factories.USER_ID, NOW)
        result = runner.invoke(args=["garbage", "reminders", "--date", "2026-11-23"])
        assert "0 reminders" in result.output

    @pytest.mark.parametrize(("switched_off", "status"), [("燃やせるごみ", "cancelled"), ("*", "cancelled"),
                                                          ("プラスチック容器包装", "pending")])
    def test_switching_a_reminder_off_cancels_the_queued_reminder_naming_it(self, app, city, runner, session,
                                                                           switched_off, status):
        """Tuesday's queued 燃やせるごみ reminder is cancelled when 燃やせるごみ (or every reminder) is switched
        off, and kept when a category it does not name is."""
        from push.models import Delivery
        from residents.models import GarbageReminder

        say(app, "地域設定")
        say(app, "木太")
        press(app, postbacks.encode(postbacks.REMIND, k="*", on=1))
        press(app, postbacks.encode(postbacks.CONSENT, then="reminders"))
        assert runner.invoke(args=["push", "plan", "--date", "2026-11-23"]).exit_code == 0
        key = "*" if switched_off == "*" else postbacks.area_key(switched_off)
        press(app, postbacks.encode(postbacks.REMIND, k=key, on=0))
        session.rollback()
        kept = set(session.scalars(sa.select(GarbageReminder.category)))
        assert len(kept) == (0 if switched_off == "*" else 4) and switched_off not in kept
        assert session.execute(sa.select(Delivery.tags, Delivery.status)).all() == [("|燃やせるごみ|", status)]


def test_a_cell_no_rule_expresses_is_shown_as_written_with_the_contact(app, tmp_path):
    """「電話で申込み」 in a calendar cell is shown verbatim with the city's contact, never turned into dates."""
    from garbage.importers import read_5374

    files = {
        "target.csv": "type,name,notice,furigana\n燃やすごみ,生ごみ,水を切る,な\n資源,かん,洗う,か\n",
        "area_days.csv": "地名,センター,燃やすごみ,資源\n北町,第一,月 木,電話で申込み\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    with db.transaction(app) as session:
        municipality(session, code="011111", name="テスト町", department="環境課", phone="0123-00-0000")
        garbage_store.save_garbage(session, read_5374(tmp_path))
    text = text_of(say(app, "資源はいつ？", area="北町"))
    assert "【資源】電話で申込み" in text and "0123-00-0000" in text


class TestMovingArea:
    """A resident who moves to another area gets no reminder planned for the old one."""

    def test_changing_the_area_cancels_the_queued_reminder_for_the_old_one(self, app, city, runner, session):
        """Tuesday's queued 木太 reminder is cancelled when the resident sets 栗林 as their area."""
        from push.models import Delivery

        say(app, "地域設定")
        say(app, "木太")
        press(app, postbacks.encode(postbacks.REMIND, k="*", on=1))
        press(app, postbacks.encode(postbacks.CONSENT, then="reminders"))
        assert runner.invoke(args=["push", "plan", "--date", "2026-11-23"]).exit_code == 0
        say(app, "地域設定")
        say(app, "栗林")
        session.rollback()
        assert session.execute(sa.select(Delivery.status, Delivery.last_error)).all() == [("cancelled", "area-changed")]


class TestFirstOpenDay:
    """The first day garbage can still go out: today before the collection is over, else tomorrow."""

    @pytest.mark.parametrize(("now", "offset"), [(None, 0), (time(6, 0), 0), (time(11, 59), 0), (time(12, 0), 1),
                                                 (time(22, 0), 1)])
    def test_without_a_put_out_time_the_day_is_over_at_noon(self, now, offset):
        """Without the pack's put-out time, today counts until noon; without the time of day, always."""
        catalog = Catalog(items=[], categories={}, areas=[], schedules={})
        assert first_open_day(catalog, date(2026, 11, 20), now) == date(2026, 11, 20) + timedelta(days=offset)

    @pytest.mark.parametrize(("now", "offset"), [(time(8, 29), 0), (time(8, 30), 1), (time(10, 0), 1)])
    def test_the_packs_put_out_time_ends_the_day(self, now, offset):
        """With the pack's put-out time (8:30), today counts only until then."""
        catalog = Catalog(items=[], categories={}, areas=[], schedules={}, collected_by=time(8, 30))
        assert first_open_day(catalog, date(2026, 11, 20), now) == date(2026, 11, 20) + timedelta(days=offset)


@pytest.mark.parametrize(("text", "item"), [
    ("ソファー捨てたいっしょ、粗大ごみってどうやるの", "ソファー"), ("ソファー捨てたいべ。粗大ごみの出し方は？", "ソファー"),
    ("テーブル捨てたいけん、粗大ごみってどうするん", "テーブル"), ("冷蔵庫捨てたいんやけど、どうすればいい？", "冷蔵庫"),
    ("ソファー捨てたいだべ", "ソファー"), ("すみません、電池は何ごみ？", "電池")])
def test_the_item_is_read_past_dialect_and_a_second_clause(text, item):
    """A dialect's final particle and a second clause about 粗大ごみ leave the item named in one clause."""
    assert item_question(text) == (item, True)


@pytest.mark.parametrize(("text", "item"), [("折れた傘ってどうするの", "折れた傘"), ("傘どうする？", "傘"),
                                            ("蛍光灯ばどげんして捨てればよかと", "蛍光灯"), ("これどないしたらええの", "これ"),
                                            ("扇風機どげんすればよか？", "扇風機")])
def test_what_to_do_with_a_thing_asks_about_sorting_it_in_the_wests_dialects_too(text, item):
    """「どうするの」 asks what becomes of the thing, as 「どうすれば」 does; 九州's どげん and 関西's どない ask how,
    九州's 「よかと」 ends the question, and its 「ば」 marks the thing (a resident-style trial's 蛍光灯 fell back)."""
    assert item_question(text) == (item, True)


@pytest.mark.parametrize(("text", "item"), [("乾電池はどこに捨てればいいでしょうか", "乾電池"), ("電池どこで捨てれる？", "電池"),
                                            ("スプレー缶ってどこへ捨てたらいいの", "スプレー缶"),
                                            ("乾電池ってどこに捨てればええの", "乾電池")])
def test_asking_where_to_throw_a_thing_away_asks_about_sorting_it(text, item):
    """「どこに捨てれば」 asks how the thing goes out, as 「どうやって捨てれば」 does."""
    assert item_question(text) == (item, True)


@pytest.mark.parametrize(("text", "item"), [("段ボールは何曜日に出せばいい？", "段ボール"), ("テレビっていつ出せる？", "テレビ"),
                                            ("雑誌も何曜日に出せばいいの", "雑誌")])
def test_asking_when_a_thing_goes_out_asks_about_it(text, item):
    """「テレビっていつ出せる？」 asks how the thing goes out, its day included."""
    assert item_question(text) == (item, True)


@pytest.mark.parametrize("text", ["母子手帳はいつもらえる", "児童手当はいつ振り込まれる", "図書館の休みは何曜日？",
                                  "運動会は何曜日"])
def test_a_when_question_without_putting_out_is_no_sorting_question(text):
    """Only 「いつ」 or 「何曜日」 with putting out or throwing away asks about a thing to put out: 休み is no 炭."""
    assert item_question(text)[1] is False


@pytest.mark.parametrize(("text", "item"), [("テレビって粗大ごみ？", "テレビ"), ("傘は燃えないごみですか", "傘"),
                                            ("フライパンは破砕ごみでいい？", "フライパン"),
                                            ("電気毛布 燃えるごみでいい？", "電気毛布"), ("鍋　もえないごみ？", "鍋"),
                                            ("レジ袋ってプラごみでいいの？", "レジ袋"), ("傘って燃えないごみでええん？", "傘"),
                                            ("ハンガーは破砕ごみでいいですか", "ハンガー")])
def test_a_category_asked_of_a_thing_asks_about_sorting_it(text, item):
    """「テレビって粗大ごみ？」 asks which category the thing is: the answer says it."""
    assert item_question(text) == (item, True)


def test_a_thing_asked_as_the_wrong_category_gets_its_own(app, city):
    """「テレビって粗大ごみ？」: テレビ is for 家電リサイクル, which the answer says (not 粗大ごみ's FAQ)."""
    reply = say(app, "テレビって粗大ごみ？", area=KITA)
    assert reply.intent == "garbage_item" and "家電リサイクル" in text_of(reply)


@pytest.mark.parametrize("text", ["母子手帳もらうにはどうすれば", "母子手帳がほしいのですがどうすれば",
                                  "住民票とるにはどうしたらいいですか"])
def test_how_to_get_a_thing_is_no_sorting_question(text):
    """「どうすれば」 after another verb (もらう, ほしい, とる) asks how to get the thing, not how to throw it away."""
    assert item_question(text)[1] is False


@pytest.mark.parametrize(("text", "item"), [("電池どうすれば", "電池"), ("古いソファはどうすれば", "古いソファ"),
                                            ("使わなくなったベビーカーはどうしたらいいですか", "使わなくなったベビーカー"),
                                            ("電池を捨てるにはどうすれば", "電池を捨てるに")])
def test_how_to_deal_with_a_thing_or_to_throw_it_away_asks_about_sorting_it(text, item):
    """「どうすれば」 right after a thing, or after a verb of throwing away, asks how the thing goes out."""
    assert item_question(text) == (item, True)


def test_how_to_get_a_thing_the_dictionary_names_by_its_head_is_left_to_the_faq(app, city):
    """「母子手帳もらうにはどうすれば」 is not 手帳 as garbage (燃やせるごみ)."""
    assert say(app, "母子手帳もらうにはどうすれば", area=KITA).intent != "garbage_item"


def test_a_thing_asked_by_its_day_is_answered_with_its_category_and_next_day(app, city):
    """「段ボールは何曜日に出せばいい？」: the item (段ボール箱, 紙・布) and its next collection day in the resident's area."""
    reply = say(app, "段ボールは何曜日に出せばいい？", area=KITA, today=DECEMBER)
    assert reply.intent == "garbage_item" and "【紙・布】" in text_of(reply) and "次の収集日" in text_of(reply)


@pytest.mark.parametrize(("text", "asked"), [("図書館の休みは何曜日？", False), ("児童館は何曜日に開いてますか", False),
                                             ("かんの日", True), ("瓶の日はいつ", True), ("あきかんはなんようび", True)])
def test_kan_or_bin_is_a_garbage_word_only_as_typed(text, asked):
    """かん and びん typed are 缶 and 瓶; read out of 図書館 or 児童館 they are no garbage."""
    assert is_when_question(text) is asked


def test_asking_where_to_hand_a_thing_in_is_no_sorting_question(app, city):
    """「レシートはどこに出したらいい」: 出す is also to hand in, so where to 出す is not where to throw away."""
    assert say(app, "レシートはどこに出したらいい", area=KITA, today=DECEMBER).intent != "garbage_item"


def test_a_word_for_several_things_beside_a_when_question_gets_the_days(app, city):
    """「缶を捨てたい、次のごみの日はいつ」 wants the days, not the kinds of can to choose from."""
    assert say(app, "缶を捨てたい、次のごみの日はいつ", area=KITA, today=DECEMBER).intent == "collection_day"


def test_a_thing_to_put_out_beside_the_word_garbage_day_is_the_item_intents(app, city):
    """「ソファを捨てたいのですが、普通のごみの日には出せないですよね？」 asks about the sofa (粗大ごみ, by application),
    not for the next collection days."""
    reply = say(app, "古いソファを捨てたいのですが、普通のごみの日には出せないですよね？", area=KITA, today=DECEMBER)
    assert reply.intent == "garbage_item"

"""Settings requests in residents' own words: which topic and action a message asks for, negation, and the
procedure questions that only contain such words (left to the FAQ)."""

from __future__ import annotations

from datetime import date

import pytest

from garbage.answers import Catalog
from intents import area
from intents import children
from intents import my_data
from intents import reminders
from intents import settings
from intents.base import IntentContext
from intents.reminders import RemindersHowTo
from intents.requests import Action
from intents.requests import Topic
from intents.requests import read_request
from intents.settings import ChooseCategories
from intents.settings import SettingsHowTo
from intents.settings import categories_change
from search.docs import Query


def topic_and_action(text: str) -> tuple[Topic, Action] | None:
    request = read_request(text)
    return None if request is None else (request.topic, request.action)


class TestStopNotices:
    @pytest.mark.parametrize("text", [
        "もう通知いらないです", "配信止めて", "LINE来ないようにして", "お知らせ停止で", "お知らせもう結構です",
        "うるさいから通知やめて", "通知要らん", "メッセージを送らないでください", "今後お知らせは不要です",
        "このLINEの通知を止めて", "ツウチとめて", "市からのお知らせを止めたいです", "通知オフにして",
        "お知らせ来なくていいです", "もうメッセージ送ってこないで",
    ])
    def test_stop_phrasings_stop_every_notice(self, text):
        """Object word × stop word (or a negated 'need / come / send') is 「配信停止」."""
        assert settings.INTENT.match(Query.of(text)) == "stop"

    @pytest.mark.parametrize("text", ["通知は止めないで", "お知らせを止めないでください", "配信は停止しないで"])
    def test_a_negated_stop_stops_nothing(self, text):
        """「止めないで」 is the opposite of a stop."""
        assert settings.INTENT.match(Query.of(text)) != "stop"

    @pytest.mark.parametrize("text", ["通知を止めるにはどうすればいいですか", "配信停止はどうやるの？"])
    def test_a_question_about_stopping_shows_the_settings(self, text):
        """Asked as a question, the settings (with their stop button) are shown; nothing is stopped yet."""
        assert settings.INTENT.match(Query.of(text)) == "settings"


class TestOtherSettings:
    @pytest.mark.parametrize("text", ["私の情報を消してください", "登録したデータ全部削除して", "個人情報を消去して",
                                      "自分のデータ消しといて", "登録情報を全部消して", "退会したい", "登録を消して"])
    def test_deleting_my_data(self, text):
        """Data words × delete words ask for deletion (confirmed with a button)."""
        assert my_data.INTENT.match(Query.of(text)) is True

    @pytest.mark.parametrize("text", ["登録やめたい。個人情報消して", "通知やめて、データも消してほしい"])
    def test_stopping_and_deleting_the_data_is_a_deletion(self, text):
        """Asked to stop and to delete the data kept, the data is what the resident wants gone."""
        assert my_data.INTENT.match(Query.of(text)) is True

    @pytest.mark.parametrize("text", ["消さないでください", "データは削除しないで"])
    def test_a_negated_deletion_deletes_nothing(self, text):
        assert my_data.INTENT.match(Query.of(text)) is None

    @pytest.mark.parametrize("text", ["住所変わったので地区を変えたい", "引っ越したので地域を変更", "地区を変更したいです",
                                      "住んでる地域を登録したい"])
    def test_changing_the_area(self, text):
        assert area.INTENT.match(Query.of(text)) is True

    @pytest.mark.parametrize(("text", "reading"), [
        ("ごみの前の日に教えてほしい", "show"), ("ごみの日を前日に知らせて", "show"), ("ゴミ出しの日のリマインドほしい", "show"),
        ("ごみの日の通知をお願いします", "show"), ("燃えるごみの通知を止めて", "stop"), ("ごみの通知欲しい", "show"),
        ("ごみの通知受け取りたい", "show"), ("ごみの通知いらない", "stop"), ("ごみの通知やめたい", "stop"),
        ("ごみのお知らせ来なくていいよ", "stop"), ("収集日の通知はもう不要です", "stop"), ("ごみの通知止めるには？", "show")])
    def test_garbage_reminders(self, text, reading):
        """Garbage words with a notice or 'the day before' are the reminder settings: a stop (not asked as a
        question) is read as one, anything else shows the settings."""
        assert reminders.INTENT.match(Query.of(text)) == reading

    @pytest.mark.parametrize("text", ["通知の種類を変えたい", "受け取る分野を選びたい", "お知らせを受け取りたい",
                                      "通知をオンにしたい", "配信を再開したい"])
    def test_choosing_categories_or_receiving_shows_the_settings(self, text):
        assert settings.INTENT.match(Query.of(text)) == "settings"

    @pytest.mark.parametrize(("text", "expected"), [("子供の誕生日を登録したい", "children"),
                                                    ("子どもの登録を削除したい", "children"),
                                                    ("出産予定日を変えたい", "due")])
    def test_children(self, text, expected):
        assert children.INTENT.match(Query.of(text)) == expected

    @pytest.mark.parametrize(("text", "expected"), [("子育てのお知らせを止めて", "baby_stop"),
                                                    ("妊娠のお知らせはいらないです", "baby_stop"),
                                                    ("子育ての通知を再開したい", "baby_resume")])
    def test_baby_notices(self, text, expected):
        """Notices about children are the quiet stop (and resumption) of baby messages, not a stop of all."""
        assert settings.INTENT.match(Query.of(text)) == expected


class TestLeftToTheFaq:
    @pytest.mark.parametrize("text", [
        "出生通知票はどこで出す？", "住民票の削除", "印鑑登録の削除", "予防接種の通知はいつ来ますか",
        "児童手当保留通知が届きました", "ごみの日を教えて", "ごみの出し方を教えて", "子育ての情報がほしい",
        "地区はどこ", "お知らせ", "やめて", "住所変更したい", "住所変更の手続き",
    ])
    def test_procedure_questions_with_such_words_are_no_request(self, text):
        """A message naming something outside the setting words is about a procedure: no intent takes it."""
        assert topic_and_action(text) is None
        query = Query.of(text)
        assert all(intent.match(query) is None for intent in (my_data.INTENT, area.INTENT, reminders.INTENT,
                                                              settings.INTENT, children.INTENT))


@pytest.mark.parametrize(("text", "named", "action", "only"), [
    ("防災のお知らせだけ欲しい", ("防災",), Action.WANT, True),
    ("災害の通知だけ受け取りたい", ("防災",), Action.WANT, True),
    ("防災だけにして", ("防災",), Action.WANT, True),
    ("防災情報を受け取りたい", ("防災",), Action.WANT, False),
    ("イベントの通知もほしい", ("イベント",), Action.WANT, False),
    ("健康のお知らせはいらない", ("健康",), Action.STOP, False),
    ("健康の通知は不要です", ("健康",), Action.STOP, False),
    ("高齢者向けのお知らせを止めて", ("高齢者",), Action.STOP, False),
])
def test_categories_named_in_own_words_are_read(text, named, action, only):
    """A push category named by an everyday word, with what to do with it and whether only it is wanted."""
    request = read_request(text)
    assert request is not None and request.topic is Topic.CATEGORIES
    assert (request.categories, request.action, request.only) == (named, action, only)


@pytest.mark.parametrize("text", ["イベントを教えて", "地震の時の避難所は？", "健康診断の申し込み", "介護保険の手続き",
                                  "防災無線が聞こえない", "地震が来たら教えて"])
def test_a_category_word_in_another_question_is_no_settings_request(text):
    """A question about disasters, health or events that asks for no notices is not a category setting."""
    request = read_request(text)
    assert request is None or not request.categories


@pytest.mark.parametrize(("text", "on", "off"), [
    ("防災のお知らせだけ欲しい", {"防災"}, {"子育て", "ごみ", "健康", "高齢者", "イベント"}),
    ("イベントの通知もほしい", {"イベント"}, set()),
    ("健康のお知らせはいらない", set(), {"健康"}),
])
def test_a_category_request_says_what_changes(text, on, off):
    """「だけ」 turns every other category off; without it only the named ones change."""
    change = categories_change(read_request(text))
    assert (change.on, change.off) == (on, off)


def test_a_change_survives_the_consent_button():
    """The change carried by the consent button is the change asked for."""
    change = categories_change(read_request("防災のお知らせだけ欲しい"))
    assert ChooseCategories.from_then(change.then()) == change
    assert ChooseCategories.from_then("children") is None


@pytest.mark.parametrize("text", ["通知はいりません", "健康関係の通知はいりません", "お知らせはいらないです"])
def test_ha_iranai_read_as_hairu_is_still_not_wanted(text):
    """「…はいりません」, which the dictionary may read as 入る, is 「は」 and 「いらない」: a stop."""
    request = read_request(text)
    assert request is not None and request.action is Action.STOP


@pytest.mark.parametrize(("text", "vague"), [
    ("登録したの消して", True), ("さっきの登録取り消して", True), ("登録を消したい", True),
    ("私の情報を全部消してください", False), ("データけして", False)])
def test_a_deletion_naming_only_the_registration_is_vague(text, vague):
    """A deletion that names only 「登録」 is marked vague (what was registered depends on where the resident is)."""
    request = read_request(text)
    assert request is not None and request.action is Action.DELETE and request.vague is vague


@pytest.mark.parametrize(("intent", "text"), [
    (settings.INTENT, "配信止めて"), (settings.INTENT, "防災のお知らせだけ欲しい"), (children.INTENT, "子供の誕生日登録したい"),
    (children.INTENT, "子どもの登録を消して")])
def test_without_a_resident_a_settings_request_says_how_to_do_it(intent, text):
    """Without a resident (``flask ask``), a settings request is still read, and answered with how to do it."""
    ctx = IntentContext(session=None, line_user_id=None, area=None, today=date(2026, 11, 20))
    assert isinstance(intent.handle(intent.match(Query.of(text)), ctx), SettingsHowTo)


@pytest.mark.parametrize("text", ["ごみの通知いらない", "ごみの通知欲しい"])
def test_without_a_resident_a_reminder_request_says_how_to_set_it(text):
    """Without a resident, a garbage reminder request is answered with how to set reminders in the chat."""
    catalog = Catalog(items=[], categories={}, areas=[], schedules={"林": {}})
    ctx = IntentContext(session=None, line_user_id=None, area=None, today=date(2026, 11, 20), garbage=catalog)
    assert isinstance(reminders.INTENT.handle(reminders.INTENT.match(Query.of(text)), ctx), RemindersHowTo)

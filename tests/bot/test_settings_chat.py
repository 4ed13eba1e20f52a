"""Push settings in chat: consent, categories, 「配信停止」, children by date picker or typed date, the quiet
stop of baby messages, the resident's own birth date and 「データ削除」 (NOW is Fri 2026-11-20 in Japan)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

import db
from bot import postbacks
from faq.models import QueryLog
from messaging import texts
from push import outbox as push_outbox
from residents.models import Child
from residents.models import Resident
from residents.models import Subscription
from tests import factories
from tests.chat import press
from tests.chat import say
from tests.chat import text_of
from tests.conftest import NOW

OTHER_USER = "U" + "2" * 32
def actions(reply) -> dict:
    """The last message's buttons by label."""
    quick = reply.messages[-1].quick_reply
    return {item.action.label: item.action for item in quick.items} if quick else {}


def consent(app, user=factories.USER_ID):
    return press(app, postbacks.encode(postbacks.CONSENT), user=user)


def add_child(app, kind, day, user=factories.USER_ID):
    return press(app, postbacks.encode(postbacks.CHILD, op="add", kind=kind), date=day, user=user)


def children(session):
    return session.execute(sa.select(Child.label, Child.due_date, Child.birth_date).order_by(Child.id)).all()


def resident(session, user=factories.USER_ID):
    return session.scalar(sa.select(Resident).where(Resident.line_user_id == user))


def categories(session):
    return set(session.scalars(sa.select(Subscription.category)))


class TestConsent:
    @pytest.mark.parametrize("typed", ["配信設定", "通知設定", "お知らせ設定"])
    def test_settings_words_open_the_settings(self, app, typed):
        """Each way of asking for the settings reaches them."""
        assert say(app, typed).intent == "push_settings"

    def test_without_consent_the_bot_says_what_is_kept_and_asks(self, app):
        """Before consent, the settings explain what is stored and why, with 「同意して受け取る」."""
        reply = say(app, "配信設定")
        assert "保存する情報" in text_of(reply) and "健診の結果などはお聞きしません" in text_of(reply)
        assert list(actions(reply))[0] == "同意して受け取る"

    def test_consenting_records_the_time_and_shows_the_categories(self, app, session):
        """「同意して受け取る」 stores the consent time and lists every category, all off."""
        reply = consent(app)
        assert resident(session).consent_at is not None
        assert "－ 子育て" in text_of(reply) and "－ イベント" in text_of(reply)

    def test_declining_stores_no_consent(self, app, session):
        """「やめる」 on the consent question leaves the resident without push."""
        press(app, actions(say(app, "配信設定"))["やめる"].data)
        assert session.scalars(sa.select(Resident.consent_at)).all() in ([], [None])


class TestCategories:
    def test_turning_a_category_on_is_stored_and_shown(self, app, session):
        """Pressing 「防災を受け取る」 subscribes to 防災."""
        reply = press(app, actions(consent(app))["防災を受け取る"].data)
        assert categories(session) == {"防災"}
        assert "✓ 防災" in text_of(reply) and "防災を止める" in actions(reply)

    def test_turning_a_category_off_removes_it(self, app, session):
        """Pressing 「防災を止める」 unsubscribes."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=1))
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=0))
        assert categories(session) == set()

    def test_category_button_without_consent_asks_for_consent(self, app, session):
        """A category button pressed before consenting asks for consent and stores nothing."""
        reply = press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=1))
        assert "同意して受け取る" in actions(reply) and categories(session) == set()

    def test_unknown_category_is_a_stale_button(self, app):
        """A category that is not in the list gets the stale-button word."""
        consent(app)
        assert "使えなくなりました" in text_of(press(app, postbacks.encode(postbacks.CATEGORY, k="観光", on=1)))

    def test_settings_buttons_fit_line_limits(self, app):
        """The settings offer at most 13 buttons of at most 20 characters."""
        consent(app)
        for category in ("子育て", "高齢者"):
            press(app, postbacks.encode(postbacks.CATEGORY, k=category, on=1))
        labels = list(actions(say(app, "配信設定")))
        assert len(labels) <= 13 and max(len(label) for label in labels) <= 20


class TestOwnBirthDate:
    def test_elderly_on_asks_for_the_birth_date_and_says_why(self, app):
        """Turning 高齢者 on explains the 65/75 messages, that the birth date is optional, and offers a picker."""
        consent(app)
        reply = press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1))
        assert "65歳" in text_of(reply) and "任意" in text_of(reply)
        assert actions(reply)["ご自身の生年月日"].type == "datetimepicker"
        assert "登録しない" in actions(reply)

    def test_birth_date_from_the_picker_is_stored(self, app, session):
        """The picker's date becomes the resident's birth date."""
        consent(app)
        picker = actions(press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1)))["ご自身の生年月日"]
        press(app, picker.data, date="1961-04-01")
        assert resident(session).birth_date == date(1961, 4, 1)

    def test_birth_date_typed_with_an_era_is_stored(self, app, session):
        """「昭和35年4月1日」 typed after the question is 1960-04-01."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1))
        assert "登録しました" in text_of(say(app, "昭和35年4月1日"))
        assert resident(session).birth_date == date(1960, 4, 1)

    def test_skipping_keeps_no_birth_date(self, app, session):
        """「登録しない」 keeps 高齢者 on without a birth date."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1))
        press(app, postbacks.encode(postbacks.ME, op="skip"))
        assert resident(session).birth_date is None and categories(session) == {"高齢者"}

    def test_turning_elderly_off_forgets_the_birth_date(self, app, session):
        """Turning 高齢者 off deletes the birth date and says so."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1))
        press(app, postbacks.encode(postbacks.ME, op="set"), date="1961-04-01")
        reply = press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=0))
        assert resident(session).birth_date is None and "生年月日も削除しました" in text_of(reply)

    def test_a_birth_date_under_eighteen_is_refused(self, app, session):
        """A birth date that makes the resident a child is refused with a request to check the year."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1))
        reply = press(app, postbacks.encode(postbacks.ME, op="set"), date="2020-04-01")
        assert "18歳未満" in text_of(reply) and resident(session).birth_date is None

    def test_birth_date_is_not_kept_without_elderly_messages(self, app, session):
        """A stale birth-date button pressed without 高齢者 stores nothing."""
        consent(app)
        press(app, postbacks.encode(postbacks.ME, op="set"), date="1961-04-01")
        assert resident(session).birth_date is None


class TestStopPush:
    def test_stop_withdraws_consent_keeps_the_categories_and_says_so(self, app, session):
        """「配信停止」 stops every push at once, keeps the chosen categories, and says both."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=1))
        reply = say(app, "配信停止")
        assert resident(session).consent_at is None and categories(session) == {"防災"}
        assert "配信を停止しました" in text_of(reply) and "残しています" in text_of(reply)

    def test_stop_without_consent_says_nothing_is_sent(self, app):
        """「配信停止」 before any consent says that nothing is being sent."""
        assert "配信していません" in text_of(say(app, "配信停止"))

    def test_stop_cancels_queued_pushes(self, app, monkeypatch):
        """「配信停止」 cancels the resident's pending outbox rows."""
        outbox = push_outbox
        calls = []
        monkeypatch.setattr(outbox, "cancel_for_resident", lambda session, user, reason: calls.append(user) or 0)
        consent(app)
        press(app, postbacks.encode(postbacks.STOP_PUSH))
        assert calls == [factories.USER_ID]

    def test_consenting_again_resumes_the_kept_categories(self, app):
        """After a stop, the consent question names the categories that will resume."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=1))
        say(app, "配信停止")
        assert "以前に選んだ分野（防災）" in text_of(say(app, "配信設定"))


class TestChildren:
    def test_children_need_consent_first(self, app):
        """「子どもの登録」 before consenting asks for consent, then shows the children."""
        reply = say(app, "子どもの登録")
        assert "保存する情報" in text_of(reply)
        assert "出産予定日を登録" in actions(press(app, actions(reply)["同意して受け取る"].data))

    def test_a_date_typed_before_consenting_gets_a_short_reminder_not_the_whole_explanation_again(self, app):
        """While the consent question waits, 「3/15」 is told to press the button first, without the long text."""
        say(app, "出産予定日を登録したい")
        reply = say(app, "3/15")
        assert texts.CONSENT_FIRST in text_of(reply) and "【保存する情報】" not in text_of(reply)
        assert "同意して受け取る" in actions(reply)

    def test_a_day_that_does_not_exist_is_named_before_consenting(self, app):
        """「2月30日」 at the consent question is said not to exist, with the reminder to consent first."""
        say(app, "出産予定日を登録したい")
        text = text_of(say(app, "2月30日"))
        assert "2月30日" in text and texts.CONSENT_FIRST in text

    @pytest.mark.parametrize("typed", ["子どもの登録", "出産予定日", "子どもを追加"])
    def test_children_words_offer_date_pickers(self, app, typed):
        """Each way of asking offers due-date and birth-date pickers within the accepted windows."""
        consent(app)
        buttons = actions(say(app, typed))
        due, birth = buttons["出産予定日を登録"], buttons["生年月日を登録"]
        assert (due.type, due.mode, due.min, due.max) == ("datetimepicker", "date", "2026-10-20", "2027-09-20")
        assert (birth.min, birth.max) == ("2008-11-20", "2026-11-20")

    def test_the_same_due_date_sent_again_registers_no_second_child(self, app, session):
        """A due date already registered (typed again, or the picker pressed twice) is said to be there already."""
        consent(app)
        add_child(app, "due", "2027-03-05")
        reply = add_child(app, "due", "2027-03-05")
        assert children(session) == [(None, date(2027, 3, 5), None)]
        assert "出産予定日2027年3月5日(金)は、すでに登録されています" in text_of(reply)

    def test_due_date_from_the_picker_registers_a_child(self, app, session):
        """The picker's date registers a child by due date and turns 子育て on."""
        consent(app)
        reply = add_child(app, "due", "2027-03-05")
        assert children(session) == [(None, date(2027, 3, 5), None)]
        assert "出産予定日を2027年3月5日(金)で登録しました" in text_of(reply)
        assert categories(session) == {"子育て"}

    @pytest.mark.parametrize("typed", ["2027年3月5日", "2027/3/5", "3/5", "３月５日", "R9.3.5", "令和9年3月5日",
                                       "予定日は2027年3月5日です"])
    def test_typed_due_dates_are_read(self, app, session, typed):
        """After 「出産予定日」, a typed date in any common form is the due date 2027-03-05."""
        consent(app)
        say(app, "出産予定日")
        say(app, typed)
        assert children(session) == [(None, date(2027, 3, 5), None)]

    def test_a_typed_past_date_is_a_birth_date(self, app, session):
        """After 「子どもの登録」, a past date with its year registers a birth date."""
        consent(app)
        say(app, "子どもの登録")
        say(app, "2024年5月1日")
        assert children(session) == [(None, None, date(2024, 5, 1))]

    @pytest.mark.parametrize(("kind", "day", "words"), [
        ("due", "2026-09-01", "1か月以上前"),
        ("due", "2027-12-01", "10か月より先"),
        ("birth", "2027-01-01", "まだ来ていない日"),
        ("birth", "2005-01-01", "18歳まで"),
    ])
    def test_refused_dates_are_explained_and_not_stored(self, app, session, kind, day, words):
        """A date outside the window gets a kind reason and nothing is stored."""
        consent(app)
        reply = add_child(app, kind, day)
        assert words in text_of(reply) and children(session) == []

    def test_a_day_that_does_not_exist_gets_a_kind_reply(self, app, session):
        """「2月30日」 is answered with a kind word, and a correct date afterwards still works."""
        consent(app)
        say(app, "出産予定日")
        reply = say(app, "2月30日")
        assert "2月30日という日はないようです" in text_of(reply) and children(session) == []
        say(app, "3月2日")
        assert children(session) == [(None, date(2027, 3, 2), None)]

    def test_a_question_during_the_date_step_is_answered_normally(self, app):
        """A message that is not a date leaves the date step and is answered as usual."""
        consent(app)
        say(app, "子どもの登録")
        assert say(app, "配信設定").intent == "push_settings"

    def test_any_number_of_children_can_be_registered(self, app, session):
        """Three children are listed in the order they were added."""
        consent(app)
        add_child(app, "birth", "2020-04-10")
        add_child(app, "birth", "2023-06-01")
        reply = add_child(app, "due", "2027-03-05")
        assert len(children(session)) == 3
        assert "3. 3人目：出産予定日 2027年3月5日(金)" in text_of(reply)

    def test_born_button_replaces_the_due_date_with_the_birth_date(self, app, session):
        """「生まれました」 in a child's menu records the birth date and forgets the due date."""
        consent(app)
        add_child(app, "due", "2026-12-01")
        menu = press(app, actions(say(app, "子どもの登録"))["1人目の変更・削除"].data)
        reply = press(app, actions(menu)["生まれました"].data, date="2026-11-18")
        assert children(session) == [(None, None, date(2026, 11, 18))]
        assert "おめでとうございます" in text_of(reply)

    def test_typed_born_asks_for_the_birth_date_of_the_waiting_child(self, app, session):
        """「生まれました」 typed with one child waiting takes the next typed date as its birth date."""
        consent(app)
        add_child(app, "due", "2026-12-01")
        assert actions(say(app, "生まれました"))["生まれました"].type == "datetimepicker"
        say(app, "11月18日")
        assert children(session) == [(None, None, date(2026, 11, 18))]

    def test_a_birth_date_in_the_future_is_refused_after_born(self, app, session):
        """A 「生まれました」 date in the future is refused and the due date is kept."""
        consent(app)
        add_child(app, "due", "2026-12-01")
        [child_id] = session.scalars(sa.select(Child.id)).all()
        reply = press(app, postbacks.encode(postbacks.CHILD, op="born", id=child_id), date="2026-11-25")
        assert "まだ来ていない日" in text_of(reply)
        assert children(session) == [(None, date(2026, 12, 1), None)]

    def test_due_date_can_be_changed(self, app, session):
        """「予定日を変更」 replaces the due date."""
        consent(app)
        add_child(app, "due", "2027-03-05")
        [child_id] = session.scalars(sa.select(Child.id)).all()
        press(app, postbacks.encode(postbacks.CHILD, op="due", id=child_id), date="2027-03-12")
        assert children(session) == [(None, date(2027, 3, 12), None)]

    def test_one_child_can_be_removed(self, app, session):
        """「登録を削除」 removes that child only."""
        consent(app)
        add_child(app, "birth", "2020-04-10")
        add_child(app, "birth", "2023-06-01")
        first = session.scalars(sa.select(Child.id).order_by(Child.id)).first()
        reply = press(app, postbacks.encode(postbacks.CHILD, op="remove", id=first))
        assert children(session) == [(None, None, date(2023, 6, 1))]
        assert "1人目の登録を削除しました" in text_of(reply)

    def test_a_nickname_can_be_given(self, app, session):
        """「呼び名をつける」 then 「第1子」 stores the nickname and lists the child by it."""
        consent(app)
        add_child(app, "birth", "2020-04-10")
        [child_id] = session.scalars(sa.select(Child.id)).all()
        press(app, postbacks.encode(postbacks.CHILD, op="label", id=child_id))
        reply = say(app, "第1子")
        assert children(session) == [("第1子", None, date(2020, 4, 10))]
        assert "1. 第1子：生年月日" in text_of(reply)

    def test_a_long_nickname_is_asked_again(self, app, session):
        """A nickname over 10 characters is not stored and is asked for again."""
        consent(app)
        add_child(app, "birth", "2020-04-10")
        [child_id] = session.scalars(sa.select(Child.id)).all()
        press(app, postbacks.encode(postbacks.CHILD, op="label", id=child_id))
        assert "10文字以内" in text_of(say(app, "とてもながいよびなのこども"))
        assert children(session) == [(None, None, date(2020, 4, 10))]

    def test_someone_elses_child_cannot_be_removed(self, app, session):
        """A button carrying another resident's child id changes nothing."""
        consent(app)
        add_child(app, "birth", "2020-04-10")
        [child_id] = session.scalars(sa.select(Child.id)).all()
        consent(app, user=OTHER_USER)
        reply = press(app, postbacks.encode(postbacks.CHILD, op="remove", id=child_id), user=OTHER_USER)
        assert "見つかりませんでした" in text_of(reply) and len(children(session)) == 1

    def test_a_picker_without_a_date_asks_for_it_in_text(self, app, session):
        """A picker postback with no date (the terminal chat) asks for the date, and the typed one is used."""
        consent(app)
        reply = press(app, postbacks.encode(postbacks.CHILD, op="add", kind="birth"))
        assert "2027年3月5日" in text_of(reply)
        say(app, "2024/5/1")
        assert children(session) == [(None, None, date(2024, 5, 1))]


class TestQuietStop:
    def test_stop_baby_is_quiet_and_keeps_everything_else(self, app, session):
        """「妊娠・子育てのお知らせを止める」 sets stop_baby without asking why, and keeps children and consent."""
        consent(app)
        add_child(app, "due", "2027-03-05")
        reply = say(app, "妊娠・子育てのお知らせを止める")
        assert resident(session).stop_baby is True
        assert len(reply.messages) == 1 and "？" not in text_of(reply) and "理由" not in text_of(reply)
        assert resident(session).consent_at is not None and len(children(session)) == 1

    def test_stop_baby_can_be_resumed(self, app, session):
        """「子育てのお知らせ再開」 clears stop_baby."""
        say(app, "妊娠・子育てのお知らせを止める")
        say(app, "子育てのお知らせ再開")
        assert resident(session).stop_baby is False

    def test_children_list_offers_the_quiet_stop(self, app, session):
        """The children list carries a 「妊娠・子育てを止める」 button that works."""
        consent(app)
        add_child(app, "due", "2027-03-05")
        press(app, actions(say(app, "子どもの登録"))["妊娠・子育てを止める"].data)
        assert resident(session).stop_baby is True


class TestDeletion:
    def test_deleting_my_data_removes_children_and_settings(self, app, session):
        """「データ削除」 confirmed removes the resident, their children and their categories."""
        consent(app)
        add_child(app, "due", "2027-03-05")
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=1))
        say(app, "データ削除")
        assert "削除しました" in text_of(press(app, postbacks.encode(postbacks.DELETE, c="yes")))
        assert resident(session) is None and children(session) == [] and categories(session) == set()

    def test_deleting_my_data_removes_the_questions_asked(self, app, session):
        """「データ削除」 confirmed deletes what the resident asked (query log and feedback), not others' questions."""
        say(app, "粗大ごみの出し方")
        say(app, "住民票の写しがほしい", user=OTHER_USER)
        say(app, "データ削除")
        assert session.scalar(sa.select(sa.func.count()).select_from(QueryLog)) == 3
        assert "ご質問の記録" in text_of(press(app, postbacks.encode(postbacks.DELETE, c="yes")))
        assert session.scalars(sa.select(QueryLog.normalized_text)).all() == ["住民票の写しがほしい"]

    @pytest.mark.parametrize("typed", ["はい", "はい、お願いします", "削除してください", "うん"])
    def test_a_typed_yes_to_the_question_deletes_as_the_button_does(self, app, session, typed):
        """After 「データ削除」 asked, a typed yes deletes the resident's data and says so."""
        consent(app)
        say(app, "データ削除")
        assert "削除しました" in text_of(say(app, typed))
        assert resident(session) is None

    def test_a_typed_yes_without_the_question_deletes_nothing(self, app, session):
        """「はい」 when no deletion was asked is not a deletion."""
        consent(app)
        reply = say(app, "はい")
        assert "削除" not in text_of(reply)
        assert resident(session) is not None

    @pytest.mark.parametrize("typed", ["いいえ", "消さないでください"])
    def test_a_typed_no_to_the_question_says_the_deletion_is_called_off(self, app, session, typed):
        """After 「データ削除」 asked, a typed no is answered 「削除を取りやめました」 and keeps everything."""
        consent(app)
        say(app, "データ削除")
        assert "取りやめました" in text_of(say(app, typed))
        assert resident(session) is not None

    @pytest.mark.parametrize("typed", ["やめる", "いいえ", "ごみの日はいつ？"])
    def test_anything_but_yes_to_the_question_deletes_nothing(self, app, session, typed):
        """A typed no, or another question, after 「データ削除」 asked keeps everything; a later 「はい」 deletes nothing."""
        consent(app)
        say(app, "データ削除")
        reply = say(app, typed)
        assert "削除しました" not in text_of(reply)
        say(app, "はい")
        assert resident(session) is not None

    def test_cancelling_the_deletion_keeps_the_questions(self, app, session):
        """「やめる」 on the confirmation deletes nothing from the query log."""
        say(app, "粗大ごみの出し方")
        say(app, "データ削除")
        press(app, postbacks.encode(postbacks.DELETE, c="no"))
        assert session.scalar(sa.select(sa.func.count()).select_from(QueryLog)) == 2

    def test_deleting_my_data_cancels_and_forgets_queued_pushes(self, app, monkeypatch):
        """Data deletion cancels the resident's pending outbox rows and deletes them."""
        outbox = push_outbox
        calls = []
        monkeypatch.setattr(outbox, "cancel_for_resident", lambda s, user, reason: calls.append(("cancel", user)) or 0)
        monkeypatch.setattr(outbox, "forget_resident", lambda s, user: calls.append(("forget", user)) or 0)
        consent(app)
        press(app, postbacks.encode(postbacks.DELETE, c="yes"))
        assert calls == [("cancel", factories.USER_ID), ("forget", factories.USER_ID)]


class TestWebhook:
    def test_datetime_picker_postback_carries_its_date_to_the_bot(self, app, post_webhook, line_api, session):
        """A signed postback event with params.date registers the child and gets a valid reply."""
        consent(app)
        event = factories.postback_event(postbacks.encode(postbacks.CHILD, op="add", kind="due"))
        event["postback"]["params"] = {"date": "2027-03-05"}
        assert post_webhook(factories.body(event)).status_code == 200
        assert children(session) == [(None, date(2027, 3, 5), None)]
        assert line_api.violations == [] and len(line_api.replies) == 1

    def test_date_pickers_are_accepted_by_the_fake_line_server(self, app, post_webhook, line_api):
        """The children list with its date pickers passes the LINE API's checks."""
        consent(app)
        post_webhook(factories.body(factories.text_event("子どもの登録")))
        [(_token, messages)] = line_api.replies
        assert line_api.violations == []
        assert {item["action"]["type"] for item in messages[-1]["quickReply"]["items"]} >= {"datetimepicker"}

    def test_unfollow_cancels_queued_pushes(self, app, post_webhook, monkeypatch):
        """Blocking the account cancels the resident's pending outbox rows."""
        outbox = push_outbox
        calls = []
        monkeypatch.setattr(outbox, "cancel_for_resident", lambda s, user, reason: calls.append(reason) or 0)
        post_webhook(factories.body(factories.unfollow_event()))
        assert calls == ["unfollowed"]


TODAY = date(2026, 11, 20)  # NOW's day in Japan
BORN = "2026-11-18"  # a child born then has 出生届 and 児童手当 messages queued on TODAY


def plan_today(app, rules=None):
    """Plan TODAY's life-stage messages into the outbox, as the worker does each morning."""
    from zoneinfo import ZoneInfo

    from push.lifestage.rules import default_rules
    from push.planning import enqueue_lifestage

    with app.app_context(), db.transaction(app) as session:
        enqueue_lifestage(session, default_rules() if rules is None else rules, TODAY, tz=ZoneInfo("Asia/Tokyo"))


def outbox(session) -> dict[tuple[str, str, str], str]:
    """Each queued row as (who, rule, person) → status; who is "me" (USER_ID) or "other"."""
    from push.models import Delivery

    session.rollback()
    found = {}
    for row in session.scalars(sa.select(Delivery).order_by(Delivery.id)):
        _kind, rule, person, _day = row.key.split(":")
        found["me" if row.line_user_id == factories.USER_ID else "other", rule, person] = row.effective_status.value
    return found


def child_ids(session, user=factories.USER_ID) -> list[int]:
    return list(session.scalars(sa.select(Child.id).join(Resident, Child.resident_id == Resident.id)
                                .where(Resident.line_user_id == user).order_by(Child.id)))


def batch(app, rule: str, person: str) -> None:
    """Make the resident's queued row for (rule, person) part of a multicast batch tried once and awaiting
    its retry (as the sender leaves it after a 500)."""
    from push.models import Delivery
    from push.models import DeliveryBatch
    from push.models import DeliveryStatus

    with app.app_context(), db.transaction(app) as session:
        row = session.scalar(sa.select(Delivery).where(Delivery.line_user_id == factories.USER_ID,
                                                       Delivery.key.like(f"lifestage:{rule}:{person}:%")))
        group = DeliveryBatch(content_hash=row.content_hash, status=DeliveryStatus.PENDING, attempts=1)
        session.add(group)
        session.flush()
        row.batch_id, row.attempts = group.id, 1


class TestQueuedPushesCancelled:
    """A settings change cancels at once the queued pushes it made unwanted (not yet tried)."""

    def test_switching_childcare_off_cancels_my_queued_childcare_rows_only(self, app, session):
        """子育て off cancels this resident's queued 子育て rows; another resident's stay queued."""
        for user in (factories.USER_ID, OTHER_USER):
            consent(app, user=user)
            add_child(app, "birth", BORN, user=user)
        plan_today(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="子育て", on=0))
        mine, theirs = f"child-{child_ids(session)[0]}", f"child-{child_ids(session, OTHER_USER)[0]}"
        assert outbox(session) == {
            ("me", "birth-registration", mine): "cancelled", ("me", "child-allowance", mine): "cancelled",
            ("other", "birth-registration", theirs): "pending", ("other", "child-allowance", theirs): "pending"}

    def test_switching_another_category_off_keeps_the_childcare_rows(self, app, session):
        """防災 off leaves the queued 子育て rows alone."""
        consent(app)
        add_child(app, "birth", BORN)
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=1))
        plan_today(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=0))
        assert set(outbox(session).values()) == {"pending"} and len(outbox(session)) == 2

    def test_a_row_in_a_batch_already_tried_stays_in_it(self, app, session):
        """A row of a batch already tried is not cancelled: the batch is retried with the same recipients."""
        consent(app)
        add_child(app, "birth", BORN)
        plan_today(app)
        child = f"child-{child_ids(session)[0]}"
        batch(app, "birth-registration", child)
        press(app, postbacks.encode(postbacks.CATEGORY, k="子育て", on=0))
        assert outbox(session) == {("me", "birth-registration", child): "pending",
                                   ("me", "child-allowance", child): "cancelled"}

    def test_stopping_baby_messages_cancels_baby_rules_rows_but_not_the_65_row(self, app, session):
        """The quiet stop cancels queued rows of ``baby`` rules; the 65歳 vaccination row stays queued."""
        from dataclasses import replace

        from push.lifestage.rules import default_rules

        rules = [replace(rule, baby=rule.id == "birth-registration") for rule in default_rules()]
        consent(app)
        add_child(app, "birth", BORN)
        for category in ("高齢者", "健康"):
            press(app, postbacks.encode(postbacks.CATEGORY, k=category, on=1))
        press(app, postbacks.encode(postbacks.ME, op="set"), date="1961-06-01")
        plan_today(app, rules)
        say(app, "妊娠・子育てのお知らせを止める")
        child, me = f"child-{child_ids(session)[0]}", f"self-{resident(session).id}"
        assert outbox(session) == {("me", "birth-registration", child): "cancelled",
                                   ("me", "child-allowance", child): "pending",
                                   ("me", "vaccines-65", me): "pending"}

    def test_removing_a_child_cancels_its_rows_only(self, app, session):
        """「登録を削除」 cancels the rows queued for that child; a sibling's rows stay queued."""
        consent(app)
        add_child(app, "birth", BORN)
        add_child(app, "due", "2027-03-05")
        plan_today(app)
        born, expected = child_ids(session)
        press(app, postbacks.encode(postbacks.CHILD, op="remove", id=born))
        assert outbox(session) == {("me", "birth-registration", f"child-{born}"): "cancelled",
                                   ("me", "child-allowance", f"child-{born}"): "cancelled",
                                   ("me", "pregnancy-checkup-vouchers", f"child-{expected}"): "pending"}

    def test_correcting_a_birth_date_cancels_the_rows_planned_from_the_old_one(self, app, session):
        """「生年月日を変更」 to another day cancels the rows planned for the old birth date."""
        consent(app)
        add_child(app, "birth", BORN)
        plan_today(app)
        [child_id] = child_ids(session)
        press(app, postbacks.encode(postbacks.CHILD, op="birth", id=child_id), date="2026-11-17")
        assert set(outbox(session).values()) == {"cancelled"} and len(outbox(session)) == 2

    def test_the_same_due_date_again_cancels_nothing(self, app, session):
        """「予定日を変更」 to the date already registered keeps the queued row (its key would stay taken)."""
        consent(app)
        add_child(app, "due", "2027-03-05")
        plan_today(app)
        [child_id] = child_ids(session)
        press(app, postbacks.encode(postbacks.CHILD, op="due", id=child_id), date="2027-03-05")
        assert list(outbox(session).values()) == ["pending"]


class TestOwnBirthDateChanges:
    """Pushes queued from the resident's own birth date go when that date changes or is removed."""

    def queue_own_row(self, app, session) -> None:
        from push.outbox import PlannedDelivery
        from push.outbox import enqueue
        from push.planning import LIFESTAGE

        with app.app_context(), db.transaction(app) as tx:
            enqueue(tx, [PlannedDelivery(f"lifestage:age-65:self-{resident(session).id}:2026-11-20",
                                         factories.USER_ID, LIFESTAGE, [{"type": "text", "text": "65歳"}],
                                         NOW, category="高齢者")])

    def own_row_status(self, session) -> str:
        from push.models import Delivery

        session.rollback()
        return session.scalar(sa.select(Delivery.status)).value

    def test_a_new_birth_date_cancels_the_rows_from_the_old_one(self, app, session):
        """Picking another birth date cancels the row queued from the first one."""
        consent(app)
        picker = actions(press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1)))["ご自身の生年月日"]
        press(app, picker.data, date="1961-04-01")
        self.queue_own_row(app, session)
        press(app, picker.data, date="1961-05-01")
        assert self.own_row_status(session) == "cancelled"

    def test_the_same_birth_date_again_keeps_the_row(self, app, session):
        """Picking the same birth date again leaves the queued row alone."""
        consent(app)
        picker = actions(press(app, postbacks.encode(postbacks.CATEGORY, k="高齢者", on=1)))["ご自身の生年月日"]
        press(app, picker.data, date="1961-04-01")
        self.queue_own_row(app, session)
        press(app, picker.data, date="1961-04-01")
        assert self.own_row_status(session) == "pending"


class TestCategoriesInOwnWords:
    def test_only_the_named_category_stays_on(self, app, session):
        """「防災のお知らせだけ欲しい」 after consent turns 防災 on and every other category off."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="イベント", on=1))
        reply = say(app, "防災のお知らせだけ欲しい")
        assert categories(session) == {"防災"} and "お知らせの設定を変更しました" in text_of(reply)

    def test_a_category_not_wanted_is_turned_off(self, app, session):
        """「健康のお知らせはいらない」 turns 健康 off and leaves the others and consent as they were."""
        consent(app)
        press(app, postbacks.encode(postbacks.CATEGORY, k="健康", on=1))
        press(app, postbacks.encode(postbacks.CATEGORY, k="防災", on=1))
        say(app, "健康のお知らせはいらない")
        assert categories(session) == {"防災"} and resident(session).consent_at is not None

    def test_a_category_asked_for_before_consent_waits_for_it(self, app, session):
        """Before consent, 「防災のお知らせだけ欲しい」 asks for consent and changes nothing until it is given."""
        reply = say(app, "防災のお知らせだけ欲しい")
        assert "同意して受け取る" in actions(reply) and categories(session) == set()
        press(app, actions(reply)["同意して受け取る"].data)
        assert categories(session) == {"防災"} and resident(session).consent_at is not None

    def test_elderly_asked_for_in_words_asks_for_the_own_birth_date(self, app, session):
        """「高齢者のお知らせも受け取りたい」 turns 高齢者 on and asks for the own birth date, as the button does."""
        consent(app)
        reply = say(app, "高齢者のお知らせも受け取りたい")
        assert "高齢者" in categories(session) and "生年月日" in text_of(reply)

    def test_a_change_already_made_says_so(self, app, session):
        """「健康のお知らせはいらない」 when 健康 is already off changes nothing and says the setting is so already."""
        consent(app)
        reply = say(app, "健康のお知らせはいらない")
        assert "すでにそのとおり" in text_of(reply) and "変更しました" not in text_of(reply)


class TestChildcareNeedsConsent:
    @pytest.mark.parametrize("typed", ["子育ての通知を受け取りたい", "子育てのお知らせ再開", "赤ちゃんのお知らせがほしい"])
    def test_childcare_notices_asked_for_before_consent_ask_for_it(self, app, session, typed):
        """Asking for the childcare notices without consent asks for it; nothing is on until it is given."""
        reply = say(app, typed)
        assert "同意して受け取る" in actions(reply)
        assert categories(session) == set() and resident(session).consent_at is None
        press(app, actions(reply)["同意して受け取る"].data)
        assert categories(session) == {"子育て"}

    def test_childcare_notices_asked_for_after_consent_turn_childcare_on(self, app, session):
        """With consent, 「子育ての通知を受け取りたい」 turns 子育て on."""
        consent(app)
        say(app, "子育ての通知を受け取りたい")
        assert categories(session) == {"子育て"} and resident(session).stop_baby is False

"""Text, postback and follow handling: intents first, then the FAQ in three tiers."""

from __future__ import annotations

import sys

import pytest
import sqlalchemy as sa

import db
from bot import dispatch
from bot import postbacks
from bot.context import context_for
from faq.models import Feedback
from faq.models import QueryLog
from residents.models import Resident
from tests import factories
from tests.fakes import FakeMatcher


def run(app, fn, *args):
    with app.app_context(), db.transaction(app) as session:
        return fn(context_for(session), *args)


class TestText:
    def test_clear_question_gets_a_direct_answer(self, app, faq):
        """A question close to an FAQ question is answered directly."""
        reply = run(app, dispatch.on_text, factories.USER_ID, "住民票の写しを取りたい")
        assert (reply.kind, reply.faq_id) == ("faq", "101")

    def test_alias_finds_the_entry(self, app, faq):
        """An alias leads to its entry."""
        reply = run(app, dispatch.on_text, factories.USER_ID, "ひっこしてきた")
        assert reply.faq_id == "102"

    def test_ambiguous_question_gets_suggestions(self, app, faq):
        """A question close to two entries gets 「もしかして」 with both."""
        reply = run(app, dispatch.on_text, factories.USER_ID, "粗大ごみ")
        assert reply.kind == "suggest"
        assert {hit.faq_id for hit in reply.candidates[:2]} == {"103", "104"}
        assert reply.messages[0].quick_reply is not None

    def test_unknown_question_falls_back_to_the_contact_desk(self, app, faq):
        """A question about nothing in the FAQ gets the city's contact and hours."""
        reply = run(app, dispatch.on_text, factories.USER_ID, "宇宙旅行の補助金について")
        assert reply.kind == "fallback"
        assert "0123-45-6789" in reply.messages[0].text

    def test_greeting_is_an_intent_not_an_faq(self, app, faq):
        """「こんにちは」 gets a greeting, not an FAQ answer."""
        reply = run(app, dispatch.on_text, factories.USER_ID, "こんにちは")
        assert (reply.kind, reply.intent) == ("intent", "smalltalk")

    def test_query_log_keeps_no_user_id_in_clear(self, app, faq, session):
        """The log holds the normalised text and a hash, never the LINE user id."""
        run(app, dispatch.on_text, factories.USER_ID, "住民票の写しを取りたい")
        row = session.scalar(sa.select(QueryLog))
        assert row.resident_hash and factories.USER_ID not in row.resident_hash
        assert row.normalized_text == "住民票の写しを取りたい"

    @pytest.mark.parametrize(("text", "hidden"), [
        ("本町1丁目2番3号の粗大ごみ、090-1234-5678に電話ください", ("090", "1234", "2番3号")),
        ("〒123-4567に住んでいます。住民票の写しを送ってtaro@example.jpまで", ("4567", "taro", "example")),
        ("０１２０－１２３－４５６への問い合わせ", ("120", "456")),
    ])
    def test_query_log_masks_contact_details(self, app, faq, session, text, hidden):
        """Phone numbers, e-mail addresses, postal codes and street numbers are masked before the text is stored."""
        run(app, dispatch.on_text, factories.USER_ID, text)
        stored = session.scalar(sa.select(QueryLog.normalized_text))
        assert "〔" in stored and not any(part in stored for part in hidden)

    def test_empty_after_normalising_falls_back(self, app, faq):
        """A message of punctuation only gets the fallback, not an error."""
        assert run(app, dispatch.on_text, factories.USER_ID, "？？！！　").kind == "fallback"


class TestPostback:
    def test_choosing_a_suggestion_answers_it_and_records_feedback(self, app, faq, session):
        """Pressing a suggested question answers it and records which one was chosen."""
        suggest = run(app, dispatch.on_text, factories.USER_ID, "粗大ごみ")
        data = suggest.messages[0].quick_reply.items[0].action.data
        reply = run(app, dispatch.on_postback, factories.USER_ID, data)
        assert reply.kind == "faq"
        feedback = session.scalar(sa.select(Feedback))
        assert feedback.chosen_faq_id == reply.faq_id and feedback.query_log_id is not None

    def test_a_button_naming_the_log_row_by_id_still_links_the_feedback(self, app, faq, session):
        """A 「もしかして」 button sent before log rows had refs (q=<row id>) links its feedback to that row."""
        run(app, dispatch.on_text, factories.USER_ID, "粗大ごみ")
        row_id = session.scalar(sa.select(QueryLog.id))
        run(app, dispatch.on_postback, factories.USER_ID, postbacks.encode(postbacks.NONE, q=row_id))
        assert session.scalar(sa.select(Feedback)).query_log_id == row_id

    def test_none_of_these_is_logged_as_feedback(self, app, faq, session):
        """「どれにも当てはまらない」 records feedback without a choice and gives the contact desk."""
        suggest = run(app, dispatch.on_text, factories.USER_ID, "粗大ごみ")
        data = suggest.messages[0].quick_reply.items[-1].action.data
        reply = run(app, dispatch.on_postback, factories.USER_ID, data)
        assert "0123-45-6789" in reply.messages[-1].text
        assert session.scalar(sa.select(Feedback)).chosen_faq_id is None

    def test_a_direct_answer_offers_to_say_whether_it_helped(self, app, faq):
        """Under an entry's answer: 「役に立った」 and 「役に立たなかった」, naming the entry and the logged question."""
        reply = run(app, dispatch.on_text, factories.USER_ID, "住民票の写しを取りたい")
        items = reply.messages[-1].quick_reply.items
        assert [item.action.label for item in items] == ["役に立った", "役に立たなかった"]
        assert [postbacks.decode(item.action.data)[1]["v"] for item in items] == ["1", "0"]
        assert {postbacks.decode(item.action.data)[1]["id"] for item in items} == {"101"}

    def test_an_answer_rated_unhelpful_is_recorded_for_its_question(self, app, faq, session):
        """「役に立たなかった」: a feedback row linked to the question's log row, for entry 101, not helpful."""
        answer = run(app, dispatch.on_text, factories.USER_ID, "住民票の写しを取りたい")
        run(app, dispatch.on_postback, factories.USER_ID, answer.messages[-1].quick_reply.items[1].action.data)
        feedback = session.scalar(sa.select(Feedback))
        assert (feedback.chosen_faq_id, feedback.helpful) == ("101", False)
        assert feedback.query_log_id == session.scalar(sa.select(QueryLog.id))

    def test_rating_the_same_answer_again_changes_the_rating(self, app, faq, session):
        """Pressing 「役に立った」 after 「役に立たなかった」 on one answer leaves one rating: helpful."""
        answer = run(app, dispatch.on_text, factories.USER_ID, "住民票の写しを取りたい")
        for item in reversed(answer.messages[-1].quick_reply.items):
            run(app, dispatch.on_postback, factories.USER_ID, item.action.data)
        assert session.scalars(sa.select(Feedback.helpful)).all() == [True]

    def test_an_unhelpful_answer_tells_whom_to_ask(self, app, faq):
        """The reply to 「役に立たなかった」 apologises and gives the entry's department and phone."""
        answer = run(app, dispatch.on_text, factories.USER_ID, "住民票の写しを取りたい")
        reply = run(app, dispatch.on_postback, factories.USER_ID, answer.messages[-1].quick_reply.items[1].action.data)
        assert "お役に立てず" in reply.messages[0].text and "市民課 0123-45-6701" in reply.messages[0].text

    def test_unknown_postback_gets_a_kind_word(self, app, faq):
        """A postback we do not know (an old rich menu) is answered kindly."""
        reply = run(app, dispatch.on_postback, factories.USER_ID, "action=buy&itemid=111")
        assert "ボタンは使えなくなりました" in reply.messages[0].text


class TestDeleteMyData:
    def test_deletion_asks_first_then_deletes(self, app, faq, session):
        """「データ削除」 asks for confirmation; 「削除する」 deletes the resident at once."""
        run(app, lambda ctx: dispatch.on_follow(ctx, factories.USER_ID, unblocked=False))
        ask = run(app, dispatch.on_text, factories.USER_ID, "データ削除")
        assert ask.intent == "delete_my_data"
        assert session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 1
        done = run(app, dispatch.on_postback, factories.USER_ID, postbacks.encode(postbacks.DELETE, c="yes"))
        assert "削除しました" in done.messages[0].text
        assert session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 0

    def test_cancel_keeps_the_data(self, app, faq, session):
        """「やめる」 keeps everything."""
        run(app, lambda ctx: dispatch.on_follow(ctx, factories.USER_ID, unblocked=False))
        run(app, dispatch.on_postback, factories.USER_ID, postbacks.encode(postbacks.DELETE, c="no"))
        assert session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 1


class TestOneRoute:
    def route(self, app, text, matcher, user=factories.USER_ID):
        with app.app_context(), db.transaction(app) as session:
            ctx = context_for(session)
            ctx.matcher = matcher
            return dispatch.on_text(ctx, user, text)

    def test_the_faq_is_not_searched_when_an_intent_answers(self, app, faq):
        """「こんにちは」 is small talk: the FAQ matcher is never asked."""
        matcher = FakeMatcher()
        reply = self.route(app, "こんにちは", matcher)
        assert (reply.kind, reply.intent, matcher.searched) == ("intent", "smalltalk", [])

    def test_the_faq_is_searched_once_when_no_intent_answers(self, app, faq):
        """A question no intent takes is searched in the FAQ exactly once."""
        matcher = FakeMatcher()
        self.route(app, "住民票の写しを取りたい", matcher)
        assert matcher.searched == ["住民票の写しを取りたい"]

    def test_the_text_is_normalised_once(self, app, faq, monkeypatch):
        """The whole message goes through the normaliser once, however many stages look at it."""
        import japanese.normalize

        original = japanese.normalize.normalize
        calls = []

        def counting(text):
            calls.append(text)
            return original(text)

        for module in list(sys.modules.values()):
            if getattr(module, "normalize", None) is original:
                monkeypatch.setattr(module, "normalize", counting)
        text = "粗大ごみの出し方を教えてください"
        self.route(app, text, FakeMatcher())
        assert calls.count(text) == 1

    def test_an_answered_step_hands_back_the_waiting_question(self, app, faq, monkeypatch):
        """A step's answer that hands back a question has it answered through the same route, once."""
        from bot.context import Reply

        asked = []
        original = dispatch.on_text

        def recording(ctx, user_id, text):
            asked.append(text)
            return original(ctx, user_id, text)

        monkeypatch.setitem(dispatch.POSTBACKS, postbacks.AREA, lambda ctx, user_id, values, params: Reply(
            [], "intent", intent="area", then="住民票の写しを取りたい"))
        monkeypatch.setattr(dispatch, "on_text", recording)
        with app.app_context(), db.transaction(app) as session:
            reply = dispatch.on_postback(context_for(session), factories.USER_ID, postbacks.encode(postbacks.AREA))
        assert asked == ["住民票の写しを取りたい"] and reply.messages

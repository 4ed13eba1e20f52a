"""The route's trace (``ask --explain``): every stage it ran, what each decided and why, as plain data."""

from __future__ import annotations

import json

import pytest

import db
from bot import conversation
from bot import dispatch
from bot import postbacks
from bot.cli import render_trace
from bot.context import context_for
from bot.conversation import Step
from bot.trace import Trace
from intents import INTENTS
from tests import factories
from tests.conftest import NOW


def traced(app, text: str, *, user: str | None = None, record: bool = True):
    """The reply to ``text`` and the trace collected while it was answered."""
    with app.app_context(), db.transaction(app) as session:
        ctx = context_for(session)
        ctx.record, ctx.trace = record, Trace()
        return dispatch.on_text(ctx, user, text), ctx.trace


def untraced(app, text: str, *, record: bool = True):
    """The reply to ``text`` without a trace."""
    with app.app_context(), db.transaction(app) as session:
        ctx = context_for(session)
        ctx.record = record
        return dispatch.on_text(ctx, None, text)


def names(trace: Trace) -> list[str]:
    return [stage.name for stage in trace.stages]


def open_child_date_step(app, user: str = factories.USER_ID) -> None:
    """Leave the resident waiting in the step that asks for a child's date."""
    with db.transaction(app) as session:
        conversation.start(session, user, Step.ASK_CHILD_DATE, NOW, op="add", kind="due")


class TestIntentAnswer:
    def test_intents_are_listed_in_order_up_to_the_one_that_answered(self, app, faq):
        """Each intent tried before small talk is named as not matching; the FAQ is not searched."""
        _reply, trace = traced(app, "こんにちは")
        tried = trace.named("intent")
        position = [intent.name for intent in INTENTS].index("smalltalk")
        assert [d["name"] for d in tried] == [intent.name for intent in INTENTS[: position + 1]]
        assert [d["matched"] for d in tried] == [False] * position + [True]
        assert trace.named("faq") == []

    def test_the_winning_intent_says_what_its_handler_returned(self, app, faq):
        """The intent that answered carries a summary of its result, by type and fields."""
        _reply, trace = traced(app, "ありがとうございます")
        assert trace.named("intent")[-1]["result"] == {"type": "SmallTalk", "kind": "thanks", "hello": ""}

    def test_the_reply_stage_names_the_intent_and_what_was_sent(self, app, faq):
        """The last stage is the reply: its kind, the intent and the messages' texts."""
        reply, trace = traced(app, "こんにちは")
        assert trace.stages[-1].name == "reply"
        final = trace.stages[-1].detail
        assert (final["kind"], final["intent"]) == ("intent", "smalltalk")
        assert final["messages"][0]["text"] == reply.messages[0].text[:len(final["messages"][0]["text"])]

    def test_the_query_stage_shows_the_normalised_key(self, app, faq):
        """The first stage is the text as typed and the key every stage matched against."""
        _reply, trace = traced(app, "ｺﾝﾆﾁﾊ")
        assert trace.stages[0].name == "query"
        assert trace.stages[0].detail == {"text": "ｺﾝﾆﾁﾊ", "key": "こんにちは"}


class TestFaqAnswer:
    def test_a_clear_answer_passes_every_check(self, app, faq):
        """A direct FAQ answer: tier faq, best score equal to the reply's, every threshold passed."""
        reply, trace = traced(app, "住民票の写しを取りたい")
        [found] = trace.named("faq")
        decision = found["decision"]
        assert decision["tier"] == "faq" and found["result"] == "faq"
        assert decision["best"] == reply.score
        assert [check["threshold_name"] for check in decision["checks"]][:3] == ["suggest_at", "answer_at", "min_margin"]
        assert all(check["value"] >= check["threshold"] for check in decision["checks"])

    def test_only_the_answered_entry_is_kept(self, app, faq):
        """The answered entry is kept; every other candidate is listed as dropped with its score."""
        reply, trace = traced(app, "住民票の写しを取りたい")
        [found] = trace.named("faq")
        assert [hit["faq_id"] for hit in found["kept"]] == [reply.faq_id] == ["101"]
        assert {hit["faq_id"] for hit in found["dropped"]} == {hit.faq_id for hit in reply.candidates} - {"101"}

    def test_the_margin_is_measured_against_the_runner_up(self, app, faq):
        """The margin is the best score minus the runner-up's, both as the search ranked them."""
        reply, trace = traced(app, "住民票の写しを取りたい")
        decision = trace.named("faq")[0]["decision"]
        assert decision["runner_up"] == reply.candidates[1].score
        assert decision["margin"] == pytest.approx(reply.candidates[0].score - reply.candidates[1].score)


class TestSuggestions:
    def test_suggestions_say_which_check_failed(self, app, faq):
        """「もしかして」: the best score reaches suggest_at, and answer_at or the margin is what failed."""
        _reply, trace = traced(app, "粗大ごみ")
        decision = trace.named("faq")[0]["decision"]
        assert decision["tier"] == "suggest"
        suggest, answer, margin = decision["checks"]
        assert suggest["value"] >= suggest["threshold"]
        assert answer["value"] < answer["threshold"] or margin["value"] < margin["threshold"]

    def test_kept_candidates_are_the_buttons_shown(self, app, faq):
        """The kept candidates are exactly the entries offered as buttons, best first; the rest are dropped."""
        reply, trace = traced(app, "粗大ごみ")
        [found] = trace.named("faq")
        pressed = [postbacks.decode(item.action.data) for item in reply.messages[-1].quick_reply.items]
        assert [hit["faq_id"] for hit in found["kept"]] == [values["id"] for action, values in pressed
                                                             if action == postbacks.FAQ]
        kept = [(hit["faq_id"], hit["score"]) for hit in found["kept"]]
        dropped = [(hit["faq_id"], hit["score"]) for hit in found["dropped"]]
        assert kept + dropped == sorted(((hit["faq_id"], hit["score"]) for hit in found["hits"]),
                                        key=lambda hit: hit not in kept)

    def test_each_dropped_candidate_says_why(self, app, faq):
        """A candidate found but not offered names the rule that left it out."""
        _reply, trace = traced(app, "粗大ごみ")
        [found] = trace.named("faq")
        assert found["dropped"] and all(hit["why"] for hit in found["dropped"])

    def test_the_short_query_thresholds_are_named(self, app, faq):
        """A short query (粗大ごみ, four characters at most) is measured against the *_short thresholds
        exactly when the policy counts it short."""
        policy = app.extensions["bot"].policy
        _reply, trace = traced(app, "粗大ごみ")
        decision = trace.named("faq")[0]["decision"]
        assert decision["short"] == (len("粗大ごみ") <= policy.short_chars)
        assert decision["checks"][0]["threshold_name"] == ("suggest_at_short" if decision["short"] else "suggest_at")


class TestNotFound:
    def test_nothing_fitting_fails_the_suggestion_threshold_and_keeps_nothing(self, app, faq):
        """宇宙旅行: the tier is fallback because the best score (if any) is under suggest_at."""
        _reply, trace = traced(app, "宇宙旅行の申し込み方法")
        [found] = trace.named("faq")
        decision = found["decision"]
        assert decision["tier"] == "fallback" and found["kept"] == []
        assert decision["checks"] == [] or decision["checks"][0]["value"] < decision["checks"][0]["threshold"]
        assert trace.stages[-1].detail["kind"] == "fallback"

    def test_a_text_with_nothing_to_match_is_not_searched(self, app, faq):
        """Punctuation only: the FAQ says it was not searched, and the reply is the fallback."""
        _reply, trace = traced(app, "？？？")
        [found] = trace.named("faq")
        assert found["searched"] is False and found["hits"] == []


class TestOpenStep:
    def test_without_a_resident_there_is_no_open_step(self, app, faq):
        """``ask`` has no resident: the step stage says no step was open."""
        _reply, trace = traced(app, "住民票の写しを取りたい")
        assert trace.named("step") == [{"open": None}]

    def test_a_step_that_takes_the_text_says_so_and_no_intent_is_tried(self, app, faq):
        """A date typed while the child-date step waits is taken by the step; no intent or FAQ follows."""
        open_child_date_step(app)
        _reply, trace = traced(app, "2027年3月5日", user=factories.USER_ID)
        [step] = trace.named("step")
        assert (step["open"], step["took"]) == ("ask_child_date", True)
        assert step["answer"]["type"] == "Reply"
        assert trace.named("intent") == [] and trace.named("faq") == []

    def test_a_step_that_does_not_take_the_text_is_closed_and_the_route_goes_on(self, app, faq):
        """A question instead of the date: the step did not take it, and the FAQ answered."""
        open_child_date_step(app)
        _reply, trace = traced(app, "住民票の写しを取りたい", user=factories.USER_ID)
        assert trace.named("step") == [{"open": "ask_child_date", "took": False, "answer": None}]
        assert trace.named("faq")[0]["result"] == "faq"

    def test_a_cancel_word_is_noted_as_cancelling_the_step(self, app, faq):
        """「やめる」 while a step is open: the step stage says it was cancelled."""
        open_child_date_step(app)
        reply, trace = traced(app, "やめる", user=factories.USER_ID)
        assert trace.named("step") == [{"open": "ask_child_date", "took": True, "cancelled": True}]
        assert reply.intent == "cancel"


class TestNothingChanges:
    @pytest.mark.parametrize("text", ["こんにちは", "住民票の写しを取りたい", "粗大ごみ", "宇宙旅行の申し込み方法"])
    def test_explaining_changes_nothing_in_the_answer(self, app, faq, text):
        """The reply with a trace is the reply without one: kind, entry, score, candidates and messages
        (unlogged both times, so the buttons name no query log row)."""
        plain = untraced(app, text, record=False)
        explained, _trace = traced(app, text, record=False)
        assert (explained.kind, explained.intent, explained.faq_id, explained.score, explained.candidates) == (
            plain.kind, plain.intent, plain.faq_id, plain.score, plain.candidates)
        assert [m.to_dict() for m in explained.messages] == [m.to_dict() for m in plain.messages]

    def test_the_trace_is_json_ready(self, app, faq):
        """The whole trace survives a JSON round trip unchanged (what a console would receive)."""
        _reply, trace = traced(app, "粗大ごみ")
        data = trace.as_data()
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data


class TestFacets:
    def test_a_loss_the_best_entry_does_not_speak_of_is_offered_and_said_so(self, app, faq):
        """「住民票の写しをなくした」: the 住民票 entry is offered, not answered, and the trace says why."""
        reply, trace = traced(app, "住民票の写しをなくしてしまった")
        [found] = trace.named("faq")
        assert found["decision"]["unmet"] == ["lost"] and reply.kind != "faq"
        assert "offered, not answered" in "\n".join(render_trace(trace.as_data()))


class TestRendering:
    def test_a_stage_the_console_does_not_know_is_shown_by_its_fields(self):
        """A new stage needs no rendering code: its name and fields are printed as they are."""
        lines = render_trace([{"stage": "triage", "matched": False, "rule": "none"}])
        assert lines == ["route", '  triage  matched=false rule="none"']

    def test_the_faq_stage_reads_as_checks_against_thresholds(self, app, faq):
        """The FAQ stage prints the tier, the scores and one pass/fail line per threshold."""
        _reply, trace = traced(app, "住民票の写しを取りたい")
        data = trace.as_data()
        [faq] = [stage for stage in data if stage["stage"] == "faq"]
        text = "\n".join(render_trace(data))
        assert "  faq     tier faq" in text
        assert "best " in text and "runner-up " in text and "margin " in text
        assert text.count(" pass") == len(faq["decision"]["checks"]) >= 3


class TestHealthStage:
    def test_a_red_flag_names_its_family_and_the_citys_phrase_that_raised_it(self, app):
        """Staff see which family of the red-flag list answered and by which listed phrase, before any step."""
        reply, trace = traced(app, "父が倒れて返事がない")
        [health] = trace.named("health")
        assert health["took"] is True and health["kind"] == "emergency"
        assert health["family"] and health["phrase"]
        assert names(trace) == ["query", "health", "reply"]
        assert reply.intent == "health.emergency"

    def test_a_message_not_about_health_says_so_and_goes_on(self, app):
        """The stage is there for every message, saying it did not take it."""
        _reply, trace = traced(app, "住民票がほしい")
        assert trace.named("health") == [{"took": False}]
        assert names(trace)[:3] == ["query", "health", "step"]

"""How the residents' chat report judges one reply, on hand-made replies (no app needed)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.eval_residents import judge
from bot.context import Reply
from search.docs import Hit

QUESTIONS = {"1": "住民票が取れる場所を教えてください。", "2": "粗大ごみの料金を教えてください。"}


def test_an_emergency_is_right_only_when_the_first_message_says_119():
    """119 in a second message is too late: the reply is wrong."""
    reply = Reply([], "intent", intent="health")
    assert judge("emergency", reply, ["119番へ電話してください"], QUESTIONS) == "right"
    assert judge("emergency", reply, ["ご相談ください", "119番へ"], QUESTIONS) == "wrong"


def test_another_faq_entry_answered_is_wrong_and_a_fallback_unhelpful():
    """A confident answer about something else misleads; a fallback only fails to help."""
    assert judge("faq:住民票", Reply([], "faq", faq_id="1"), ["…"], QUESTIONS) == "right"
    assert judge("faq:住民票", Reply([], "faq", faq_id="2"), ["…"], QUESTIONS) == "wrong"
    assert judge("faq:住民票", Reply([], "fallback"), ["…"], QUESTIONS) == "unhelpful"


def test_the_right_entry_among_the_buttons_counts_as_right():
    """Suggestions that include an entry that fits are one tap from the answer."""
    reply = Reply([], "suggest", candidates=[Hit("2", 0.4), Hit("1", 0.3)])
    assert judge("faq:住民票|印鑑", reply, ["…"], QUESTIONS) == "right"


def test_small_talk_answered_from_the_faq_is_wrong():
    """Thanks must never get FAQ buttons."""
    assert judge("smalltalk", Reply([], "suggest", candidates=[Hit("1", 0.3)]), ["…"], QUESTIONS) == "wrong"
    assert judge("smalltalk", Reply([], "intent", intent="smalltalk"), ["…"], QUESTIONS) == "right"


def test_every_chat_in_the_development_set_has_a_known_expectation():
    """A typo in the set would raise in the middle of a run."""
    path = Path(__file__).resolve().parents[2] / "bench" / "residents.dev.jsonl"
    reply = Reply([], "fallback")
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        assert case["turns"] and all(isinstance(turn, str) for turn in case["turns"])
        judge(case["expect"], reply, [""], QUESTIONS)


def test_area_choices_need_at_least_two_areas_offered():
    """「こくぶんじ」 fits two areas: offering both is right, offering one (or none) is not."""
    reply = Reply([], "intent", intent="area")
    both = ["どの地域でしょうか？\n1. 木太・林・多肥・国分寺南部\n2. 檀紙・弦打・国分寺北部"]
    assert judge("area_choices:国分寺", reply, both, QUESTIONS) == "right"
    assert judge("area_choices:国分寺", reply, ["1. 木太・林・多肥・国分寺南部"], QUESTIONS) == "unhelpful"


def test_a_named_intent_is_right_another_intent_wrong_and_anything_else_unhelpful():
    """「避難所どこ」 is for the shelter search: the FAQ's list of shelters does not say where to go."""
    assert judge("intent:shelter", Reply([], "intent", intent="shelter"), ["…"], QUESTIONS) == "right"
    assert judge("intent:shelter", Reply([], "intent", intent="garbage_item"), ["…"], QUESTIONS) == "wrong"
    assert judge("intent:shelter", Reply([], "faq", faq_id="1"), ["…"], QUESTIONS) == "unhelpful"

"""What calls off a dialogue: cancel words in residents' own words, and polite declines only where they decline."""

from __future__ import annotations

import pytest

from bot.conversation import is_cancel
from search.docs import Query


@pytest.mark.parametrize("text", [
    "やめる", "やっぱやめる", "やっぱりやめます", "やめときます", "キャンセルで", "キャンセルでお願いします",
    "やっぱいいです", "やっぱり大丈夫です", "あ、やっぱいいや", "もういいです", "やっぱりいらないです",
    "やっぱなしで", "やっぱりなしでお願いします",
])
def test_cancel_words_and_a_change_of_mind_call_off_anything(text):
    """A cancel word, or a decline after 「やっぱ」 / 「もう」, calls off what was asked even with no step open."""
    assert is_cancel(Query.of(text), step_open=False)


@pytest.mark.parametrize("text", ["いいです", "大丈夫です", "結構です", "いらないです", "また今度にします", "あとで"])
def test_a_polite_decline_calls_off_an_open_step(text):
    """While a step waits for an answer, 「いいです」 or 「結構です」 declines it."""
    assert is_cancel(Query.of(text), step_open=True)


@pytest.mark.parametrize("text", ["いいです", "大丈夫です", "結構です"])
def test_a_polite_decline_alone_is_no_cancel_without_a_step(text):
    """With no step open, 「いいです」 alone is an acknowledgement, not a cancel."""
    assert not is_cancel(Query.of(text), step_open=False)


@pytest.mark.parametrize("text", ["配信やめて", "やめないで", "いいね", "今日のごみはやめる日？", "やっぱ", "もう"])
def test_other_messages_are_no_cancel(text):
    """A request, a negation or a question that contains a cancel word does not call anything off."""
    assert not is_cancel(Query.of(text), step_open=True)

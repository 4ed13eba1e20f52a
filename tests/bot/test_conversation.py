"""What calls off a dialogue: cancel words in residents' own words, and polite declines only where they decline."""

from __future__ import annotations

import pytest

import db
from bot import conversation
from bot.conversation import Step
from bot.conversation import is_cancel
from search.docs import Query
from tests.conftest import NOW
from tests.transactions import statements

ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32


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


class TestLoad:
    def test_a_resident_without_a_step_is_answered_from_memory_after_load(self, app):
        """``load`` notes who has no step; ``current`` then answers None for them without a statement, and still
        finds the open step of one who has it."""
        with db.transaction(app) as tx:
            conversation.start(tx, ALICE, Step.ASK_AREA, NOW)
        with db.read_transaction(app) as session:
            assert conversation.load(session, {ALICE, BOB}) == {ALICE}
            with statements(session) as run:
                assert conversation.current(session, BOB, NOW) is None
                assert conversation.current(session, ALICE, NOW).step is Step.ASK_AREA
            assert run == []

    def test_steps_are_not_kept_in_memory_in_a_write_transaction(self, app):
        """A write transaction could open a step behind the memory: ``load`` refuses it."""
        with db.transaction(app) as tx, pytest.raises(ValueError):
            conversation.load(tx, {ALICE})


class TestOneEventsTransaction:
    def test_a_resident_without_a_step_is_looked_up_once(self, app):
        """In the write transaction of one event, a resident with no step costs one statement however often
        the route asks (``current``, then ``end`` when a health answer closes any step)."""
        with db.transaction(app) as tx, statements(tx) as run:
            assert conversation.current(tx, ALICE, NOW) is None
            conversation.end(tx, ALICE)
            assert conversation.current(tx, ALICE, NOW) is None
        assert len([sql for sql in run if "conversation" in sql.lower()]) == 1

    def test_a_step_opened_or_closed_in_the_transaction_is_seen_at_once(self, app):
        """What the route itself opens, and then closes, is what the next lookup in the transaction finds."""
        with db.transaction(app) as tx:
            assert conversation.current(tx, ALICE, NOW) is None
            conversation.start(tx, ALICE, Step.ASK_AREA, NOW)
            assert conversation.current(tx, ALICE, NOW).step is Step.ASK_AREA
            conversation.end(tx, ALICE)
            assert conversation.current(tx, ALICE, NOW) is None
            conversation.start(tx, ALICE, Step.ASK_LOCATION, NOW)
        with db.transaction(app) as tx:
            assert conversation.current(tx, ALICE, NOW).step is Step.ASK_LOCATION

"""messaging.build keeps every message within LINE's limits."""

from __future__ import annotations

import json
from datetime import date

import pytest

from messaging import build


class TestSplitText:
    def test_short_text_stays_whole(self):
        """A text under the limit is one piece."""
        assert build.split_text("こんにちは。") == ["こんにちは。"]

    def test_long_text_splits_at_sentence_ends(self):
        """Pieces end at 。 when a sentence boundary is available."""
        pieces = build.split_text("あいう。" * 10, limit=9)
        assert all(piece.endswith("。") for piece in pieces)
        assert "".join(pieces) == "あいう。" * 10

    def test_emoji_count_as_two_units(self):
        """Surrogate-pair emoji count twice and are never cut in half."""
        pieces = build.split_text("😀" * 5001)
        assert [build.utf16_len(p) for p in pieces] == [5000, 5000, 2]
        assert "".join(pieces) == "😀" * 5001

    def test_unbroken_text_is_cut_hard(self):
        """A text with no boundary is still cut within the limit."""
        pieces = build.split_text("あ" * 12001)
        assert max(build.utf16_len(p) for p in pieces) <= 5000
        assert "".join(pieces) == "あ" * 12001


class TestMessages:
    def test_at_most_five_messages(self):
        """A huge answer becomes at most five messages, the last saying it was shortened."""
        messages = build.messages(["あ。" * 20000])
        assert len(messages) == 5
        assert all(build.utf16_len(m.text) <= 5000 for m in messages)
        assert messages[-1].text.endswith("（続きは上のページをご覧ください）")

    def test_quick_reply_goes_on_the_last_message(self):
        """The quick reply is attached to the last message only."""
        qr = build.quick_reply([("はい", "a=x", "はい")])
        messages = build.messages(["一。", "二。"], qr)
        assert messages[0].quick_reply is None and messages[-1].quick_reply == qr

    def test_quick_reply_holds_at_most_thirteen_buttons(self):
        """More than 13 choices are cut to 13."""
        qr = build.quick_reply([(str(i), f"a={i}", str(i)) for i in range(20)])
        assert len(qr.items) == 13

    @pytest.mark.parametrize("text", ["あ" * 21, "子どもの医療費助成の申請方法を教えてください。", "x" * 40])
    def test_labels_are_at_most_twenty_characters(self, text):
        """Quick-reply labels are cut to 20 characters."""
        assert len(build.label(text)) <= 20


class TestCall:
    @pytest.mark.parametrize(("number", "uri"), [("119", "tel:119"), ("#8000", "tel:%238000"),
                                                 ("0120-20-8699", "tel:0120208699")])
    def test_a_call_button_dials_the_number(self, number, uri):
        """A call button opens the phone with the number: dashes dropped, # escaped."""
        item = build.quick_reply([build.Call("電話する", number)]).items[0]
        assert (item.action.type, item.action.uri) == ("uri", uri)


class TestPrepared:
    def test_prepared_messages_carry_their_request_json(self):
        """Prepared messages are the same messages, with the JSON array LINE expects written once."""
        messages = build.messages(["避難所を開設しました。"], build.quick_reply([("避難所", "a=shelter", "避難所")]))
        ready = build.prepared(messages)
        assert list(ready) == messages
        assert json.loads(ready.json) == [message.to_dict() for message in messages]

    def test_messages_prepared_from_their_stored_json_send_that_json(self):
        """An answer stored as JSON (the inbox) and sent as built: the request carries the stored JSON as it is,
        which is what the messages themselves would write."""
        messages = build.messages(["避難所を開設しました。"], build.quick_reply([("避難所", "a=shelter", "避難所")]))
        stored = [message.to_dict() for message in messages]
        ready = build.prepared(messages, stored=stored)
        assert list(ready) == messages
        assert ready.json == build.prepared(messages).json
        assert json.loads(ready.json) == stored


def test_as_json_writes_what_the_sdk_writes():
    """``as_json`` gives the SDK's ``to_dict()`` for every kind of message and button the bot builds: texts
    split over several messages, a quick reply with postback, call, date-picker and send-location buttons,
    a location, and messages rebuilt from what was stored."""
    buttons = build.quick_reply([("はい", "answer=yes", "はい"), build.Call("119に電話", "119"),
                                 build.DatePick("日付を選ぶ", "step=date", date(2026, 1, 1), date(2026, 12, 31),
                                                date(2027, 1, 1)),
                                 build.SendLocation("今いる場所を送る")])
    messages = [*build.messages(["あ。" * 3000, "🗾 燃えるごみは月曜日です。"], buttons),
                build.location("第一避難所", "千歳市東雲町2丁目34", 42.8193, 141.6517)]
    messages += build.from_stored([message.to_dict() for message in messages])
    assert [build.as_json(message) for message in messages] == [message.to_dict() for message in messages]

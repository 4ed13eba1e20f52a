"""bot.replies keeps every message within LINE's limits."""

from __future__ import annotations

import pytest

from bot import postbacks
from bot import replies
from city.info import CityInfo
from faq.models import FaqEntry
from messaging import build


def entry(faq_id="1", question="住民票の写しを取りたい。", answer="市民課で取れます。", **kw) -> FaqEntry:
    return FaqEntry(faq_id=faq_id, question=question, answer=answer, url=kw.get("url", ""),
                    department=kw.get("department", ""), phone=kw.get("phone", ""))


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


class TestBuilders:
    def test_faq_answer_adds_url_contact_and_attribution(self):
        """An FAQ answer ends with where to read more, whom to call and the data's source."""
        city = CityInfo(faq_attribution="出典：汎用FAQ")
        [message] = replies.faq_answer(
            entry(url="https://www.city.kamome.example/", department="市民課", phone="0123-45-6701"), city
        )
        assert "https://www.city.kamome.example/" in message.text
        assert "市民課 0123-45-6701" in message.text
        assert message.text.endswith("出典：汎用FAQ")

    def test_suggestions_offer_each_candidate_and_a_way_out(self):
        """「もしかして」 lists the candidates as buttons plus 「どれにも当てはまらない」."""
        entries = [entry(str(i), f"質問{i}についての、とても長い長い長い質問文です。") for i in range(3)]
        [message] = replies.suggestions(entries, 42)
        items = message.quick_reply.items
        assert len(items) == 4
        assert items[-1].action.label == "どれにも当てはまらない"
        assert postbacks.decode(items[0].action.data) == ("faq", {"id": "0", "q": "42"})
        assert all(len(item.action.label) <= 20 for item in items)

    def test_fallback_gives_the_city_contact_and_hours(self):
        """The fallback names the contact desk, its number and office hours."""
        city = CityInfo(department="市民課", phone="0123-45-6789", office_hours="平日 9時〜17時")
        [message] = replies.fallback(city)
        assert "0123-45-6789" in message.text and "平日 9時〜17時" in message.text


class TestPostbacks:
    def test_round_trip(self):
        """Encoded postback data decodes to the same action and parameters."""
        assert postbacks.decode(postbacks.encode("faq", id="12", q=3)) == ("faq", {"id": "12", "q": "3"})

    def test_foreign_data_has_no_action(self):
        """Data from someone else's buttons decodes to an empty action."""
        assert postbacks.decode("action=buy&itemid=111")[0] == ""

    def test_too_long_data_is_refused(self):
        """Data over 300 characters raises instead of being sent."""
        with pytest.raises(ValueError):
            postbacks.encode("faq", id="x" * 300)

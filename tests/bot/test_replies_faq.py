"""FAQ replies: the answer with links and contact, 「もしかして」 buttons, and the contact desk."""

from __future__ import annotations

from bot import postbacks
from bot.replies import faq as faq_replies
from city.info import CityInfo
from faq.answers import Entry


def entry(faq_id="1", question="住民票の写しを取りたい。", answer="市民課で取れます。", **kw) -> Entry:
    return Entry(faq_id=faq_id, question=question, answer=answer, url=kw.get("url", ""),
                 department=kw.get("department", ""), phone=kw.get("phone", ""))


class TestFaqReplies:
    def test_faq_answer_adds_url_contact_and_attribution(self):
        """An FAQ answer ends with where to read more, whom to call and the data's source."""
        city = CityInfo(faq_attribution="出典：汎用FAQ")
        [message] = faq_replies.faq_answer(
            entry(url="https://www.city.kamome.example/", department="市民課", phone="0123-45-6701"), city
        )
        assert "https://www.city.kamome.example/" in message.text
        assert "市民課 0123-45-6701" in message.text
        assert message.text.endswith("出典：汎用FAQ")

    def test_a_link_or_phone_the_answer_already_gives_is_not_repeated(self):
        """An answer that names its URL and its phone (written ０１２３−４５−６７０１) gets neither again below it."""
        answer = "詳しくは https://www.city.kamome.example/ をご覧ください。問い合わせ：市民課（０１２３−４５−６７０１）"
        [message] = faq_replies.faq_answer(
            entry(answer=answer, url="https://www.city.kamome.example/", department="市民課", phone="0123-45-6701"),
            CityInfo())
        assert message.text == answer

    def test_suggestions_offer_each_candidate_and_a_way_out(self):
        """「もしかして」 lists the candidates as buttons plus 「どれにも当てはまらない」."""
        entries = [entry(str(i), f"質問{i}についての、とても長い長い長い質問文です。") for i in range(3)]
        [message] = faq_replies.suggestions(entries, 42)
        items = message.quick_reply.items
        assert len(items) == 4
        assert items[-1].action.label == "どれにも当てはまらない"
        assert postbacks.decode(items[0].action.data) == ("faq", {"id": "0", "q": "42"})
        assert all(len(item.action.label) <= 20 for item in items)

    def test_fallback_gives_the_city_contact_and_hours(self):
        """The fallback names the contact desk, its number and office hours."""
        city = CityInfo(department="市民課", phone="0123-45-6789", office_hours="平日 9時〜17時")
        [message] = faq_replies.fallback(city)
        assert "0123-45-6789" in message.text and "平日 9時〜17時" in message.text


def test_one_suggestion_is_asked_about_alone():
    """A single 「もしかして」 candidate is asked as 「こちらでしょうか」, still with a way out."""
    [message] = faq_replies.suggestions([entry("968", "子どもがボタン電池を飲み込んだら？")], 7)
    assert message.text.startswith("もしかして、こちらでしょうか？")
    assert [item.action.label for item in message.quick_reply.items][-1] == "どれにも当てはまらない"

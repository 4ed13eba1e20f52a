"""A long message with kanji is not read by its reading's n-grams (its words and meaning carry it); a short one,
or one typed in kana, is: there the reading forgives a wrong kanji or a word typed in kana."""

from __future__ import annotations

from search.docs import FaqDoc
from search.engine import READING_VIEW_MAX_CHARS
from search.engine import HybridMatcher

MATCHER = HybridMatcher([FaqDoc("1", "保育園の入園申し込み", (), "子ども課の窓口へ。"),
                         FaqDoc("2", "粗大ごみの出し方", (), "予約してください。")])
LONG = "共働きで来年の春から子どもを預けたいと思っていますが、保育園の入園申し込みはいつからできますか"


def reading_view(text: str) -> float:
    return next(row.ngram_reading for row in MATCHER.explain(text, 2).rows if row.faq_id == "1")


def test_a_long_message_with_kanji_gets_no_reading_score():
    assert len(LONG) > READING_VIEW_MAX_CHARS and reading_view(LONG) == 0.0


def test_a_short_message_with_a_wrong_kanji_is_found_by_its_reading():
    assert reading_view("保育円の入園申し込み") > 0.5


def test_a_long_message_in_kana_is_read_by_its_reading():
    text = "ともばたらきでらいねんのはるからこどもをあずけたいのですが、ほいくえんのにゅうえんもうしこみはいつから"
    assert len(text) > READING_VIEW_MAX_CHARS and reading_view(text) > 0.0

"""The hybrid FAQ matcher: views, synonyms, typing variants and incremental edits."""

from __future__ import annotations

import pytest

from japanese.synonyms import SynonymGroup
from japanese.synonyms import Synonyms
from search.docs import FaqDoc
from search.engine import Analyzer
from search.engine import HybridMatcher
from search.engine import ngrams

DOCS = [
    FaqDoc("1", "住民票の写しを取りたい。", ("住民票ほしい",), "住民票の写しは市民課の窓口で取得できます。"),
    FaqDoc("2", "転入の手続きについて教えてください。", (), "他の市から引っ越してきたときは転入届を出してください。"),
    FaqDoc("3", "マイナンバーカードを紛失しました。", (), "マイナンバーカードの再交付を申請してください。"),
    FaqDoc("4", "粗大ごみの申込方法を教えてください。", (), "粗大ごみ受付センターに電話で申し込んでください。"),
    FaqDoc("5", "一時保育を利用したい。", (), "保育園で一時保育を行っています。事前に登録してください。"),
    FaqDoc("6", "避難所はどこですか？", (), "市内の小中学校が指定避難所です。"),
]
SYNONYMS = Synonyms([
    SynonymGroup("一時保育", ("一時預かり", "いちじあずかり")),
    SynonymGroup("紛失", ("なくした", "落とした")),
    SynonymGroup("粗大ごみ", ("大型ごみ",)),
])


@pytest.fixture(scope="module")
def matcher():
    return HybridMatcher(DOCS, analyzer=Analyzer(SYNONYMS))


def top(matcher, query):
    hits = matcher.search(query, 3)
    return hits[0].faq_id if hits else None


@pytest.mark.parametrize("query", ["住民票の写しを取りたい", "じゅうみんひょう", "ｼﾞｭｳﾐﾝﾋｮｳ ほしい", "住民票 ほしい"])
def test_kanji_hiragana_and_half_width_find_the_same_entry(matcher, query):
    """Kanji, hiragana-only and half-width input find the same entry."""
    assert top(matcher, query) == "1"


@pytest.mark.parametrize("query", ["ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ なくした", "まいなんばーかーど", "マイナンバカード紛失"])
def test_typos_and_width_variants_find_the_card_entry(matcher, query):
    """A missing long-vowel mark or half-width input still finds the entry."""
    assert top(matcher, query) == "3"


def test_synonym_phrase_finds_the_formal_term(matcher):
    """「いちじあずかり」 reaches the entry about 一時保育 through the synonym table."""
    assert top(matcher, "いちじあずかり したい") == "5"


def test_answer_text_is_searched(matcher):
    """Words that appear only in the answer (転入届) still find the entry."""
    assert top(matcher, "転入届") == "2"


def test_off_topic_query_scores_low(matcher):
    """A question about nothing in the store scores far below a real match."""
    off = matcher.search("おすすめのラーメン屋", 1)
    on = matcher.search("避難所どこ", 1)
    assert on[0].faq_id == "6"
    assert (off[0].score if off else 0.0) < on[0].score / 2


def test_scores_are_in_unit_interval_and_sorted(matcher):
    """Fused scores stay in [0, 1] and come best first."""
    hits = matcher.search("粗大ごみ 申込", 5)
    assert all(0 <= h.score <= 1 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_explain_shows_each_view(matcher):
    """explain reports the query's tokens, the synonyms applied and every view's score."""
    explanation = matcher.explain("大型ごみ 出したい", 1)
    assert ("大型ごみ", "粗大ごみ") in explanation.analysis.synonyms
    [best] = explanation.rows
    assert best.faq_id == "4" and best.bm25 > 0 and best.ngram_surface > 0


def test_empty_and_punctuation_queries_find_nothing(matcher):
    """Empty or punctuation-only input returns no hits."""
    assert matcher.search("") == [] and matcher.search("？！。") == []


def test_empty_store_finds_nothing():
    """A matcher over no entries answers with no hits."""
    assert HybridMatcher([]).search("住民票") == []


class TestIncremental:
    def test_upsert_replaces_an_entry_without_a_full_rebuild(self):
        """An edited entry is found by its new wording and no longer by the old one."""
        matcher = HybridMatcher(DOCS)
        base = matcher._base
        matcher.upsert(FaqDoc("6", "ハザードマップを見たい。", (), "防災マップは市のホームページにあります。"))
        assert matcher._base is base
        assert top(matcher, "ハザードマップ") == "6"
        assert top(matcher, "避難所はどこですか") != "6"
        assert len(matcher) == len(DOCS)

    def test_upsert_adds_a_new_entry(self):
        """A new entry is searchable at once."""
        matcher = HybridMatcher(DOCS)
        matcher.upsert(FaqDoc("7", "犬の登録をしたい。", (), "犬を飼い始めたら30日以内に登録してください。"))
        assert top(matcher, "犬の登録") == "7"

    def test_remove_hides_the_entry(self):
        """A removed entry is never returned."""
        matcher = HybridMatcher(DOCS)
        matcher.remove("1")
        assert all(h.faq_id != "1" for h in matcher.search("住民票の写し", 6))

    def test_many_edits_compact_into_one_segment(self):
        """After many edits the index compacts and still finds every entry."""
        matcher = HybridMatcher(DOCS, delta_limit=20)
        for i in range(50):
            matcher.upsert(FaqDoc(f"n{i}", f"質問{i}番の内容です", (), f"回答{i}"))
        assert len(matcher._delta_slots) <= 20
        assert top(matcher, "質問49番の内容です") == "n49"
        assert top(matcher, "住民票の写しを取りたい") == "1"


def test_ngrams_count_every_gram():
    """Character 1–3-grams are counted with repeats."""
    grams = ngrams("ああい")
    assert grams["あ"] == 2 and grams["ああ"] == 1 and grams["ああい"] == 1 and "あい" in grams


def test_one_character_synonyms_only_match_whole_tokens():
    """A one-character synonym (券) never rewrites inside a longer word (乗車券)."""
    synonyms = Synonyms([SynonymGroup("受診票", ("券",))], use_sudachi=False)
    assert synonyms.rewrite("乗車券") == "乗車券"
    assert synonyms.token("券") == "受診票"


def test_canonical_term_is_not_rewritten_inside_itself():
    """A variant that is part of its canonical term (代理 in 代理人) leaves the canonical term alone."""
    synonyms = Synonyms([SynonymGroup("代理人", ("代理", "代わりに"))], use_sudachi=False)
    assert synonyms.rewrite("代理人が行く") == "代理人が行く"
    assert synonyms.rewrite("代わりに行く") == "代理人行く"

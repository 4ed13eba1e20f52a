"""The matcher's semantic view: meanings found without shared words, kept in step with edits, explained."""

from __future__ import annotations

import pytest

from search.docs import FaqDoc
from search.engine import BASIS_DIMENSIONS
from search.engine import HybridMatcher
from search.engine import answer_lead
from search.semantic import sentence_encoder

DOCS = [
    FaqDoc("grant", "出産育児一時金について教えてください。", (), "出産したときに一時金を支給します。\n▼詳しくはこちら\nhttps://example.jp/"),
    FaqDoc("sodai", "粗大ごみの申込方法を教えてください。", (), "粗大ごみ受付センターに電話で申し込んでください。"),
    FaqDoc("juminhyo", "住民票の写しを取りたい。", (), "住民票の写しは市民課の窓口で取得できます。"),
    FaqDoc("ichiji", "一時保育制度について教えてください。", (),
           "保護者の通院や用事、リフレッシュのときに、保育園でお子さんを一時的にお預かりします。"),
    FaqDoc("hinan", "避難所はどこですか？", (), "市内の小中学校が指定避難所です。"),
    FaqDoc("fami", "ファミリー・サポート・センターについて", (), "地域の会員同士で、子どもの送り迎えや預かりを助け合う仕組みです。"),
]
MONEY_AT_BIRTH = "赤ちゃんが生まれたらもらえるお金"


@pytest.fixture(scope="module")
def semantic():
    return HybridMatcher(DOCS, encoder=sentence_encoder())


@pytest.fixture(scope="module")
def lexical():
    return HybridMatcher(DOCS)


def top(matcher, query):
    hits = matcher.search(query, 3)
    return hits[0].faq_id if hits else None


def test_a_question_in_other_words_finds_its_entry(semantic):
    """No word of 「赤ちゃんが生まれたらもらえるお金」 is in the 出産育児一時金 entry; its meaning is."""
    assert top(semantic, MONEY_AT_BIRTH) == "grant"


def test_the_lexical_views_alone_do_not_find_it(lexical):
    """Without the semantic view the same question misses (what the view adds)."""
    assert top(lexical, MONEY_AT_BIRTH) != "grant"


def test_the_answer_is_matched_too(semantic):
    """A resident who asks in the answer's terms (送り迎え) finds an entry whose question only names the service."""
    assert top(semantic, "習い事の送り迎えを頼める人はいませんか") == "fami"


def test_the_answer_lead_skips_links_and_markers():
    """The first sentence that says something, not 「▼詳しくはこちら」 or a URL."""
    assert answer_lead("▼詳しくはこちら\nhttps://example.jp/\n窓口で受け付けます。平日のみです。") == "窓口で受け付けます。"


def test_an_entry_added_later_is_found_by_meaning():
    """``upsert`` encodes the new entry into the delta segment."""
    matcher = HybridMatcher(DOCS[1:], encoder=sentence_encoder())
    matcher.upsert(DOCS[0])
    assert top(matcher, MONEY_AT_BIRTH) == "grant"


def test_a_removed_entry_is_no_longer_found_by_meaning():
    """A removed entry's vectors are masked with it."""
    matcher = HybridMatcher(DOCS, encoder=sentence_encoder())
    matcher.remove("grant")
    assert "grant" not in {hit.faq_id for hit in matcher.search(MONEY_AT_BIRTH, 5)}


def test_editing_a_copy_leaves_the_original_answering(semantic):
    """Copy-on-write holds for the vectors too."""
    copy = semantic.copy()
    copy.remove("grant")
    assert top(semantic, MONEY_AT_BIRTH) == "grant"


def test_explain_shows_the_semantic_score_and_its_share(semantic):
    """``ask --explain`` shows each candidate's semantic score and the formula with its weight."""
    explanation = semantic.explain(MONEY_AT_BIRTH, 3)
    assert "semantic" in explanation.formula
    assert explanation.rows[0].faq_id == "grant" and explanation.rows[0].semantic > 0.3


def test_without_an_encoder_every_semantic_score_is_zero(lexical):
    """The item lookup and other lexical matchers have no semantic view."""
    explanation = lexical.explain("住民票ほしい", 3)
    assert "semantic" not in explanation.formula
    assert all(row.semantic == 0.0 for row in explanation.rows)


@pytest.fixture(scope="module")
def city_sized():
    """The demo pack's 661 entries: enough vectors for the reduced basis."""
    from faq.importers import read_faq_file

    records = read_faq_file("packs/demo/faq.csv")
    return HybridMatcher([FaqDoc(r.faq_id, r.question, r.aliases, r.answer) for r in records],
                         encoder=sentence_encoder())


def test_a_city_sized_index_keeps_its_vectors_in_the_reduced_basis(city_sized):
    """Hundreds of entries: each vector is kept in 128 principal directions, a quarter of the model's 512."""
    assert city_sized._base.vectors.shape[1] == BASIS_DIMENSIONS


def test_a_small_index_keeps_the_models_dimensions(semantic):
    """A handful of entries has too few vectors to find directions in: the model's 512 are kept."""
    assert semantic._base.vectors.shape[1] == 512


def test_an_entry_added_to_a_city_sized_index_is_found_by_meaning(city_sized):
    """A new entry is put in the same basis as the others, and found among the first by what it means."""
    matcher = city_sized.copy()
    matcher.upsert(FaqDoc("new", "出産育児一時金について教えてください。", (), "出産したときに一時金を支給します。"))
    assert matcher._delta.vectors.shape[1] == BASIS_DIMENSIONS
    assert "new" in {hit.faq_id for hit in matcher.search("子どもを産んだら国から出るお金", 3)}


def test_each_entrys_semantic_score_is_the_best_cosine_of_its_vectors(city_sized):
    """Entries with one, two or more vectors (question, aliases, answer lead): each scores its best one."""
    import numpy as np

    from search.engine import _projected

    query = "子どもが生まれたら役所に何を出せばいいですか"
    analysis = city_sized.analyzer.analyse(query)
    vector = _projected(city_sized.encoder.encode([analysis.text]), city_sized._basis)[0]
    expected = [float(np.max(entry.vectors @ vector)) for entry in city_sized._entries]
    assert len({len(entry.vectors) for entry in city_sized._entries}) >= 3
    assert np.allclose(city_sized._semantic(analysis), expected, atol=1e-6)

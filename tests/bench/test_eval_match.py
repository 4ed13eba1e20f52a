"""The benchmark's metric and query-variant helpers, on hand-made data (no shared folder needed)."""

from __future__ import annotations

import unicodedata

import pytest

from bench.eval_match import drop_middle
from bench.eval_match import hit_at_k
from bench.eval_match import item_key
from bench.eval_match import parse_answers
from bench.eval_match import reciprocal_rank
from bench.eval_match import retrieval_scores
from bench.eval_match import strip_parenthetical
from bench.eval_match import to_halfwidth_katakana

RANKING = ["7", "3", "9", "1", "4"]


@pytest.mark.parametrize(("k", "expected"), [(1, False), (2, False), (3, True), (5, True)])
def test_hit_at_k_looks_only_at_the_first_k(k, expected):
    """A relevant id at rank 3 is a hit from k = 3 on."""
    assert hit_at_k(RANKING, {"9"}, k) is expected


def test_any_listed_relevant_id_counts_as_a_hit():
    """Every listed relevant id counts, so the best-ranked one decides."""
    assert hit_at_k(RANKING, {"4", "3"}, 2)
    assert reciprocal_rank(RANKING, {"4", "3"}) == pytest.approx(1 / 2)


def test_no_result_is_a_miss():
    """An empty ranking scores zero everywhere."""
    assert not hit_at_k([], {"1"}, 5)
    assert reciprocal_rank([], {"1"}) == 0.0


def test_reciprocal_rank_stops_at_k():
    """A relevant id below rank k gives 0."""
    assert reciprocal_rank(RANKING, {"4"}, k=5) == pytest.approx(1 / 5)
    assert reciprocal_rank(RANKING, {"4"}, k=4) == 0.0


def test_retrieval_scores_average_over_queries():
    """Hit@k and MRR@10 are means over the queries."""
    scores = retrieval_scores([RANKING, RANKING, []], [{"7"}, {"1"}, {"7"}])
    assert scores["Hit@1"] == pytest.approx(1 / 3)
    assert scores["Hit@3"] == pytest.approx(1 / 3)
    assert scores["Hit@5"] == pytest.approx(2 / 3)
    assert scores["MRR@10"] == pytest.approx((1 + 1 / 4 + 0) / 3)


@pytest.mark.parametrize(("name", "expected"), [
    ("アルバム（３０㎝未満）", "アルバム"),
    ("カセットコンロ（本体）(５０㎝未満)", "カセットコンロ"),
    ("板くず（厚さ5cm・長さ50cm以下）　2袋まで", "板くず　2袋まで"),
    ("空き缶（オイル缶（一斗缶）は除く）", "空き缶"),
    ("（プラ製）", ""),
    ("アイロン台", "アイロン台"),
])
def test_strip_parenthetical_removes_full_and_half_width_parts(name, expected):
    """Both bracket kinds, mixed and nested, are removed with the spaces around the name."""
    assert strip_parenthetical(name) == expected


def test_item_key_ignores_conditions_and_width():
    """Two rows of one item with different conditions and widths share a key."""
    assert item_key("ＣＤラジカセ（30㎝以上）") == item_key("ＣＤラジカセ（３０㎝未満）")


@pytest.mark.parametrize(("full", "half"), [
    ("ペットボトル", "ﾍﾟｯﾄﾎﾞﾄﾙ"),
    ("マイナンバーカード", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ"),
    ("ヴァイオリン", "ｳﾞｧｲｵﾘﾝ"),
    ("ガス・コンロ", "ｶﾞｽ･ｺﾝﾛ"),
])
def test_halfwidth_conversion_of_katakana(full, half):
    """Full-width katakana, voiced marks, ー and ・ become their half-width forms."""
    assert to_halfwidth_katakana(full) == half


def test_halfwidth_conversion_keeps_other_text_and_round_trips():
    """Hiragana, kanji and ASCII are kept, and NFKC gives the original back."""
    text = "ごみ袋とペットボトル（30㎝）"
    converted = to_halfwidth_katakana(text)
    assert converted.startswith("ごみ袋と")
    assert unicodedata.normalize("NFKC", converted) == unicodedata.normalize("NFKC", text)


def test_drop_middle_deletes_one_character():
    """The middle character goes, the rest keeps its order."""
    assert drop_middle("ペットボトル") == "ペットトル"
    assert drop_middle("傘立て") == "傘て"


def test_parse_answers_ignores_lines_that_are_not_answers():
    """Log lines and other JSON are skipped; answers are keyed by id as text."""
    output = 'starting\n{"id": "d1", "kind": "faq"}\n[1, 2]\n{"id": 7, "kind": "fallback"}\n'
    assert parse_answers(output) == {"d1": {"id": "d1", "kind": "faq"}, "7": {"id": 7, "kind": "fallback"}}

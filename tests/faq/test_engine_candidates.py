"""Candidate selection by rare n-grams gives the same answers as scoring every row."""

from __future__ import annotations

import numpy as np

from search import engine
from search.docs import FaqDoc
from search.engine import HybridMatcher

TOPICS = ["住民票", "転入届", "児童手当", "粗大ごみ", "予防接種", "保育園", "避難所", "印鑑登録"]
DOCS = [
    FaqDoc(str(i), f"{TOPICS[i % len(TOPICS)]}の手続きについて教えてください（その{i}）", (), "市役所の窓口へどうぞ。")
    for i in range(400)
]


def test_budgeted_candidates_match_exact_scoring(monkeypatch):
    """With a tiny postings budget the top hits are those of exact scoring."""
    queries = ["児童手当の手続き", "ひなんじょ", "粗大ごみ その17", "保育園の手続きについて"]
    exact = HybridMatcher(DOCS)
    expected = [[h.faq_id for h in exact.search(q, 3)] for q in queries]
    monkeypatch.setattr(engine, "CANDIDATE_POSTINGS", 50)
    budgeted = HybridMatcher(DOCS)
    assert [[h.faq_id for h in budgeted.search(q, 3)][:1] for q in queries] == [e[:1] for e in expected]


def test_few_postings_are_scored_through_their_columns():
    """When the query's n-grams have few postings, every row sharing one is scored."""
    by_row = engine._matrix([(np.array([0, 1], np.int32), np.array([1.0, 1.0], np.float32)),
                             (np.array([2], np.int32), np.array([1.0], np.float32))], 3)
    rows, scores = engine._ngram_scores(by_row.tocsc(), by_row, np.ones(2), np.array([1, 2]), np.array([0.5, 2.0]))
    assert rows.tolist() == [0, 1] and scores.tolist() == [0.5, 2.0]

"""The matcher's n-gram cosines and its fuzzy view computed for all candidates at once give the very numbers
of the plain scipy and rapidfuzz calls."""

from __future__ import annotations

import numpy as np
import pytest
from rapidfuzz import fuzz
from rapidfuzz import process
from scipy import sparse

from search import engine
from search.docs import FaqDoc
from search.engine import HybridMatcher

ROWS, WIDTH = 600, 900


@pytest.fixture(scope="module")
def by_row():
    rng = np.random.default_rng(7)
    matrix = sparse.random(ROWS, WIDTH, density=0.01, format="csr", dtype=np.float32, random_state=3)
    matrix.data = (1.0 + np.log(rng.integers(1, 4, size=matrix.nnz))).astype(np.float32)
    return matrix


def queries(count: int):
    rng = np.random.default_rng(11)
    for _ in range(count):
        cols = rng.choice(WIDTH, size=int(rng.integers(1, 30)), replace=False)
        yield cols, rng.random(len(cols))


def test_ngram_scores_are_every_sharing_rows_cosine(by_row):
    """Every row that shares an n-gram with the query is scored, with the cosine scipy's products give."""
    by_column = by_row.tocsc()
    norms = np.sqrt(np.asarray(by_row.multiply(by_row).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    for cols, weights in queries(200):
        rows, scores = engine._ngram_scores(by_column, norms, cols, weights)
        query = np.zeros(WIDTH)
        query[cols] = weights
        expected = (by_row @ query) / norms
        assert rows.tolist() == np.flatnonzero(expected).tolist()
        assert np.allclose(scores, expected[rows], rtol=1e-12, atol=0)


def test_columns_beyond_the_matrix_are_ignored(by_row):
    """An n-gram the segment has no column for (added to the vocabulary later) scores nothing there."""
    rows, scores = engine._ngram_scores(by_row.tocsc(), np.ones(ROWS), np.array([WIDTH + 5]), np.array([1.0]))
    assert len(rows) == 0 and len(scores) == 0


def test_fuzzy_scores_are_each_entrys_best_ratio():
    """Each candidate's fuzzy score is rapidfuzz's ratio with its closest question or alias, surface or reading."""
    docs = [FaqDoc(str(i), question, aliases) for i, (question, aliases) in enumerate([
        ("住民票の写しを取りたい", ("住民票ほしい", "じゅうみんひょう")), ("転入届", ()),
        ("マイナンバーカードをなくした", ("マイナカード紛失",)), ("粗大ごみの出し方", ("大型ごみ", "そだいごみ")),
    ])]
    matcher = HybridMatcher(docs)
    entries = [matcher._entries[matcher._slot_of[doc.faq_id]] for doc in docs]
    for text in ("住民票ほしい", "じゅうみんひよう", "まいなんばー", "粗大ゴミ"):
        analysis = matcher.analyzer.analyse(text)
        expected = [max(process.extractOne(analysis.surface, entry.surface_keys, scorer=fuzz.ratio,
                                           processor=None)[1],
                        process.extractOne(analysis.reading, entry.reading_keys, scorer=fuzz.ratio,
                                           processor=None)[1]) / 100.0
                    for entry in entries]
        assert matcher._fuzzy(analysis, entries) == expected

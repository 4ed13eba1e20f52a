"""The matcher's n-gram and BM25 products for several queries at once and its fuzzy view computed for all candidates
at once give the very numbers of the plain scipy and rapidfuzz calls."""

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


def test_column_products_are_each_querys_product(by_row):
    """Several queries read together give each the very product scipy gives it alone (rows it shares nothing with
    score 0)."""
    by_column = by_row.tocsc()
    batch = list(queries(200))
    for start in range(0, len(batch), 3):
        together = batch[start:start + 3]
        products = engine._column_products(by_column, together)
        for (cols, weights), product in zip(together, products.T, strict=True):
            query = np.zeros(WIDTH)
            query[cols] = weights
            expected = by_row @ query
            assert np.flatnonzero(product).tolist() == np.flatnonzero(expected).tolist()
            assert np.allclose(product, expected, rtol=1e-12, atol=0)


def test_columns_beyond_the_matrix_are_ignored(by_row):
    """An n-gram the segment has no column for (added to the vocabulary later) scores nothing there."""
    products = engine._column_products(by_row.tocsc(), [(np.array([WIDTH + 5]), np.array([1.0])),
                                                         (np.array([0, WIDTH + 1]), np.array([1.0, 1.0]))])
    expected = by_row.tocsc()[:, [0]].toarray().ravel()
    assert products.shape == (ROWS, 2)
    assert not products[:, 0].any() and products[:, 1].tolist() == expected.tolist()


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

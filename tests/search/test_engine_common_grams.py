"""In a large index, n-grams found in most keys (の, ます…) are not read: an entry that shares only such a gram with
the message gets no n-gram score, as a gram counts for little there; in a small index every gram is read."""

from __future__ import annotations

from search.docs import FaqDoc
from search.engine import COMMON_GRAM_MIN_KEYS
from search.engine import HybridMatcher

STEMS = "申請届出証明交付更新変更相談転入転出住民"  # none reads さ, く, ら, は or な


def stem(n: int) -> str:
    return STEMS[2 * (n % 10):2 * (n % 10) + 2]


def entries(count: int) -> list[FaqDoc]:
    """Entries whose questions share the particle の and nothing else with 「桜の花」."""
    return [FaqDoc(str(n), f"{stem(n)}{stem(n // 10)}の{stem(n // 100)}", (), "窓口へ。")
            for n in range(count)]


def ngram_views(matcher: HybridMatcher, text: str) -> list[float]:
    return [max(e.ngram_surface, e.ngram_reading) for e in matcher.explain(text, 5).rows]


def test_a_gram_in_most_keys_of_a_large_index_is_not_read():
    views = ngram_views(HybridMatcher(entries(COMMON_GRAM_MIN_KEYS * 2)), "桜の花")
    assert views and set(views) == {0.0}  # the entries are still found (by their likeness), with no n-gram score


def test_every_gram_of_a_small_index_is_read():
    views = ngram_views(HybridMatcher(entries(COMMON_GRAM_MIN_KEYS // 4)), "桜の花")
    assert views and min(views) > 0.0

"""Tests of the benchmark's store-growing function and percentile helper (no large builds)."""

from __future__ import annotations

import math

import pytest

from bench.bench_match import LONG_COUNT
from bench.bench_match import grow_store
from bench.bench_match import long_queries
from bench.bench_match import make_queries
from bench.bench_match import percentile
from faq.importers import FaqRecord


def _records() -> list[FaqRecord]:
    return [
        FaqRecord("1", "母子手帳を受け取りたいのですが、手続きを教えてください。", "窓口で妊娠届をご記入いただき、母子手帳をお渡しします。"),
        FaqRecord("2", "粗大ごみの申込方法を教えてください。", "電話かインターネットで申し込んでください。収集日は後日お知らせします。",
                  aliases=("粗大ごみを出したい",)),
        FaqRecord("3", "避難所はどこですか？", "市内の小中学校が避難所です。\n地図はホームページにあります。"),
        FaqRecord("4", "児童手当はいつ振り込まれますか？", "2月、4月、6月、8月、10月、12月に振り込みます。"),
    ]


def test_grow_store_is_deterministic_and_prefix_stable():
    """The same seed gives the same store, and a smaller store is a prefix of a larger one."""
    first = grow_store(_records(), 300)
    assert first == grow_store(_records(), 300)
    assert grow_store(_records(), 120) == first[:120]
    assert grow_store(_records(), 300, seed=1) != first


def test_grow_store_has_exact_size_and_unique_ids():
    """The store has exactly the requested number of entries, each with its own id and non-empty text."""
    for size in (2, 4, 5, 1000):
        docs = grow_store(_records(), size)
        assert len(docs) == size
        assert len({d.faq_id for d in docs}) == size
        assert all(d.question and d.answer for d in docs)


def test_grow_store_keeps_real_entries_first():
    """The real records come first and unchanged; the generated ones reuse their text."""
    docs = grow_store(_records(), 50)
    assert [d.faq_id for d in docs[:4]] == ["1", "2", "3", "4"]
    assert docs[1].aliases == ("粗大ごみを出したい",)
    heads = ("母子手帳", "粗大ごみ", "避難所", "児童手当")
    assert all(any(h in d.question for h in heads) for d in docs[4:])


def test_make_queries_pairs_handwritten_with_sampled_then_the_long_ones():
    """make_queries returns the requested hand-written queries, as many sampled ones, then the long natural
    questions, deterministically."""
    docs = grow_store(_records(), 200)
    queries = make_queries(docs, 10)
    assert len(queries) == 20 + len(long_queries())
    assert queries[20:] == long_queries() and queries == make_queries(docs, 10)


def test_the_long_queries_are_the_first_lines_of_the_long_natural_set():
    """The long questions timed are real lines of bench/sets/long-natural.dev.jsonl, long ones."""
    long = long_queries()
    assert len(long) == LONG_COUNT and min(len(text) for text in long) >= 20


def test_percentile_interpolates_like_numpy():
    """percentile gives the linear-interpolation percentile (numpy's default) and handles edge cases."""
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 90) == pytest.approx(4.6)
    assert percentile([7.0], 99) == 7.0
    assert percentile([float(v) for v in range(1, 11)], 99) == pytest.approx(9.91)
    assert math.isnan(percentile([], 50))

"""Tests of the push benchmark's synthetic residents and its table and percentage helpers (no large runs)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from bench.bench_push import percent
from bench.bench_push import ratio
from bench.bench_push import synthetic_residents
from bench.bench_push import table
from bench.bench_push import user_id
from bench.bench_push import verdict
from residents.categories import CATEGORIES

DAY = date(2026, 11, 24)


def test_synthetic_residents_are_deterministic_with_exact_count():
    """The same seed gives the same residents, exactly as many as asked, with ids 1…n and unique user ids."""
    first = list(synthetic_residents(2000, DAY))
    assert first == list(synthetic_residents(2000, DAY))
    assert first != list(synthetic_residents(2000, DAY, seed=1))
    assert len(first) == 2000
    assert [r.id for r in first] == list(range(1, 2001))
    assert len({r.line_user_id for r in first}) == 2000
    assert first[0].line_user_id == user_id(1) and len(user_id(1)) == 33
    assert list(synthetic_residents(0, DAY)) == []


def test_synthetic_residents_have_a_realistic_spread():
    """Categories are known ones, dates fall in their ranges and parents, pregnancies and elders all occur."""
    people = list(synthetic_residents(5000, DAY))
    assert all(set(r.categories) <= set(CATEGORIES) for r in people)
    dues = [due for r in people for due, _born in r.children if due is not None]
    births = [born for r in people for _due, born in r.children if born is not None]
    elders = [r.birth_date for r in people if r.birth_date is not None]
    assert dues and births and elders
    assert all(DAY <= due < DAY + timedelta(days=280) for due in dues)
    assert all(DAY - timedelta(days=12 * 365) < born <= DAY for born in births)
    assert all(DAY - timedelta(days=90 * 365) < born <= DAY - timedelta(days=55 * 365) for born in elders)
    assert 0.10 < sum(1 for r in people if r.children) / len(people) < 0.25


def test_percent_ratio_and_verdict():
    """percent and ratio format with fixed precision and show a dash for a zero denominator."""
    assert percent(1, 8) == "12.5%"
    assert percent(3, 0) == "–"
    assert ratio(3.0, 2.0) == "1.50×"
    assert ratio(1.0, 0) == "–"
    assert (verdict(True), verdict(False)) == ("PASS", "MISS")


def test_table_aligns_columns():
    """table left-aligns the first column, right-aligns the others and underlines the header."""
    text = table(["name", "n"], [["a", "10"], ["longer", "2"]])
    assert text.splitlines() == ["name     n", "------  --", "a       10", "longer   2"]

"""The garbage collection run between two answers (``runtime.collect_between``)."""

import gc

import pytest

import runtime


@pytest.fixture
def collections(monkeypatch):
    """The generations collected from here on (the collector emptied first, its thresholds restored after)."""
    seen: list[int] = []

    def record(phase, info):
        if phase == "start":
            seen.append(info["generation"])

    thresholds = gc.get_threshold()
    enabled = gc.isenabled()
    gc.collect()
    gc.set_threshold(10**9, thresholds[1], thresholds[2])  # no automatic collection meanwhile
    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()


def young_objects(count: int) -> list:
    return [[n] for n in range(count)]


def test_nothing_is_collected_below_the_mark(collections, monkeypatch):
    monkeypatch.setattr(runtime, "COLLECT_BETWEEN_AT", 1_000)
    kept = young_objects(100)
    runtime.collect_between()
    assert collections == [] and len(kept) == 100


def test_the_young_generation_is_collected_at_the_mark(collections, monkeypatch):
    monkeypatch.setattr(runtime, "COLLECT_BETWEEN_AT", 50)
    kept = young_objects(100)
    runtime.collect_between()
    assert collections == [0] and gc.get_count()[0] < 50 and len(kept) == 100


def test_the_oldest_generation_due_is_collected_as_the_collector_would(collections, monkeypatch):
    """With a second threshold of 2, the collector takes the middle generation at the third young collection after
    the last one of it (its count must pass the threshold)."""
    monkeypatch.setattr(runtime, "COLLECT_BETWEEN_AT", 50)
    gc.set_threshold(10**9, 2, 10)
    kept = []
    for _ in range(4):
        kept += young_objects(100)
        runtime.collect_between()
    assert collections == [0, 0, 0, 1]


def test_nothing_is_collected_while_the_collector_is_off(collections, monkeypatch):
    monkeypatch.setattr(runtime, "COLLECT_BETWEEN_AT", 50)
    gc.disable()
    kept = young_objects(100)
    runtime.collect_between()
    assert collections == [] and len(kept) == 100

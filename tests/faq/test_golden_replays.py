"""A change's replay is remembered with the live matcher: shown again it asks nothing, and a different change,
another set of queries or a new FAQ revision (a new matcher) is replayed afresh."""

from __future__ import annotations

from faq import golden
from faq.models import GoldenQuery
from faq.policy import answer_policy
from tests.faq.test_golden import content
from tests.faq.test_golden import faq

QUERIES = [GoldenQuery(question="住民票とりたい", faq_id="7"), GoldenQuery(question="粗大ごみを捨てたい", faq_id="8")]
RENAMED = {"7": content("証明書の発行", (), "市民課の窓口で取れます。")}


def replayed(now, change, contents, queries=QUERIES, builds=None):
    def after():
        builds.append(change)
        return golden.with_entries(*now, contents)
    return golden.replay_change(queries, answer_policy({}), now, change, after)


def test_the_same_change_shown_again_is_not_replayed_again():
    """The second replay of one change against the same live matcher builds nothing and gives the same result."""
    now, builds = faq(), []
    first = replayed(now, "draft 1", RENAMED, builds=builds)
    second = replayed(now, "draft 1", RENAMED, builds=builds)
    assert builds == ["draft 1"]
    assert second == first and [r.question for r in first.regressions] == ["住民票とりたい"]


def test_another_change_or_other_queries_are_replayed():
    """A different change, or the same change with a query added, is replayed afresh."""
    now, builds = faq(), []
    replayed(now, "draft 1", RENAMED, builds=builds)
    replayed(now, "draft 2", {"8": None}, builds=builds)
    replayed(now, "draft 1", RENAMED, queries=[*QUERIES, GoldenQuery(question="犬の登録", faq_id="9")], builds=builds)
    assert builds == ["draft 1", "draft 2", "draft 1"]


def test_a_new_faq_revision_replays_the_change_again():
    """A published change makes a new live matcher: what was remembered with the old one is not used."""
    builds = []
    replayed(faq(), "draft 1", RENAMED, builds=builds)
    replayed(faq(), "draft 1", RENAMED, builds=builds)
    assert builds == ["draft 1", "draft 1"]


def test_the_number_of_changes_remembered_per_matcher_is_bounded():
    """Past MAX_REPLAYS changes the oldest is forgotten (and replayed when asked again)."""
    now, builds = faq(), []
    for number in range(golden.MAX_REPLAYS + 1):
        replayed(now, f"draft {number}", RENAMED, builds=builds)
    replayed(now, f"draft {golden.MAX_REPLAYS}", RENAMED, builds=builds)
    replayed(now, "draft 0", RENAMED, builds=builds)
    assert builds[-1] == "draft 0" and builds.count(f"draft {golden.MAX_REPLAYS}") == 1

"""Fitting the matcher across evaluation folds: what is measured, and that a fold is never scored on its own fit."""

from __future__ import annotations

from bench import fit_matching
from bench.fit_matching import Question
from bench.fit_matching import Ranked
from bench.fit_matching import retrieval
from bench.fit_matching import suggest_floor
from faq.policy import AnswerPolicy
from search.docs import Hit


def ranked(relevant: set[str], *hits: tuple[str, float], text: str = "住民票の写しを取りたい") -> Ranked:
    return Ranked(Question("s", "f", "1", text, frozenset(relevant)), tuple(Hit(i, s) for i, s in hits))


def test_retrieval_counts_in_scope_questions_only():
    """Off-topic rows (no relevant entry) do not count in Hit@k."""
    rows = [ranked({"a"}, ("a", 0.9)), ranked({"b"}, ("a", 0.9), ("b", 0.5)), ranked(set(), ("a", 0.4))]
    scores = retrieval(rows)
    assert (scores["Hit@1"], scores["Hit@3"]) == (0.5, 1.0)


def test_tiers_say_how_often_a_direct_answer_is_right():
    """A direct answer to the wrong entry counts against the rightness; an off-topic one as answered."""
    policy = AnswerPolicy(answer_at=0.5, min_margin=0.1, suggest_at=0.2)
    rows = [ranked({"a"}, ("a", 0.9), ("b", 0.2)), ranked({"b"}, ("a", 0.9), ("b", 0.2)),
            ranked(set(), ("a", 0.8), ("b", 0.1))]
    stats = fit_matching.tiers(policy, rows)
    assert (stats["direct"], stats["direct_right"], stats["off_direct"]) == (1.0, 0.5, 1.0)


def test_the_suggestion_floor_keeps_nine_in_ten_findable_questions():
    """The floor sits one grid step under the score that keeps SUGGEST_KEEP of the questions found in the top 3."""
    rows = [ranked({"a"}, ("a", score)) for score in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)]
    assert suggest_floor(rows) == 0.35  # the second lowest of ten is 0.4


def test_each_fold_is_scored_with_what_the_others_fitted(monkeypatch):
    """held_out fits on every fold but the one it scores."""
    fitted_on = []
    monkeypatch.setattr(fit_matching, "fit_weights", lambda matcher, folds, fitting: fitted_on.append(set(fitting))
                        or matcher.weights)
    monkeypatch.setattr(fit_matching, "fit_policy", lambda rows_by_fold, short: AnswerPolicy())
    monkeypatch.setattr(fit_matching, "rank", lambda matcher, questions: [])

    class Matcher:
        weights = fit_matching.Weights()

    results = fit_matching.held_out(Matcher(), {"dev": [], "long": [], "blind": []})
    assert [r.fold for r in results] == ["dev", "long", "blind"]
    assert fitted_on == [{"long", "blind"}, {"dev", "blind"}, {"dev", "long"}]

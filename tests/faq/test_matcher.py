"""The three-tier answer policy."""

from __future__ import annotations

from faq.policy import AnswerPolicy
from faq.policy import Tier
from search.docs import Hit


class TestPolicy:
    policy = AnswerPolicy(answer_at=0.9, answer_at_short=0.95, suggest_at=0.6, suggest_at_short=0.7, min_margin=0.05)

    def test_high_clear_score_answers(self):
        """A high top score with a clear margin is answered directly."""
        assert self.policy.decide([Hit("1", 0.95), Hit("2", 0.7)], 10) is Tier.ANSWER

    def test_high_but_tied_scores_suggest(self):
        """Two equally good candidates are offered, not guessed."""
        assert self.policy.decide([Hit("1", 0.95), Hit("2", 0.94)], 10) is Tier.SUGGEST

    def test_middle_score_suggests(self):
        """A middling score offers suggestions."""
        assert self.policy.decide([Hit("1", 0.7)], 10) is Tier.SUGGEST

    def test_low_score_falls_back(self):
        """A low score falls back to the contact desk."""
        assert self.policy.decide([Hit("1", 0.3)], 10) is Tier.FALLBACK

    def test_no_hits_fall_back(self):
        """No candidates fall back."""
        assert self.policy.decide([], 10) is Tier.FALLBACK

    def test_short_queries_need_a_higher_score_to_be_answered(self):
        """The same score answers a long query but only suggests for a two-character one."""
        hits = [Hit("1", 0.92), Hit("2", 0.5)]
        assert self.policy.decide(hits, 10) is Tier.ANSWER
        assert self.policy.decide(hits, 2) is Tier.SUGGEST

    def test_short_queries_need_a_higher_score_for_suggestions(self):
        """A middling score suggests for a long query but falls back for a short one."""
        assert self.policy.decide([Hit("1", 0.65)], 10) is Tier.SUGGEST
        assert self.policy.decide([Hit("1", 0.65)], 2) is Tier.FALLBACK

    def test_from_mapping_reads_the_calibration_file(self):
        """The committed thresholds file gives a valid policy."""
        import tomllib
        from pathlib import Path

        values = tomllib.loads((Path(__file__).resolve().parents[2] / "faq" / "thresholds.toml").read_text())
        policy = AnswerPolicy.from_mapping(values)
        assert 0 < policy.suggest_at < policy.answer_at <= 1


class TestPolicyExplanation:
    policy = TestPolicy.policy

    def test_explanation_names_the_best_score_runner_up_and_margin(self):
        """The decision carries the best score, the runner-up's and the margin between them."""
        decision = self.policy.explain([Hit("1", 0.95), Hit("2", 0.7)], 10)
        assert (decision.tier, decision.best, decision.runner_up) == (Tier.ANSWER, 0.95, 0.7)
        assert abs(decision.margin - 0.25) < 1e-9

    def test_tied_scores_fail_only_the_margin_check(self):
        """Two equally good candidates pass both score thresholds and fail min_margin."""
        decision = self.policy.explain([Hit("1", 0.95), Hit("2", 0.94)], 10)
        assert decision.tier is Tier.SUGGEST
        assert [(c.threshold_name, c.passed) for c in decision.checks] == [
            ("suggest_at", True), ("answer_at", True), ("min_margin", False)]

    def test_short_queries_are_checked_against_the_short_thresholds(self):
        """A two-character query is measured against suggest_at_short and answer_at_short, with their values."""
        decision = self.policy.explain([Hit("1", 0.65)], 2)
        assert decision.short and decision.tier is Tier.FALLBACK
        assert [(c.threshold_name, c.threshold) for c in decision.checks[:2]] == [
            ("suggest_at_short", 0.7), ("answer_at_short", 0.95)]

    def test_no_hits_explain_a_fallback_without_checks(self):
        """With nothing found there is no score to check."""
        decision = self.policy.explain([], 10)
        assert (decision.tier, decision.best, decision.checks) == (Tier.FALLBACK, None, ())

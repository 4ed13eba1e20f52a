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

    def test_a_very_high_score_needs_only_the_smaller_margin(self):
        """At answer_at_high or more, min_margin_high is margin enough; below it, min_margin still applies."""
        policy = AnswerPolicy(answer_at=0.5, min_margin=0.2, answer_at_high=0.7, min_margin_high=0.1, short_chars=3)
        assert policy.decide([Hit("1", 0.75), Hit("2", 0.62)], 10) is Tier.ANSWER
        assert policy.decide([Hit("1", 0.65), Hit("2", 0.52)], 10) is Tier.SUGGEST
        assert policy.decide([Hit("1", 0.75), Hit("2", 0.70)], 10) is Tier.SUGGEST

    def test_an_entry_that_does_not_speak_of_what_is_asked_is_offered_not_answered(self):
        """A best entry passing every threshold but not speaking of the message's facet (a loss) is suggested."""
        policy = AnswerPolicy(answer_at=0.5, min_margin=0.1)
        decision = policy.explain([Hit("1", 0.9, frozenset({"lost"})), Hit("2", 0.4)], 10)
        assert decision.tier is Tier.SUGGEST and decision.unmet == ("lost",)
        assert all(check.passed for check in decision.checks[:3])

    def test_the_high_pair_does_not_apply_to_short_queries(self):
        """A short query with a very high score but a small margin is still asked, not answered."""
        policy = AnswerPolicy(answer_at=0.5, answer_at_short=0.65, min_margin=0.2, answer_at_high=0.7,
                              min_margin_high=0.1, short_chars=3)
        assert policy.decide([Hit("1", 0.75), Hit("2", 0.62)], 2) is Tier.SUGGEST

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

    def test_the_high_pair_is_checked_when_it_is_on(self):
        """With answer_at_high set, its pair is listed after the others and checked against its own values."""
        policy = AnswerPolicy(answer_at=0.5, min_margin=0.2, answer_at_high=0.7, min_margin_high=0.1, short_chars=3)
        decision = policy.explain([Hit("1", 0.95), Hit("2", 0.94)], 10)
        assert [(c.threshold_name, c.passed) for c in decision.checks[3:]] == [
            ("answer_at_high", True), ("min_margin_high", False)]

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
class TestSuggestionsShown:
    policy = AnswerPolicy(answer_at=0.9, suggest_at=0.3, suggest_at_short=0.4, short_chars=3, suggest_ratio=0.7)

    def test_candidates_far_below_the_best_are_not_shown(self):
        """Next to a best of 0.34, candidates at 0.11 are absurd: only the best is offered."""
        hits = [Hit("968", 0.34), Hit("616", 0.11), Hit("947", 0.11)]
        assert [hit.faq_id for hit in self.policy.shown(hits, 10)] == ["968"]

    def test_candidates_close_to_the_best_are_shown(self):
        """Candidates within the ratio of the best, and good enough on their own, are offered with it."""
        hits = [Hit("1", 0.5), Hit("2", 0.45), Hit("3", 0.36), Hit("4", 0.34)]
        assert [hit.faq_id for hit in self.policy.shown(hits, 10)] == ["1", "2", "3"]

    def test_a_close_candidate_must_still_be_good_enough_on_its_own(self):
        """Close to a weak best is not enough: a candidate under the suggestion threshold is left out."""
        hits = [Hit("1", 0.35), Hit("2", 0.29)]
        assert [hit.faq_id for hit in self.policy.shown(hits, 10)] == ["1"]

    def test_short_queries_use_their_own_threshold(self):
        """For a short query the candidates need the short suggestion threshold."""
        hits = [Hit("1", 0.5), Hit("2", 0.38)]
        assert [hit.faq_id for hit in self.policy.shown(hits, 10)] == ["1", "2"]
        assert [hit.faq_id for hit in self.policy.shown(hits, 2)] == ["1"]

    def test_each_candidate_left_out_says_which_rule_left_it_out(self):
        """For ``ask --explain``: the ratio, the threshold, or the number of buttons; shown ones say nothing."""
        hits = [Hit("1", 0.5), Hit("2", 0.45), Hit("3", 0.33), Hit("4", 0.31), Hit("5", 0.2)]
        policy = AnswerPolicy(answer_at=0.9, suggest_at=0.3, suggest_at_short=0.4, short_chars=3, suggest_ratio=0.7,
                              suggestions=3)
        assert [policy.why_not_shown(hit, hits, 10) for hit in hits] == [
            "", "", "< suggest_ratio 0.70 × best", "beyond the 3 buttons", "beyond the 3 buttons"]
        assert policy.why_not_shown(Hit("2", 0.38), [Hit("1", 0.5), Hit("2", 0.38)], 2) == "< suggest_at_short 0.400"

    def test_the_calibrated_ratio_is_set(self):
        """The committed thresholds drop candidates: the ratio is calibrated, not left at 0."""
        from faq.policy import answer_policy

        assert 0 < answer_policy({}).suggest_ratio < 1

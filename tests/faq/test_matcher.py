"""The first FAQ matcher and the three-tier policy."""

from __future__ import annotations

from faq.matcher import AnswerPolicy
from faq.matcher import FaqDoc
from faq.matcher import FuzzyMatcher
from faq.matcher import Hit
from faq.matcher import Tier

DOCS = [
    FaqDoc("1", "住民票の写しを取りたい。", ("住民票ほしい",)),
    FaqDoc("2", "転入の手続きについて教えてください。", ("引っ越してきた",)),
    FaqDoc("3", "マイナンバーカードを紛失しました。"),
]


def test_exact_question_ranks_first():
    """The entry whose question is typed exactly comes first."""
    assert FuzzyMatcher(DOCS).search("転入の手続きについて教えてください")[0].faq_id == "2"


def test_alias_counts_for_its_entry():
    """A query close to an alias finds the alias's entry."""
    assert FuzzyMatcher(DOCS).search("ひっこしてきた")[0].faq_id == "2"


def test_half_width_query_finds_the_entry():
    """Half-width katakana input matches the full-width question."""
    assert FuzzyMatcher(DOCS).search("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞを紛失")[0].faq_id == "3"


def test_each_entry_appears_once():
    """An entry matched by question and alias is listed once."""
    hits = FuzzyMatcher(DOCS).search("住民票", k=5)
    assert len({hit.faq_id for hit in hits}) == len(hits)


def test_scores_are_between_zero_and_one_best_first():
    """Scores are in [0, 1] and sorted."""
    hits = FuzzyMatcher(DOCS).search("住民票ほしい", k=3)
    assert all(0 <= hit.score <= 1 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_empty_store_finds_nothing():
    """An empty store returns no hits rather than failing."""
    assert FuzzyMatcher([]).search("住民票") == []


class TestPolicy:
    policy = AnswerPolicy(answer_at=0.9, suggest_at=0.6, min_margin=0.05)

    def test_high_clear_score_answers(self):
        """A high top score with a clear margin is answered directly."""
        assert self.policy.decide([Hit("1", 0.95), Hit("2", 0.7)]) is Tier.ANSWER

    def test_high_but_tied_scores_suggest(self):
        """Two equally good candidates are offered, not guessed."""
        assert self.policy.decide([Hit("1", 0.95), Hit("2", 0.94)]) is Tier.SUGGEST

    def test_middle_score_suggests(self):
        """A middling score offers suggestions."""
        assert self.policy.decide([Hit("1", 0.7)]) is Tier.SUGGEST

    def test_low_score_falls_back(self):
        """A low score falls back to the contact desk."""
        assert self.policy.decide([Hit("1", 0.3)]) is Tier.FALLBACK

    def test_no_hits_fall_back(self):
        """No candidates fall back."""
        assert self.policy.decide([]) is Tier.FALLBACK

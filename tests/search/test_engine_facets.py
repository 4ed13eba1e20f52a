"""The matcher weighs what a message asks about its subject (a loss): entries that speak of it come first, and
each hit says what it does not speak of."""

from __future__ import annotations

from search.docs import FaqDoc
from search.engine import HybridMatcher
from search.engine import Weights

APPLY = FaqDoc("1", "子どもの医療証の申請方法を教えてください。", (), "出生届のあとに申請してください。")
REISSUE = FaqDoc("2", "医療証の再発行はできますか？", (), "窓口で再発行の手続きをしてください。")
RENEW = FaqDoc("3", "子どもの医療証は更新がありますか？", (), "毎年8月に更新します。")


def ranked(matcher: HybridMatcher, text: str) -> list[str]:
    return [hit.faq_id for hit in matcher.search(text, 3)]


def test_an_entry_that_speaks_of_the_loss_comes_first():
    """「子どもの医療証なくした」 finds the reissue entry first once the facet bonus counts, not before."""
    docs = [APPLY, REISSUE, RENEW]
    assert ranked(HybridMatcher(docs, weights=Weights(facet=0.0)), "子どもの医療証なくした")[0] != "2"
    assert ranked(HybridMatcher(docs, weights=Weights(facet=0.2)), "子どもの医療証なくした")[0] == "2"


def test_hits_name_the_facets_their_entry_does_not_speak_of():
    """Every hit for a loss message says whether its entry speaks of the loss."""
    hits = {hit.faq_id: hit.unmet for hit in HybridMatcher([APPLY, REISSUE, RENEW]).search("医療証なくした", 3)}
    assert hits == {"1": {"lost"}, "2": frozenset(), "3": {"lost"}}


def test_a_message_that_asks_nothing_is_scored_as_before():
    """Without a facet in the message, the bonus changes no score."""
    plain = HybridMatcher([APPLY, REISSUE, RENEW], weights=Weights(facet=0.0)).search("医療証の更新", 3)
    weighted = HybridMatcher([APPLY, REISSUE, RENEW], weights=Weights(facet=0.2)).search("医療証の更新", 3)
    assert weighted == plain


def test_edits_keep_the_facets_in_step():
    """A removed entry loses its bonus and an added one that speaks of the loss gets it, in a copy."""
    matcher = HybridMatcher([APPLY, REISSUE, RENEW], weights=Weights(facet=0.2))
    edited = matcher.copy()
    edited.remove("2")
    edited.upsert(FaqDoc("4", "医療証を紛失しました。", (), "再交付の申請をしてください。"))
    assert ranked(edited, "医療証なくした")[0] == "4"
    assert ranked(matcher, "医療証なくした")[0] == "2"

"""The matcher weighs what a message asks about its subject (a loss, money): entries that speak of it are lifted
in proportion to how well they fit otherwise, and each hit says what it does not speak of."""

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
    """「子どもの医療証なくした」 finds the reissue entry first once the facet lift counts, not before."""
    docs = [APPLY, REISSUE, RENEW]
    assert ranked(HybridMatcher(docs, weights=Weights(facet=0.0)), "子どもの医療証なくした")[0] != "2"
    assert ranked(HybridMatcher(docs, weights=Weights(facet=1.0)), "子どもの医療証なくした")[0] == "2"


def test_an_entry_sharing_only_the_facet_is_lifted_in_proportion():
    """「宇宙旅行の補助金」 asks about money, as two entries speak of it: each at most doubles its own small score
    (facet 1.0), where an added bonus would have put every entry on money at 1.0 or more."""
    fee = FaqDoc("4", "粗大ごみの手数料はいくらですか？", (), "1点200円から1,600円です。")
    fare = FaqDoc("5", "コミュニティバスの運賃は？", (), "大人200円です。")
    docs = [fee, fare, APPLY]
    plain = {hit.faq_id: hit.score for hit in HybridMatcher(docs, weights=Weights(facet=0.0)).search("宇宙旅行の補助金", 3)}
    lifted = {hit.faq_id: hit.score for hit in HybridMatcher(docs, weights=Weights(facet=1.0)).search("宇宙旅行の補助金", 3)}
    assert lifted["4"] > plain["4"] and lifted["5"] > plain["5"]
    assert all(lifted[faq_id] <= 2 * plain[faq_id] + 1e-9 for faq_id in ("4", "5"))
    assert lifted["1"] == plain["1"]


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
    """A removed entry loses its lift and an added one that speaks of the loss gets it, in a copy (whose matcher
    had already been asked about a loss, so what it kept of the facets is renewed by the edit)."""
    matcher = HybridMatcher([APPLY, REISSUE, RENEW], weights=Weights(facet=0.2))
    assert ranked(matcher, "医療証なくした")[0] == "2"
    edited = matcher.copy()
    edited.remove("2")
    edited.upsert(FaqDoc("4", "医療証を紛失しました。", (), "再交付の申請をしてください。"))
    unlifted = HybridMatcher([APPLY, RENEW], weights=Weights(facet=0.0))
    unlifted.upsert(FaqDoc("4", "医療証を紛失しました。", (), "再交付の申請をしてください。"))
    lifted = {hit.faq_id: hit.score for hit in edited.search("医療証なくした", 3)}
    plain = {hit.faq_id: hit.score for hit in unlifted.search("医療証なくした", 3)}
    assert ranked(edited, "医療証なくした")[0] == "4" and lifted["4"] > plain["4"]
    assert "2" not in lifted
    assert ranked(matcher, "医療証なくした")[0] == "2"


def test_forgetting_is_required_of_a_direct_answer_but_lifts_no_entry():
    """「医療証の手続きわすれた」: an entry that does not speak of forgetting says so in its hit, and an entry that
    does is not lifted for it (the forgot facet does not lift: measured, it moved no right answer up)."""
    reset = FaqDoc("6", "医療証の手続きを忘れたとき", (), "窓口で再設定します。")
    docs = [APPLY, reset]
    plain = {h.faq_id: h for h in HybridMatcher(docs, weights=Weights(facet=0.0)).search("医療証の手続きわすれた", 3)}
    lifted = {h.faq_id: h for h in HybridMatcher(docs, weights=Weights(facet=1.0)).search("医療証の手続きわすれた", 3)}
    assert plain["1"].unmet == {"forgot"} and plain["6"].unmet == frozenset()
    assert lifted["6"].score == plain["6"].score


def test_a_thing_no_entry_speaks_of_is_unmet_by_every_hit():
    """「電車の時刻表」 names 電車, which no entry speaks of in its question or answer: every hit says so, so the best
    (the bus timetable) is offered at most, never answered."""
    bus = FaqDoc("7", "コミュニティバスの時刻表を教えてください。", (), "市のホームページで見られます。")
    hits = HybridMatcher([bus, APPLY]).search("電車の時刻表", 3)
    assert hits and all(hit.unmet == {"電車"} for hit in hits)


def test_a_thing_named_only_in_the_context_of_a_long_message_is_not_unmet():
    """A thing told as context before the question (会社) is no part of what is asked: only the question's own
    things are looked up."""
    hits = HybridMatcher([APPLY, REISSUE, RENEW]).search("会社を辞めたばかりなのですが、子どもの医療証の申請方法を教えてください", 3)
    assert hits and hits[0].unmet == frozenset()


def test_a_one_character_thing_is_not_looked_up():
    """One kanji is too often a piece of a word Sudachi split: 「医療証の券」 is not kept from an answer for 券."""
    hits = HybridMatcher([APPLY, REISSUE, RENEW]).search("医療証の券", 3)
    assert hits and all("券" not in hit.unmet for hit in hits)

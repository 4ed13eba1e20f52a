"""The unanswered queue: which questions count, how wordings that read alike become one row, and that a
wording staff dealt with leaves it."""

from __future__ import annotations

from datetime import timedelta

import db
from faq import unanswered
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from faq.models import QueueDecision
from tests.conftest import NOW

SINCE = NOW - timedelta(days=30)


def log(app, text, outcome, *, score=None, days_ago=1, none_chosen=None):
    with db.transaction(app) as session:
        row = QueryLog(normalized_text=text, outcome=outcome, score=score, created_at=NOW - timedelta(days=days_ago))
        session.add(row)
        session.flush()
        if none_chosen is not None:
            session.add(Feedback(query_log_id=row.id, chosen_faq_id=None if none_chosen else "7", created_at=NOW))


def queue(app, low=0.65):
    with db.read_transaction(app) as session:
        return [(g.text, g.count, [w.text for w in g.wordings]) for g in
                unanswered.queue(session, since=SINCE, low_confidence=low)]


def test_fallbacks_none_of_these_and_low_confidence_answers_are_listed(app):
    """A fallback, a suggestion none fitted, and a direct answer under the bar count; a confident answer, a
    suggestion someone chose, an intent and an old question do not."""
    log(app, "ねこの里親", QueryOutcome.FALLBACK)
    log(app, "ごみぶくろ売ってる店", QueryOutcome.SUGGEST, none_chosen=True)
    log(app, "住民票の紙", QueryOutcome.FAQ, score=0.6)
    log(app, "住民票の写し", QueryOutcome.FAQ, score=0.9)
    log(app, "粗大ごみ予約", QueryOutcome.SUGGEST, none_chosen=False)
    log(app, "ごみの日", QueryOutcome.INTENT)
    log(app, "昔の質問", QueryOutcome.FALLBACK, days_ago=45)
    assert sorted(text for text, _c, _w in queue(app)) == ["ごみぶくろ売ってる店", "ねこの里親", "住民票の紙"]


def test_wordings_that_read_alike_are_one_row_led_by_the_most_frequent(app):
    """「ごみ袋どこで買える」 ×3, 「ごみ袋どこで買えますか」 and 「ごみ袋 どこで買える？」 are one row of 5."""
    for text in ["ごみ袋どこで買える"] * 3 + ["ごみ袋どこで買えますか", "ごみ袋 どこで買える?"]:
        log(app, text, QueryOutcome.FALLBACK)
    log(app, "犬の登録", QueryOutcome.FALLBACK)
    assert queue(app) == [("ごみ袋どこで買える", 5, ["ごみ袋どこで買える", "ごみ袋 どこで買える?", "ごみ袋どこで買えますか"]),
                          ("犬の登録", 1, ["犬の登録"])]


def test_a_wording_staff_dealt_with_leaves_the_queue(app):
    """After ``decide`` the wording is no longer listed, and deciding it again changes nothing."""
    log(app, "ねこの里親", QueryOutcome.FALLBACK)
    log(app, "犬の登録", QueryOutcome.FALLBACK)
    with db.transaction(app) as session:
        assert unanswered.decide(session, ["ねこの里親"], QueueDecision.DISMISSED, by="sato", now=NOW) == 1
    with db.transaction(app) as session:
        assert unanswered.decide(session, ["ねこの里親"], QueueDecision.ALIAS, by="sato", now=NOW) == 0
    assert [text for text, _c, _w in queue(app)] == ["犬の登録"]


def test_questions_whose_text_retention_emptied_are_not_listed(app):
    """A row whose text was deleted after QUERY_LOG_KEEP_DAYS (empty text) is not a wording."""
    log(app, "", QueryOutcome.FALLBACK)
    assert queue(app) == []

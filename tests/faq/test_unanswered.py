"""The unanswered queue: which questions count (as they are answered, and after residents' feedback), how
wordings that read alike become one row, and that a wording staff dealt with leaves it."""

from __future__ import annotations

from datetime import timedelta

import db
from faq import unanswered
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from faq.models import QueueDecision
from faq.policy import AnswerPolicy
from tests.conftest import NOW

SINCE = NOW - timedelta(days=30)
POLICY = AnswerPolicy(answer_at=0.55, answer_at_short=0.7, short_chars=5)  # low confidence: < 0.65, short < 0.8


def log(app, text, outcome, *, score=None, days_ago=1, none_chosen=None) -> int:
    """Log a question as the bot does (marked as it is answered), and the resident's choice under 「もしかして」."""
    with db.transaction(app) as session:
        row = QueryLog(normalized_text=text, outcome=outcome, score=score, created_at=NOW - timedelta(days=days_ago),
                       missed=bool(text) and unanswered.missed_when_answered(POLICY, outcome, score, len(text)))
        session.add(row)
        session.flush()
        if none_chosen is not None:
            session.add(Feedback(query_log_id=row.id, chosen_faq_id=None if none_chosen else "7", created_at=NOW))
            if none_chosen:
                unanswered.declined(session, row.id)
        return row.id


def rate(app, log_id, helpful):
    """The resident rates the answer (a second rating changes the first, as ``bot.querylog.rate`` does)."""
    with db.transaction(app) as session:
        earlier = session.query(Feedback).filter_by(query_log_id=log_id).filter(Feedback.helpful.is_not(None)).first()
        if earlier is None:
            session.add(Feedback(query_log_id=log_id, chosen_faq_id="7", helpful=helpful, created_at=NOW))
        else:
            earlier.helpful = helpful
        session.flush()
        unanswered.rated(session, log_id, POLICY)


def queue(app):
    with db.read_transaction(app) as session:
        return [(g.text, g.count, [w.text for w in g.wordings]) for g in unanswered.queue(session, since=SINCE)]


def test_fallbacks_none_of_these_and_low_confidence_answers_are_listed(app):
    """A fallback, a suggestion none fitted, and a direct answer under the bar count; a confident answer, a
    suggestion someone chose, an intent and an old question do not."""
    log(app, "ねこの里親", QueryOutcome.FALLBACK)
    log(app, "ごみぶくろ売ってる店", QueryOutcome.SUGGEST, none_chosen=True)
    log(app, "住民票の紙がほしい", QueryOutcome.FAQ, score=0.6)
    log(app, "住民票の写しがほしい", QueryOutcome.FAQ, score=0.9)
    log(app, "粗大ごみ予約", QueryOutcome.SUGGEST, none_chosen=False)
    log(app, "ごみの日", QueryOutcome.INTENT)
    log(app, "昔の質問", QueryOutcome.FALLBACK, days_ago=45)
    assert sorted(text for text, _c, _w in queue(app)) == ["ごみぶくろ売ってる店", "ねこの里親", "住民票の紙がほしい"]


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


def test_low_confidence_is_measured_against_the_threshold_the_query_was_answered_with():
    """A short query needs a higher score for a direct answer, so its low-confidence bar is higher too."""
    assert unanswered.missed_when_answered(POLICY, QueryOutcome.FAQ, 0.7, query_chars=4)
    assert not unanswered.missed_when_answered(POLICY, QueryOutcome.FAQ, 0.7, query_chars=10)
    assert not unanswered.missed_when_answered(POLICY, QueryOutcome.SUGGEST, 0.3, query_chars=10)
    assert not unanswered.missed_when_answered(POLICY, QueryOutcome.INTENT, None, query_chars=10)


def test_an_answer_rated_unhelpful_joins_the_queue_and_leaves_it_when_the_rating_changes(app):
    """「役に立たなかった」 lists a confident answer; pressing 「役に立った」 afterwards takes it out again."""
    row = log(app, "住民票の写しがほしい", QueryOutcome.FAQ, score=0.9)
    rate(app, row, helpful=False)
    assert [text for text, _c, _w in queue(app)] == ["住民票の写しがほしい"]
    rate(app, row, helpful=True)
    assert queue(app) == []


def test_a_low_confidence_answer_rated_helpful_stays_in_the_queue(app):
    """Staff still see answers given on a weak match, whatever one resident thought of it."""
    row = log(app, "住民票の紙がほしい", QueryOutcome.FAQ, score=0.6)
    rate(app, row, helpful=True)
    assert [text for text, _c, _w in queue(app)] == ["住民票の紙がほしい"]


def test_a_chosen_suggestion_rated_unhelpful_joins_the_queue(app):
    """The resident picked a 「もしかして」 choice and its answer did not help: the question was missed."""
    row = log(app, "ごみぶくろ売ってる店", QueryOutcome.SUGGEST, score=0.4, none_chosen=False)
    rate(app, row, helpful=False)
    assert [text for text, _c, _w in queue(app)] == ["ごみぶくろ売ってる店"]


def test_a_wordings_first_and_last_day_are_those_of_its_questions_in_the_window(app):
    """The count and the first and last time are of the questions since the window's start (older ones left)."""
    for days_ago in (45, 20, 3, 9):
        log(app, "ねこの里親", QueryOutcome.FALLBACK, days_ago=days_ago)
    with db.read_transaction(app) as session:
        [found] = unanswered.wordings(session, since=SINCE)
    assert (found.count, found.first, found.last) == (3, NOW - timedelta(days=20), NOW - timedelta(days=3))

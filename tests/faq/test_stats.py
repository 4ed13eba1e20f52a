"""The dashboard's counts: every logged question is counted in its hour and outcome in the same transaction,
summed into the city's days; ratings per day; a backfill counts what was logged before."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

import db
from faq import stats
from faq.models import Feedback
from faq.models import QueryHour
from faq.models import QueryLog
from faq.models import QueryOutcome
from tests.conftest import NOW

TOKYO = ZoneInfo("Asia/Tokyo")


def log(app, *rows: tuple[QueryOutcome, timedelta]) -> None:
    with db.transaction(app) as session:
        session.add_all(QueryLog(normalized_text="質問", outcome=outcome, created_at=NOW + offset)
                        for outcome, offset in rows)


def test_logged_questions_are_counted_per_hour_and_outcome(app):
    """Two FAQ answers and a fallback in one hour, one more FAQ answer in the next: three rows of counts."""
    log(app, (QueryOutcome.FAQ, timedelta(minutes=1)), (QueryOutcome.FAQ, timedelta(minutes=50)),
        (QueryOutcome.FALLBACK, timedelta(minutes=2)))
    log(app, (QueryOutcome.FAQ, timedelta(minutes=61)))
    with db.read_transaction(app) as session:
        counted = {(hour, outcome): n for hour, outcome, n in session.execute(
            sa.select(QueryHour.hour, QueryHour.outcome, QueryHour.questions))}
    assert counted == {(NOW, QueryOutcome.FAQ): 2, (NOW, QueryOutcome.FALLBACK): 1,
                       (NOW + timedelta(hours=1), QueryOutcome.FAQ): 1}


def test_days_are_the_citys_days(app):
    """NOW is 12:00 in Tokyo; 13 hours later it is 01:00 the next day there: two days of one question each."""
    log(app, (QueryOutcome.FAQ, timedelta()), (QueryOutcome.SUGGEST, timedelta(hours=13)))
    with db.read_transaction(app) as session:
        days = stats.days(session, last=date(2026, 11, 21), count=3, timezone=TOKYO)
    assert [(d.day, d.questions) for d in days] == [
        (date(2026, 11, 19), {}), (date(2026, 11, 20), {QueryOutcome.FAQ: 1}),
        (date(2026, 11, 21), {QueryOutcome.SUGGEST: 1})]


def test_ratings_are_counted_per_day(app):
    """One helpful and two unhelpful ratings on the 20th; a suggestion's choice is not a rating."""
    with db.transaction(app) as session:
        session.add_all([Feedback(chosen_faq_id="7", helpful=True, created_at=NOW),
                         Feedback(chosen_faq_id="7", helpful=False, created_at=NOW),
                         Feedback(chosen_faq_id="8", helpful=False, created_at=NOW),
                         Feedback(chosen_faq_id="8", created_at=NOW)])
    with db.read_transaction(app) as session:
        (day,) = stats.days(session, last=date(2026, 11, 20), count=1, timezone=TOKYO)
    assert (day.helpful, day.unhelpful) == (1, 2)


def test_a_backfill_counts_questions_logged_without_the_listener(app):
    """Rows written with a plain INSERT (as before the counts existed) are counted by the backfill."""
    with db.transaction(app) as session:
        session.execute(sa.insert(QueryLog), [{"normalized_text": "a", "outcome": "faq", "created_at": NOW},
                                              {"normalized_text": "b", "outcome": "faq", "created_at": NOW}])
        assert stats.backfill(session) == 1
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(QueryHour.questions)) == 2

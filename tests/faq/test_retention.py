"""The query log keeps residents' questions only as long as the staff need them (NOW is 2026-11-20)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

import db
from faq import retention
from faq import unanswered
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from faq.models import QueueDecided
from faq.models import QueueDecision
from tests.conftest import NOW
from tests.transactions import write_transactions

KEEP = timedelta(days=60)
PSEUDONYM = timedelta(days=14)


def add_question(app, days_ago: int, text: str = "粗大ごみ", pseudonym: str | None = "p1") -> int:
    """One logged question (with feedback) asked ``days_ago`` days before NOW; returns its id."""
    with db.transaction(app) as tx:
        row = QueryLog(normalized_text=text, outcome=QueryOutcome.FALLBACK, intent=None, faq_id="7", score=0.4,
                       resident_hash=pseudonym, created_at=NOW - timedelta(days=days_ago))
        tx.add(row)
        tx.flush()
        tx.add(Feedback(query_log_id=row.id, resident_hash=pseudonym, created_at=row.created_at))
        return row.id


def rows(session) -> list[tuple]:
    return session.execute(sa.select(QueryLog.normalized_text, QueryLog.resident_hash).order_by(QueryLog.id)).all()


def expire(app, **overrides):
    options = {"keep": KEEP, "pseudonym": PSEUDONYM} | overrides
    return retention.expire(db.session_factory(app), NOW, **options)


class TestExpire:
    def test_wordings_staff_dealt_with_are_deleted_after_keep(self, app, session):
        """A wording decided in the unanswered queue holds residents' words: it goes after QUERY_LOG_KEEP_DAYS."""
        with db.transaction(app) as tx:
            unanswered.decide(tx, ["ねこの里親"], QueueDecision.DISMISSED, by="sato", now=NOW - timedelta(days=61))
            unanswered.decide(tx, ["犬の登録"], QueueDecision.DISMISSED, by="sato", now=NOW - timedelta(days=59))
        assert expire(app).decided == 1
        assert session.scalars(sa.select(QueueDecided.text)).all() == ["犬の登録"]

    def test_text_older_than_keep_is_deleted_and_the_row_kept_anonymous(self, app, session):
        """A question past QUERY_LOG_KEEP_DAYS loses its text and pseudonym; outcome, FAQ and score stay."""
        add_question(app, days_ago=61)
        assert expire(app).texts == 1
        row = session.scalar(sa.select(QueryLog))
        assert (row.normalized_text, row.resident_hash) == ("", None)
        assert (row.outcome, row.faq_id, row.score) == (QueryOutcome.FALLBACK, "7", 0.4)

    def test_a_question_whose_text_is_deleted_leaves_the_unanswered_queues_index(self, app, session):
        """The missed mark goes with the text: the queue's partial index holds only questions that still have one."""
        old, recent = add_question(app, days_ago=61), add_question(app, days_ago=1)
        with db.transaction(app) as tx:
            tx.execute(sa.update(QueryLog).values(missed=True))
        expire(app)
        marks = dict(session.execute(sa.select(QueryLog.id, QueryLog.missed)).all())
        assert marks == {old: False, recent: True}

    def test_pseudonym_is_dropped_sooner_and_the_text_kept(self, app, session):
        """A question past QUERY_LOG_PSEUDONYM_DAYS but within the keep period keeps its text, not its pseudonym."""
        add_question(app, days_ago=15, text="本町〔番地〕の除雪")
        expired = expire(app)
        assert (expired.texts, expired.pseudonyms, expired.feedback_pseudonyms) == (0, 1, 1)
        assert rows(session) == [("本町〔番地〕の除雪", None)]
        assert session.scalar(sa.select(Feedback.resident_hash)) is None

    def test_recent_questions_are_untouched(self, app, session):
        """A question younger than both periods keeps text and pseudonym."""
        add_question(app, days_ago=13)
        assert expire(app) == retention.Expired(0, 0, 0)
        assert rows(session) == [("粗大ごみ", "p1")]

    def test_a_pseudonym_period_longer_than_keep_ends_with_the_text(self, app, session):
        """The pseudonym never outlives the text, whatever the settings say."""
        add_question(app, days_ago=20)
        expire(app, keep=timedelta(days=10), pseudonym=timedelta(days=30))
        assert rows(session) == [("", None)]

    def test_every_old_row_is_handled_in_chunks_of_their_own_transaction(self, app, session):
        """With a chunk of 2, five old rows are all expired in write transactions of their own: three for the
        texts (2, 2 and 1 rows), one that finds no pseudonym left, three for the feedback's pseudonyms, and one
        that finds no dealt-with wording of the unanswered queue."""
        for _ in range(5):
            add_question(app, days_ago=70)
        factory = db.session_factory(app)
        with write_transactions(factory) as committed:
            expired = retention.expire(factory, NOW, keep=KEEP, pseudonym=PSEUDONYM, chunk=2)
        assert expired.texts == 5 and rows(session) == [("", None)] * 5
        assert committed == [2, 2, 1, 0, 2, 2, 1, 0]

    def test_running_twice_changes_nothing_more(self, app, session):
        """A second pass finds nothing left to expire."""
        add_question(app, days_ago=61)
        add_question(app, days_ago=20)
        expire(app)
        assert expire(app) == retention.Expired(0, 0, 0)

    def test_negative_periods_are_refused(self, app):
        """A negative period would expire everything at once and is refused."""
        with pytest.raises(ValueError):
            expire(app, keep=timedelta(days=-1))


class TestForget:
    def test_only_the_given_pseudonyms_rows_are_deleted(self, app, session):
        """forget deletes the query rows and feedback of the given pseudonyms and nobody else's."""
        add_question(app, days_ago=1, pseudonym="p1")
        add_question(app, days_ago=1, text="住民票", pseudonym="p2")
        with db.transaction(app) as tx:
            assert retention.forget(tx, ["p1"]) == 2
        assert rows(session) == [("住民票", "p2")]
        assert session.scalars(sa.select(Feedback.resident_hash)).all() == ["p2"]

    def test_many_pseudonyms_are_deleted_in_parts(self, app, session):
        """More pseudonyms than one IN list holds are all forgotten."""
        add_question(app, days_ago=1, pseudonym="p700")
        with db.transaction(app) as tx:
            assert retention.forget(tx, [f"p{n}" for n in range(1200)]) == 2
        assert rows(session) == []


class TestCommand:
    def test_expire_log_uses_the_settings(self, app, runner, session):
        """`faq expire-log` applies QUERY_LOG_KEEP_DAYS (60) and QUERY_LOG_PSEUDONYM_DAYS (14)."""
        add_question(app, days_ago=61)
        add_question(app, days_ago=15)
        add_question(app, days_ago=1)
        result = runner.invoke(args=["faq", "expire-log"])
        assert result.exit_code == 0, result.output
        assert "1 texts deleted" in result.output and "from 1 questions and 2 feedback" in result.output
        assert rows(session) == [("", None), ("粗大ごみ", None), ("粗大ごみ", "p1")]

    def test_expire_log_takes_periods_in_days(self, app, runner, session):
        """--keep-days and --pseudonym-days override the settings."""
        add_question(app, days_ago=3)
        result = runner.invoke(args=["faq", "expire-log", "--keep-days", "2", "--pseudonym-days", "1"])
        assert result.exit_code == 0, result.output
        assert rows(session) == [("", None)]

    def test_a_negative_period_is_an_error(self, app, runner, session):
        """A negative period is refused and nothing is changed."""
        add_question(app, days_ago=3)
        result = runner.invoke(args=["faq", "expire-log", "--keep-days", "-1"])
        assert result.exit_code != 0 and "--keep-days" in result.output
        assert rows(session) == [("粗大ごみ", "p1")]

"""The push commands: plan an evening's reminders, send what is due once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from datetime import datetime

import pytest
import sqlalchemy as sa

import db
import runtime
from garbage import catalog as garbage_catalog
from push.models import Delivery
from push.models import DeliveryStatus
from residents import service as residents
from tests.conftest import NOW
from tests.garbage.test_reminders import CATALOG
from tests.push.helpers import received
from tests.push.helpers import rows
from tests.push.helpers import user


class StubCatalogs:
    """Stands in for the app's garbage catalog cache with a fixed catalog."""

    def __init__(self, catalog):
        self.catalog = catalog

    def get(self, session, counters=None):
        return self.catalog


@pytest.fixture
def subscribers(app, factory):
    """Two 大町 residents and one 港町 resident who want burnable-garbage reminders."""
    runtime.of(app).caches[garbage_catalog.KEY] = StubCatalogs(CATALOG)
    with factory.begin() as session:
        for number, area in ((1, "大町"), (2, "大町"), (3, "港町")):
            residents.set_area(session, user(number), area, NOW)
            residents.give_consent(session, user(number), NOW)
            residents.set_reminder_categories(session, user(number), {"燃やせるごみ"}, NOW)


def test_plan_puts_the_evenings_reminders_in_the_outbox(runner, subscribers, session):
    """`push plan --date 2026-11-29` plans Monday's 大町 reminders for 18:00 JST that Sunday."""
    result = runner.invoke(args=["push", "plan", "--date", "2026-11-29"])
    assert result.exit_code == 0, result.output
    assert "garbage-reminder: 2 planned, 2 new" in result.output
    assert [(row.line_user_id, row.send_after) for row in rows(session)] == [
        (user(1), datetime(2026, 11, 29, 9, 0, tzinfo=UTC)), (user(2), datetime(2026, 11, 29, 9, 0, tzinfo=UTC))]


def test_plan_run_twice_adds_nothing_new(runner, subscribers):
    """Planning the same evening again reports the reminders as already there."""
    runner.invoke(args=["push", "plan", "--date", "2026-11-29"])
    result = runner.invoke(args=["push", "plan", "--date", "2026-11-29"])
    assert "garbage-reminder: 2 planned, 0 new" in result.output


def test_plan_without_garbage_data_says_so(runner):
    """Without garbage data the reminders are reported as not planned."""
    result = runner.invoke(args=["push", "plan", "--date", "2026-11-29"])
    assert result.exit_code == 0, result.output
    assert "garbage-reminder: not planned (no garbage data)" in result.output


def test_send_due_sends_once_and_prints_the_report(runner, add_residents, plan, line_api):
    """`push send-due` sends what is due through the configured LINE API and reports the counts."""
    users = add_residents(3)
    plan(users)
    result = runner.invoke(args=["push", "send-due"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sent 3, failed 0, retried 0, skipped 0, released 0 (0 pushes, 1 multicasts)")
    assert received(line_api) == Counter(users)


def test_housekeeping_expires_the_query_log(app, session):
    """The worker's daily housekeeping deletes question texts past QUERY_LOG_KEEP_DAYS and pseudonyms past
    QUERY_LOG_PSEUDONYM_DAYS."""
    from datetime import timedelta

    from faq.models import QueryLog
    from faq.models import QueryOutcome
    from push.cli import housekeeping

    with db.transaction(app) as tx:
        for days, text in ((61, "古い質問"), (15, "先週の質問"), (1, "昨日の質問")):
            tx.add(QueryLog(normalized_text=text, outcome=QueryOutcome.FALLBACK, resident_hash="p1",
                            created_at=NOW - timedelta(days=days)))
    with app.app_context():
        housekeeping(NOW)
    kept = session.execute(sa.select(QueryLog.normalized_text, QueryLog.resident_hash).order_by(QueryLog.id)).all()
    assert kept == [("", None), ("先週の質問", None), ("昨日の質問", "p1")]


def test_housekeeping_purges_old_deliveries_and_long_blocked_residents(app, factory, plan, session):
    """The worker's daily housekeeping forgets finished deliveries and residents blocked past the grace period."""
    from datetime import timedelta

    from push.cli import housekeeping
    from residents.models import Resident
    from residents.models import ResidentStatus

    plan([user(1)])
    with factory.begin() as s:
        s.execute(sa.update(Delivery).values(status=DeliveryStatus.SENT))
        s.add(Resident(line_user_id=user(9), status=ResidentStatus.BLOCKED, blocked_at=NOW - timedelta(days=40)))
    with app.app_context():
        assert housekeeping(NOW + timedelta(days=31)) == (1, 1)
    assert rows(session) == []

"""Purging the webhook inbox's finished events in chunks of short transactions."""

from __future__ import annotations

import itertools
from datetime import timedelta

import sqlalchemy as sa

import db
from bot import inbox
from bot.models import InboundEvent
from bot.models import InboundStatus
from tests.conftest import NOW
from tests.transactions import write_transactions

OLD = NOW - inbox.KEEP_EVENT_IDS - timedelta(minutes=1)


NUMBERS = itertools.count()


def add_events(app, statuses: list[InboundStatus], received_at) -> None:
    """One inbox event per status, received at ``received_at``."""
    with db.transaction(app) as session:
        session.add_all(InboundEvent(webhook_event_id=f"event-{next(NUMBERS)}", line_user_id="U1",
                                     event_type="message", event_time=received_at, received_at=received_at,
                                     status=status) for status in statuses)


def test_old_finished_events_are_purged_in_chunks_of_their_own_transaction(app, session):
    """Five old finished events with a chunk of 2 go in three write transactions (2, 2, 1)."""
    add_events(app, [InboundStatus.DONE] * 4 + [InboundStatus.FAILED], OLD)
    factory = db.session_factory(app)
    with write_transactions(factory) as committed:
        assert inbox.purge(factory, NOW - inbox.KEEP_EVENT_IDS, chunk=2) == 5
    assert committed == [2, 2, 1]
    assert session.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 0


def test_open_and_recent_events_are_kept(app, session):
    """An old event still open, and a finished one within the keeping period, stay."""
    add_events(app, [InboundStatus.PENDING, InboundStatus.ANSWERED], OLD)
    add_events(app, [InboundStatus.DONE], NOW - timedelta(hours=1))
    assert inbox.purge(db.session_factory(app), NOW - inbox.KEEP_EVENT_IDS, chunk=2) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 3

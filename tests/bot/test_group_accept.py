"""The webhook's group commit: concurrent webhooks of one process stored in one transaction, each told its own."""

from __future__ import annotations

import contextlib
import threading

import pytest
import sqlalchemy as sa

import db
from bot.inbox import GroupAccept
from bot.models import InboundEvent
from tests import factories
from tests.conftest import NOW
from tests.waiting import wait_until


class CountedTransactions:
    """``db.statement_connection`` that counts its transactions and, while ``hold`` is clear, keeps the first one
    open: the requests that arrive meanwhile queue for the next."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.started = threading.Event()
        self.hold = threading.Event()
        self.fail = False

    @contextlib.contextmanager
    def __call__(self):
        self.count += 1
        with db.statement_connection(self.app) as connection:
            self.started.set()
            self.hold.wait(10)
            if self.fail:
                raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
            yield connection


def accept_in_threads(group: GroupAccept, bodies: list[list[dict]], results: dict) -> list[threading.Thread]:
    def run(n: int, events: list[dict]) -> None:
        try:
            results[n] = group.accept(events, NOW)
        except Exception as error:  # noqa: BLE001 - the test looks at what each request got
            results[n] = error

    threads = [threading.Thread(target=run, args=(n, events)) for n, events in enumerate(bodies)]
    for thread in threads:
        thread.start()
    return threads


def stored(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(InboundEvent))


def test_webhooks_that_arrive_during_a_transaction_go_together_in_the_next(app, session):
    """One request holds the first transaction; eight arriving meanwhile are stored in one more, not eight."""
    transactions = CountedTransactions(app)
    group = GroupAccept(transactions)
    results: dict = {}
    first = accept_in_threads(group, [[factories.text_event("1件目")]], results)
    assert transactions.started.wait(5)
    later = [[factories.text_event(f"{n}件目"), factories.text_event("続き")] for n in range(8)]
    others = accept_in_threads(group, later, {})
    wait_until(lambda: len(group._waiting) == 8, "every later request to hand its events over")
    transactions.hold.set()
    for thread in first + others:
        thread.join(10)
    assert transactions.count == 2
    assert stored(session) == 17
    assert results[0].new == 1


def test_each_request_is_told_its_own_new_events_and_duplicates(app, session):
    """Two requests carrying the same event, stored together: it is new for one of them only."""
    transactions = CountedTransactions(app)
    group = GroupAccept(transactions)
    blocker = accept_in_threads(group, [[factories.text_event("先")]], {})
    assert transactions.started.wait(5)
    shared = factories.text_event("同じイベント")
    results: dict = {}
    threads = accept_in_threads(group, [[shared, factories.text_event("a")], [shared]], results)
    wait_until(lambda: len(group._waiting) == 2, "both requests to hand their events over")
    transactions.hold.set()
    for thread in blocker + threads:
        thread.join(10)
    assert (sum(r.new for r in results.values()), sum(r.duplicates for r in results.values())) == (2, 1)
    assert stored(session) == 3


def test_a_failed_transaction_fails_every_request_in_it_and_stores_none(app, session):
    """The database refuses the transaction: each request in it raises (the webhook answers 500, LINE
    redelivers); nothing of it is stored, and the next request is stored as usual."""
    transactions = CountedTransactions(app)
    transactions.fail = True
    transactions.hold.set()
    group = GroupAccept(transactions)
    results: dict = {}
    for thread in accept_in_threads(group, [[factories.text_event("x")], [factories.text_event("y")]], results):
        thread.join(10)
    assert all(isinstance(result, sa.exc.OperationalError) for result in results.values())
    assert stored(session) == 0
    transactions.fail = False
    assert group.accept([factories.text_event("z")], NOW).new == 1
    assert stored(session) == 1


def test_a_lone_request_is_stored_at_once(app, session):
    transactions = CountedTransactions(app)
    transactions.hold.set()
    accepted = GroupAccept(transactions).accept([factories.text_event("ひとつ"), {"type": "message"}], NOW)
    assert (accepted.new, accepted.duplicates, accepted.skipped) == (1, 0, 1)
    assert transactions.count == 1


@pytest.mark.parametrize("requests", [1, 5])
def test_the_webhook_stores_through_the_group(client, post_webhook, session, requests):
    """Through /callback: every event of every webhook is stored once."""
    for n in range(requests):
        assert post_webhook(factories.body(factories.text_event(f"質問{n}"))).status_code == 200
    assert stored(session) == requests

"""Sending the outbox to the fake LINE server over HTTP: grouping, retries, failures and exactly once."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from messaging.client import SdkLineClient
from push.models import Delivery
from push.models import DeliveryBatch
from push.models import DeliveryStatus
from push.ratelimit import RateLimiter
from push.ratelimit import TokenBucket
from push.sender import send_due
from residents.models import ResidentStatus
from tests.conftest import NOW
from tests.push.helpers import TEXT
from tests.push.helpers import received
from tests.push.helpers import rows
from tests.waiting import wait_until

MULTICAST = "/v2/bot/message/multicast"
PUSH = "/v2/bot/message/push"


def personal(user_id: str) -> list[dict]:
    return [{"type": "text", "text": f"{user_id[-4:]}さんへのお知らせです。"}]


def test_a_personal_delivery_is_pushed_with_its_planned_retry_key(add_residents, plan, send, line_api, session):
    """A personal row goes out as one push carrying the retry key it got when planned."""
    [u] = add_residents(1)
    plan([u], messages=personal, personal=True)
    report = send()
    [row] = rows(session)
    assert (report.sent, report.pushes, report.multicasts) == (1, 1, 0)
    assert [(to, key) for to, _m, key in line_api.pushes] == [(u, str(row.retry_key))]
    assert (row.effective_status, row.attempts) == (DeliveryStatus.SENT, 1)
    assert NOW <= row.sent_at < NOW + timedelta(seconds=5)
    assert line_api.violations == []


def test_identical_content_goes_by_multicast_in_requests_of_at_most_500(add_residents, plan, send, line_api):
    """1,100 identical deliveries make multicasts of 500, 500 and 100 recipients with one body."""
    users = add_residents(1100)
    plan(users)
    report = send()
    assert sorted(len(to) for to, _m, _k in line_api.multicasts) == [100, 500, 500]
    assert {str(messages) for _to, messages, _k in line_api.multicasts} == {str(TEXT)}
    assert (report.sent, report.multicasts, report.pushes) == (1100, 3, 0)
    assert received(line_api) == Counter(users)
    assert line_api.violations == []


def test_personal_content_is_pushed_even_when_it_is_identical(add_residents, plan, send, line_api):
    """Rows marked personal never share a multicast, whatever their content."""
    users = add_residents(3)
    plan(users, personal=True)
    send()
    assert line_api.multicasts == []
    assert sorted(to for to, _m, _k in line_api.pushes) == users


def test_a_batch_keeps_its_retry_key_and_recipients_on_every_retry(add_residents, plan, send, line_api, session):
    """A multicast answered 500 is sent again later with the same key, recipients and body."""
    users = add_residents(3)
    plan(users)
    line_api.fail_next(500, path=MULTICAST)
    assert send().retried == 3
    assert {row.effective_status for row in rows(session)} == {DeliveryStatus.PENDING}
    assert send(minutes=2).sent == 3
    first, second = [r for r in line_api.requests if r.path == MULTICAST]
    assert first.headers["X-Line-Retry-Key"] == second.headers["X-Line-Retry-Key"]
    assert first.json == second.json and second.status == 200
    assert session.scalar(sa.select(DeliveryBatch.retry_key)) is not None


def test_a_500_is_retried_later_with_backoff(add_residents, plan, send, line_api, session):
    """A push answered 500 goes back to pending, due again only after its backoff."""
    [u] = add_residents(1)
    plan([u], personal=True)
    line_api.fail_next(500, path=PUSH)
    report = send()
    [row] = rows(session)
    assert (report.retried, report.retry_reasons) == (1, Counter({"500": 1}))
    assert row.effective_status == DeliveryStatus.PENDING and row.next_attempt_at > NOW
    assert "500" in row.last_error
    assert send(minutes=0).requests == 0


def test_a_429_waits_at_least_its_retry_after(add_residents, plan, send, line_api, session):
    """A 429 with Retry-After: 300 is not retried before five minutes have passed."""
    [u] = add_residents(1)
    plan([u], personal=True)
    line_api.fail_next(429, path=PUSH, retry_after=300)
    send()
    [row] = rows(session)
    assert row.next_attempt_at >= NOW + timedelta(seconds=300)
    assert send(minutes=4).requests == 0
    assert send(minutes=6).sent == 1
    assert received(line_api) == Counter([u])


def test_a_timeout_is_retried_and_the_409_counts_as_sent(add_residents, plan, send, line_api, quick_client, session):
    """LINE took the push but the answer came too late: the retry gets 409 and the row is sent, once."""
    [u] = add_residents(1)
    plan([u], personal=True)
    line_api.delay_next(1.0, path=PUSH)
    first = send(line=quick_client)
    second = send(minutes=2, line=quick_client)
    assert (first.retried, first.retry_reasons, second.sent) == (1, Counter({"no-answer": 1}), 1)
    assert [r.status for r in line_api.requests] == [200, 409]
    assert received(line_api) == Counter([u])
    assert rows(session)[0].status == DeliveryStatus.SENT


@pytest.mark.parametrize("status", [400, 403])
def test_another_4xx_fails_for_good_with_the_reason_kept(add_residents, plan, send, line_api, session, status):
    """A 400 or 403 is not retried; the row is failed with LINE's answer."""
    [u] = add_residents(1)
    plan([u], personal=True)
    line_api.fail_next(status, path=PUSH)
    report = send()
    [row] = rows(session)
    assert (report.failed, report.failures) == (1, Counter({str(status): 1}))
    assert row.effective_status == DeliveryStatus.FAILED and str(status) in row.last_error
    assert send(minutes=120).requests == 0


@pytest.mark.parametrize("status", [ResidentStatus.BLOCKED, None])
def test_a_blocked_or_deleted_resident_is_skipped_with_a_reason(add_residents, plan, send, line_api, session,
                                                                 status):
    """Rows of a resident who blocked the account, or whose data was deleted, are cancelled unsent."""
    [active] = add_residents(1)
    others = add_residents(2, status=status, start=1) if status else ["U" + "e" * 32, "U" + "d" * 32]
    plan([active, *others])
    report = send()
    reason = "resident-blocked" if status else "resident-unknown"
    assert report.skipped == Counter({reason: 2})
    assert received(line_api) == Counter([active])
    cancelled = [row for row in rows(session) if row.effective_status == DeliveryStatus.CANCELLED]
    assert {(row.line_user_id, row.last_error) for row in cancelled} == {(o, reason) for o in others}


def test_a_worker_that_died_after_sending_is_covered_by_the_lease(add_residents, plan, send, sdk_line_client,
                                                                    line_api, session):
    """Rows of a worker that died mid-pass wait for their (default) lease, are taken over within a minute, and
    the retry gets 409, so nobody gets two."""

    class DiesAfterSending:
        def push(self, user_id, messages, *, retry_key):
            sdk_line_client.push(user_id, messages, retry_key=retry_key)
            raise RuntimeError("the worker died")

    [u] = add_residents(1)
    plan([u], personal=True)
    with pytest.raises(RuntimeError):
        send(line=DiesAfterSending())
    assert rows(session)[0].status == DeliveryStatus.SENDING
    assert send(minutes=0.25).requests == 0
    assert send(minutes=1).sent == 1
    assert [r.status for r in line_api.requests] == [200, 409]
    assert received(line_api) == Counter([u])


@pytest.fixture
def patient_client(line_api):
    """An SdkLineClient that waits for the fake's slow answers (longer than any delay in these tests)."""
    with SdkLineClient("dummy-channel-access-token", host=line_api.url, timeout=10.0) as client:
        yield client


def in_background(target) -> tuple[threading.Thread, list]:
    """Run ``target`` in a thread; the list receives its result."""
    results: list = []
    thread = threading.Thread(target=lambda: results.append(target()))
    thread.start()
    return thread, results


def lease_of(session, model, row_id: int):
    """The ``claimed_until`` and ``attempts`` of a batch or row, fresh from the database."""
    session.rollback()
    row = session.get(model, row_id, populate_existing=True)
    return row.claimed_until, row.attempts


def test_a_slow_request_keeps_its_claim_and_no_other_pass_takes_it(add_residents, plan, factory, line_api,
                                                                   patient_client, session):
    """While LINE holds a multicast's answer for over three leases, its lease keeps being renewed, other passes
    claim nothing, and each recipient gets the message once, from one request."""
    users = add_residents(3)
    plan(users)
    lease = timedelta(seconds=1)
    line_api.delay_next(3.5, path=MULTICAST)
    began = time.monotonic()

    def clock():
        return NOW + timedelta(seconds=time.monotonic() - began)

    thread, reports = in_background(lambda: send_due(factory, patient_client, clock(), lease=lease))
    wait_until(lambda: line_api.requests, "the multicast")
    batch_id = session.scalar(sa.select(DeliveryBatch.id))
    leases, others = [], []
    while thread.is_alive():
        leases.append(lease_of(session, DeliveryBatch, batch_id))
        others.append(send_due(factory, patient_client, clock(), lease=lease))
        time.sleep(0.1)
    thread.join()
    # Readings taken after the batch was sent, while the pass was still finishing, show no claim: the claim
    # ends when the batch does, never before.
    held = list(itertools.takewhile(lambda reading: reading[0] is not None, leases))
    assert all(until is None for until, _ in leases[len(held):])
    assert [(other.requests, other.released) for other in others] == [(0, 0)] * len(others)
    assert max(until for until, _ in held) > min(until for until, _ in held) + lease
    assert {attempts for _, attempts in held} == {1}
    assert (reports[0].sent, reports[0].multicasts) == (3, 1)
    assert [r.status for r in line_api.requests] == [200]
    assert received(line_api) == Counter(users)


def test_requests_queued_behind_slow_ones_keep_their_claim(add_residents, plan, send, line_api, patient_client):
    """One request at a time, each answered after more than half the lease: the second still starts, its claim
    renewed meanwhile, and nothing is released."""
    users = add_residents(2)
    plan(users, personal=True)
    line_api.delay_next(1.4, times=2, path=PUSH)
    report = send(line=patient_client, lease=timedelta(seconds=2.4), concurrency=1)
    assert (report.sent, report.released, report.pushes) == (2, 0, 2)
    assert received(line_api) == Counter(users)


def test_renewing_leaves_alone_a_claim_another_worker_took_over(add_residents, plan, factory, line_api,
                                                                patient_client, session):
    """A batch claimed by another worker since (one attempt more) keeps that worker's lease when this pass
    renews what it still holds (the row it pushes alone, renewed meanwhile)."""
    users = add_residents(3)
    plan(users[:2])
    plan(users[2:], personal=True, kind="personal")
    line_api.delay_next(2.5, times=2)
    thread, _reports = in_background(lambda: send_due(factory, patient_client, NOW, lease=timedelta(seconds=0.6),
                                                      concurrency=2))
    wait_until(lambda: len(line_api.requests) == 2, "both requests")
    batch_id = session.scalar(sa.select(DeliveryBatch.id))
    row_id = session.scalar(sa.select(Delivery.id).where(Delivery.batch_id.is_(None)))
    theirs = NOW + timedelta(days=1)
    with factory.begin() as s:
        s.execute(sa.update(DeliveryBatch).where(DeliveryBatch.id == batch_id)
                  .values(attempts=DeliveryBatch.attempts + 1, claimed_until=theirs))
    ours, _ = lease_of(session, Delivery, row_id)
    wait_until(lambda: (lease_of(session, Delivery, row_id)[0] or ours) > ours, "a renewal of the row still held")
    assert lease_of(session, DeliveryBatch, batch_id) == (theirs, 2)
    thread.join()


def test_a_late_retryable_answer_leaves_alone_a_claim_another_worker_took_over(add_residents, plan, factory,
                                                                              line_api, patient_client, session):
    """A 500 that comes back after another worker claimed the batch (one attempt more) does not put the batch
    back to pending under that worker."""
    plan(add_residents(2))
    line_api.fail_next(500, path=MULTICAST)
    line_api.delay_next(3.5, path=MULTICAST)
    # A lease long enough for the claimed batch to be tried on a loaded machine (with 0.6 s, CI on PostgreSQL once
    # released it untried), shorter than the answer's delay.
    thread, reports = in_background(lambda: send_due(factory, patient_client, NOW, lease=timedelta(seconds=2)))
    wait_until(lambda: line_api.requests, "the multicast")
    batch_id = session.scalar(sa.select(DeliveryBatch.id))
    theirs = NOW + timedelta(days=1)
    with factory.begin() as s:
        s.execute(sa.update(DeliveryBatch).where(DeliveryBatch.id == batch_id)
                  .values(attempts=DeliveryBatch.attempts + 1, claimed_until=theirs))
    thread.join()
    assert reports[0].retried == 2
    assert session.scalar(sa.select(DeliveryBatch.status)) == DeliveryStatus.SENDING
    assert lease_of(session, DeliveryBatch, batch_id) == (theirs, 2)


def test_stopping_releases_what_was_claimed_but_not_tried(add_residents, plan, send, sdk_line_client, session):
    """Told to stop after one push, the pass releases the other claimed rows as if never tried."""
    stop = threading.Event()

    class StopsAfterOne:
        def push(self, user_id, messages, *, retry_key):
            sdk_line_client.push(user_id, messages, retry_key=retry_key)
            stop.set()

    users = add_residents(3)
    plan(users, personal=True)
    report = send(line=StopsAfterOne(), stop=stop)
    assert (report.sent, report.released) == (1, 2)
    assert sorted((row.effective_status, row.attempts) for row in rows(session)) == [
        (DeliveryStatus.PENDING, 0), (DeliveryStatus.PENDING, 0), (DeliveryStatus.SENT, 1)]


def test_a_batch_released_before_its_first_request_is_untried_again(add_residents, plan, send, session):
    """When the lease runs out before a batch was tried, the batch and its rows are pending and untried again."""
    plan(add_residents(2))
    report = send(line=object(), lease=timedelta(0))
    assert (report.requests, report.released) == (0, 2)
    [batch] = session.scalars(sa.select(DeliveryBatch)).all()
    assert (batch.status, batch.attempts, batch.first_attempt_at) == (DeliveryStatus.PENDING, 0, None)
    assert [(row.effective_status, row.attempts, row.batch_id) for row in rows(session)] == [
        (DeliveryStatus.PENDING, 0, batch.id)] * 2


def test_a_resident_leaving_before_the_first_attempt_is_left_out_of_the_multicast(add_residents, plan, send,
                                                                                   line_api, session):
    """Rows cancelled while their batch waits for its first attempt are not sent; the others are."""
    from push.outbox import cancel_for_resident

    users = add_residents(3)
    plan(users)
    with session.begin():
        assert cancel_for_resident(session, users[1]) == 1
    assert send().sent == 2
    assert received(line_api) == Counter([users[0], users[2]])
    assert {row.line_user_id: row.effective_status for row in rows(session)}[users[1]] == DeliveryStatus.CANCELLED


def test_after_its_first_attempt_a_batch_keeps_its_recipients(add_residents, plan, send, line_api, session):
    """A batch tried once (500 from LINE) is retried to the same recipients, even one who cancelled since."""
    from push.outbox import cancel_for_resident

    users = add_residents(2)
    plan(users)
    line_api.fail_next(500, path="/v2/bot/message/multicast")
    assert send().retried == 2
    with session.begin():
        assert cancel_for_resident(session, users[0]) == 0
    assert send(minutes=2).sent == 2
    first, second = [r for r in line_api.requests if r.path == "/v2/bot/message/multicast"]
    assert first.status == 500 and second.status == 200
    assert first.json["to"] == second.json["to"] == users
    assert first.headers["X-Line-Retry-Key"] == second.headers["X-Line-Retry-Key"]


def test_retries_stop_before_line_forgets_the_retry_key(add_residents, plan, send, line_api, session):
    """A row still failing 23 hours after its first attempt is failed, not sent under a stale key."""
    [u] = add_residents(1)
    plan([u], personal=True)
    line_api.fail_next(503, path=PUSH)
    send()
    report = send(minutes=23 * 60 + 1)
    [row] = rows(session)
    assert (report.requests, report.failures) == (0, Counter({"retry-window-over": 1}))
    assert row.effective_status == DeliveryStatus.FAILED


def test_a_batch_still_failing_after_23_hours_is_failed(add_residents, plan, send, line_api, session):
    """A multicast batch is given up, with all its rows, before LINE forgets its retry key."""
    plan(add_residents(2))
    line_api.fail_next(503, path=MULTICAST)
    send()
    report = send(minutes=23 * 60 + 1)
    assert (report.requests, report.failures) == (0, Counter({"retry-window-over": 2}))
    assert {row.effective_status for row in rows(session)} == {DeliveryStatus.FAILED}
    assert session.scalar(sa.select(DeliveryBatch.status)) == DeliveryStatus.FAILED


def test_push_and_multicast_wait_for_their_own_rate_limit(add_residents, plan, send):
    """Ten pushes at 5 per second sleep about a second; the multicast bucket is untouched."""
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    rate = RateLimiter({"push": TokenBucket(5, clock=lambda: clock[0], sleep=sleep),
                        "multicast": TokenBucket(1, clock=lambda: clock[0], sleep=sleep)})
    users = add_residents(12)
    plan(users[:10], personal=True)
    plan(users[10:], kind="other")
    report = send(rate=rate)
    assert (report.pushes, report.multicasts) == (10, 1)
    assert sum(slept) == pytest.approx(1.0)


class Chaos:
    """A LineClient that makes the fake server fail or stall a random share of the requests it passes on.

    The first push and the first multicast always time out after the fake accepted them.
    """

    def __init__(self, client, line_api, rng, max_timeouts=6):
        self.client, self.line_api, self.rng, self.max_timeouts = client, line_api, rng, max_timeouts
        self.faults = Counter()

    def push(self, user_id, messages, *, retry_key):
        self._maybe_fail(PUSH)
        self.client.push(user_id, messages, retry_key=retry_key)

    def multicast(self, user_ids, messages, *, retry_key, aggregation_unit=None):
        self._maybe_fail(MULTICAST)
        self.client.multicast(user_ids, messages, retry_key=retry_key, aggregation_unit=aggregation_unit)

    def _maybe_fail(self, path):
        first = not self.faults[path]
        self.faults[path] += 1
        roll = self.rng.random()
        if first or (roll < 0.03 and self.faults["timeout"] < self.max_timeouts):
            self.faults["timeout"] += 1
            self.line_api.delay_next(QUICK_DELAY, path=path)
        elif roll < 0.10:
            self.line_api.fail_next(500, path=path)
        elif roll < 0.13:
            self.line_api.fail_next(502, path=path)
        elif roll < 0.18:
            self.line_api.fail_next(429, path=path, retry_after=30)


def test_every_recipient_gets_each_message_exactly_once_through_random_faults(add_residents, plan, send, line_api,
                                                                            quick_client, session):
    """1,200 recipients through random 500s, 502s, 429s and timeouts: each is accepted once, none lost."""
    users = add_residents(1200)
    plan(users[:1000])
    plan(users[1000:], messages=personal, personal=True)
    chaos = Chaos(quick_client, line_api, random.Random(1200))
    for minute in range(0, 120, 2):
        send(minutes=minute, line=chaos, chunk=100)
        if all(row.effective_status == DeliveryStatus.SENT for row in rows(session)):
            break
    assert {row.effective_status for row in rows(session)} == {DeliveryStatus.SENT}
    assert received(line_api) == Counter(users)
    keys = [key for _to, _m, key in line_api.pushes] + [key for _to, _m, key in line_api.multicasts]
    assert len(keys) == len(set(keys))
    statuses = Counter(r.status for r in line_api.requests)
    assert statuses[409] >= 2 and statuses[500] and statuses[429]
    assert line_api.violations == []


QUICK_DELAY = 0.7


def test_the_monthly_limit_fails_at_once_instead_of_retrying(add_residents, plan, send, line_api, session):
    """LINE's 429 "You have reached your monthly limit." fails the row with that reason, no retries for a day."""
    [u] = add_residents(1)
    plan([u], personal=True)
    line_api.quota, line_api.consumption = 10, 10
    line_api._enforce_quota = True  # the fake's over-quota answer; this server is shared, so restore it
    try:
        report = send()
    finally:
        line_api._enforce_quota = False
    [row] = rows(session)
    assert (report.failed, report.failures) == (1, Counter({"monthly-limit": 1}))
    assert row.effective_status == DeliveryStatus.FAILED and "monthly limit" in row.last_error


def test_a_delivery_whose_messages_are_gone_fails_with_the_reason(add_residents, plan, send, line_api, factory,
                                                                  session):
    """Content deleted from under a planned row: nothing is sent, the row fails saying why."""
    from push.models import DeliveryContent

    [u] = add_residents(1)
    plan([u], personal=True)
    with factory.begin() as s:
        s.execute(sa.delete(DeliveryContent))
    report = send()
    assert (report.sent, report.failed, line_api.requests) == (0, 1, [])
    [row] = rows(session)
    assert row.effective_status == DeliveryStatus.FAILED and "stored messages missing" in row.last_error


def test_batches_claimed_together_are_marked_in_one_statement(add_residents, plan, send, line_api, factory, session):
    """Four batches claimed in one claim are marked sending by one UPDATE: the statements per claim do not grow
    with the batches in it."""
    users = add_residents(2000)
    plan(users)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE DELIVERY_BATCH"):
            statements.append("claim" if "attempts=" in statement.replace(" ", "") else "finish")

    engine = factory.kw["bind"]
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        report = send(concurrency=4)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert (report.sent, report.multicasts) == (2000, 4)
    assert statements.count("claim") == 1, statements
    assert set(session.scalars(sa.select(DeliveryBatch.status))) == {DeliveryStatus.SENT}
    assert set(session.scalars(sa.select(DeliveryBatch.attempts))) == {1}
    assert received(line_api) == Counter(users)

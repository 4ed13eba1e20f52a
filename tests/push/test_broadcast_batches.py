"""Sending a broadcast's batches, which list their residents instead of one delivery row each: who is left
out, what a retry repeats, what a failure marks, and what is kept afterwards."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from push import broadcasts
from push import quiet
from push import sender
from push.models import DeliveryContent
from push.models import DeliveryStatus
from push.outbox import forget_resident
from push.outbox import purge_finished
from push.outbox import unfinished
from residents import service as residents
from residents.models import Resident
from residents.models import ResidentStatus
from tests.conftest import NOW
from tests.push.helpers import batches
from tests.push.helpers import received
from tests.push.helpers import user

TOKYO = ZoneInfo("Asia/Tokyo")
TEXT = "【緊急】避難指示が出ました。最寄りの避難所へ避難してください。"
MULTICAST = "/v2/bot/message/multicast"


@pytest.fixture
def planned(factory):
    """``count`` consenting residents and an approved emergency broadcast to all of them, planned at ``NOW``;
    returns (broadcast id, LINE user ids)."""

    def plan(count: int) -> tuple[int, list[str]]:
        users = [user(n) for n in range(count)]
        with factory.begin() as session:
            session.execute(sa.insert(Resident), [
                {"line_user_id": u, "status": ResidentStatus.ACTIVE, "consent_at": NOW} for u in users])
            created = broadcasts.create(session, text=TEXT, segment="all", scheduled_at=NOW, now=NOW,
                                        emergency=True, created_by="田中")
            for name in ("佐藤", "鈴木"):
                broadcasts.approve(session, created.id, name, NOW)
            broadcast_id = created.id
        [outcome] = broadcasts.plan_broadcasts(factory, NOW, timezone=TOKYO)
        assert outcome.started and outcome.reach == count
        return broadcast_id, users

    return plan


def unfollow(factory, line_user_id: str) -> None:
    with factory.begin() as session:
        residents.block(session, line_user_id, NOW)


def stop_push(factory, line_user_id: str) -> None:
    with factory.begin() as session:
        residents.withdraw_consent(session, line_user_id)


def delete_data(factory, line_user_id: str) -> None:
    with factory.begin() as session:
        residents.delete_data(session, line_user_id, secret="s")


@pytest.mark.parametrize(("leave", "reason"), [(unfollow, "resident-blocked"), (stop_push, "resident-no-consent"),
                                               (delete_data, "resident-unknown")])
def test_a_resident_who_leaves_before_the_first_attempt_is_left_out(planned, factory, send, line_api, leave, reason):
    """A resident who unfollows, stops pushes or deletes their data after planning gets nothing; the others
    get the multicast, and the one left out is counted with the reason."""
    _, users = planned(3)
    leave(factory, users[1])
    report = send()
    assert (report.sent, report.skipped) == (2, Counter({reason: 1}))
    assert received(line_api) == Counter([users[0], users[2]])


def test_an_emergency_broadcast_is_sent_during_quiet_hours(planned, send, line_api):
    """At 23:00 local, with quiet hours on, the emergency broadcast's batch is claimed and sent (by its kind)."""
    _, users = planned(2)
    night = (datetime(2026, 11, 20, 23, 0, tzinfo=TOKYO) - NOW) / timedelta(minutes=1)
    assert send(night, quiet=quiet.parse("21:00-08:00"), timezone=TOKYO).sent == 2
    assert received(line_api) == Counter(users)


def test_a_batch_whose_residents_all_left_is_cancelled_without_a_request(planned, factory, send, line_api, session):
    """When nobody listed may still be sent to, the batch ends cancelled and LINE is not asked."""
    broadcast_id, users = planned(2)
    for line_user_id in users:
        unfollow(factory, line_user_id)
    assert send().requests == 0
    assert [(batch.status, batch.last_error) for batch in batches(session, broadcast_id)] == [
        (DeliveryStatus.CANCELLED, "no-recipients")]


def test_a_retry_repeats_the_first_request_even_to_a_resident_who_left_since(planned, factory, send, line_api):
    """After a 500, the retry goes to the same recipients with the same key and body, including a resident
    who unfollowed in between (LINE may have accepted the first request)."""
    _, users = planned(3)
    line_api.fail_next(500, path=MULTICAST)
    assert send().retried == 3
    unfollow(factory, users[0])
    assert send(minutes=2).sent == 3
    first, second = [r for r in line_api.requests if r.path == MULTICAST]
    assert (first.status, second.status) == (500, 200)
    assert first.json == second.json and first.json["to"] == users
    assert first.headers["X-Line-Retry-Key"] == second.headers["X-Line-Retry-Key"]
    assert line_api.violations == []


def test_a_4xx_fails_that_batch_alone(planned, send, line_api, session):
    """A 400 for one batch marks its 500 recipients failed, with the reason; the other batch is sent."""
    broadcast_id, _ = planned(700)
    line_api.fail_next(400, path=MULTICAST)
    report = send()
    assert (report.failed, report.sent) == (500, 200)
    assert broadcasts.delivery_counts(session, broadcast_id) == {"failed": 500, "sent": 200}
    [failed] = [batch for batch in batches(session, broadcast_id) if batch.status == DeliveryStatus.FAILED]
    assert "400" in failed.last_error
    assert send(minutes=120).requests == 0


def test_a_finished_batch_keeps_no_line_user_id(planned, send, session):
    """Once sent, a batch keeps the residents' ids and its count, but none of their LINE user ids."""
    broadcast_id, _ = planned(3)
    send()
    [batch] = batches(session, broadcast_id)
    assert (batch.status, batch.size, batch.recipients) == (DeliveryStatus.SENT, 3, None)


def test_a_tried_batch_that_left_someone_out_keeps_its_recipients_while_it_may_be_retried(
        planned, factory, send, line_api, session):
    """After a 500, a batch whose first request left out a resident holds the LINE user ids of that request."""
    broadcast_id, users = planned(3)
    unfollow(factory, users[1])
    line_api.fail_next(500, path=MULTICAST)
    send()
    [batch] = batches(session, broadcast_id)
    assert (batch.status, batch.recipients, batch.size) == (DeliveryStatus.PENDING, f"{users[0]},{users[2]}", 2)


def test_a_retry_of_a_batch_that_left_someone_out_repeats_its_first_request(planned, factory, send, line_api):
    """The retry goes to the recipients of the first request, neither to the resident left out, who follows
    again, nor without the one who unfollowed after it."""
    _, users = planned(3)
    unfollow(factory, users[1])
    line_api.fail_next(500, path=MULTICAST)
    send()
    with factory.begin() as session:
        residents.follow(session, users[1], NOW)
    unfollow(factory, users[2])
    assert send(minutes=2).sent == 2
    first, second = [r for r in line_api.requests if r.path == MULTICAST]
    assert first.json == second.json and first.json["to"] == [users[0], users[2]]


def test_a_tried_batch_sent_to_every_listed_resident_writes_no_line_user_id(planned, send, line_api, session):
    """After a 500, a batch whose first request went to every listed resident holds no LINE user id: its
    retry reads them again by resident id."""
    broadcast_id, _ = planned(2)
    line_api.fail_next(500, path=MULTICAST)
    send()
    [batch] = batches(session, broadcast_id)
    assert (batch.status, batch.attempts, batch.recipients, batch.size) == (DeliveryStatus.PENDING, 1, None, 2)


def test_a_retry_leaves_out_a_resident_whose_data_was_deleted_since(planned, factory, send, line_api):
    """A resident who deletes their data between the first request and its retry is no longer known: the
    retry goes to the others, under the same key."""
    _, users = planned(3)
    line_api.fail_next(500, path=MULTICAST)
    send()
    delete_data(factory, users[1])
    assert send(minutes=2).sent == 2
    first, second = [r for r in line_api.requests if r.path == MULTICAST]
    assert (first.json["to"], second.json["to"]) == (users, [users[0], users[2]])
    assert first.headers["X-Line-Retry-Key"] == second.headers["X-Line-Retry-Key"]


def test_a_released_batch_reads_its_residents_again(planned, factory, send, line_api):
    """A batch claimed but never tried (its lease ran out) leaves out, on its real first attempt, a resident who
    unfollowed meanwhile."""
    _, users = planned(2)
    assert send(line=object(), lease=timedelta(0)).released == 2
    unfollow(factory, users[0])
    assert send(minutes=1).sent == 1
    assert received(line_api) == Counter([users[1]])


def test_cancelling_the_broadcast_cancels_its_untried_batches(planned, factory, send, line_api, session):
    """A broadcast cancelled after one batch was sent cancels the untried ones, counted in recipients."""
    broadcast_id, _ = planned(1_200)
    assert send(limit=500).sent == 500
    with factory.begin() as s:
        assert broadcasts.cancel(s, broadcast_id, NOW) == 700
    assert send().requests == 0
    assert broadcasts.delivery_counts(session, broadcast_id) == {"sent": 500, "cancelled": 700}


def test_recipients_waiting_in_batches_count_as_unfinished(planned, factory):
    """The quota check counts a planned broadcast's recipients as messages still to go."""
    planned(3)
    with factory() as session:
        assert unfinished(session) == 3


def test_the_broadcast_is_done_once_its_batches_are_finished(planned, factory, send):
    """After its batches are sent, the next planning run marks the broadcast done."""
    broadcast_id, _ = planned(3)
    send()
    broadcasts.plan_broadcasts(factory, NOW + timedelta(minutes=1), timezone=TOKYO)
    with factory() as session:
        assert session.get(broadcasts.Broadcast, broadcast_id).status == broadcasts.BroadcastStatus.DONE


def test_the_content_of_a_waiting_batch_survives_a_purge_and_a_data_deletion(planned, factory, send, session):
    """Content used only by batches (no delivery row) is not deleted as unused, so the batch still goes out."""
    _, users = planned(2)
    with factory.begin() as s:
        forget_resident(s, users[0])
    purge_finished(factory, NOW + timedelta(days=60))
    assert session.scalar(sa.select(sa.func.count()).select_from(DeliveryContent)) == 1
    assert send().sent == 2


def test_finished_batches_are_purged_after_the_keeping_period(planned, factory, send, session):
    """A sent batch goes with the purge once it is older than the cut-off, counted in recipients, not before."""
    broadcast_id, _ = planned(3)
    send()
    assert purge_finished(factory, NOW - timedelta(minutes=1)) == 0
    assert purge_finished(factory, NOW + timedelta(minutes=1)) == 3
    assert batches(session, broadcast_id) == []


def test_a_resident_between_two_listed_ones_but_outside_the_segment_gets_nothing(factory, send, line_api):
    """A segment broadcast's batch reads its residents by id range: a resident in that range who is not in
    the segment (another area) is not sent to."""
    users = [user(n) for n in range(3)]
    with factory.begin() as session:
        session.execute(sa.insert(Resident), [
            {"line_user_id": u, "status": ResidentStatus.ACTIVE, "consent_at": NOW, "area": area}
            for u, area in zip(users, ("大町", "港町", "大町"), strict=True)])
        created = broadcasts.create(session, text=TEXT, segment="area:大町", scheduled_at=NOW, now=NOW,
                                    created_by="田中")
        broadcasts.approve(session, created.id, "佐藤", NOW)
    broadcasts.plan_broadcasts(factory, NOW, timezone=TOKYO)
    report = send()
    assert (report.sent, report.skipped) == (2, Counter())
    assert received(line_api) == Counter([users[0], users[2]])


def test_batches_read_together_each_go_to_their_own_residents(planned, send, line_api, monkeypatch):
    """A claim reads the residents of several batches at once (on SQLite, two per statement here): each
    multicast still goes to the residents its batch lists, in order."""
    monkeypatch.setattr(sender, "SQLITE_RANGES", 2)
    _, users = planned(1_100)
    assert send().multicasts == 3
    assert [request.json["to"] for request in line_api.requests if request.path == MULTICAST] == [
        users[:500], users[500:1_000], users[1_000:]]

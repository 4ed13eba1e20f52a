"""Putting deliveries into the outbox: idempotent keys, fixed retry keys, cancelling and content hashes."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from push.models import Delivery
from push.models import DeliveryStatus
from push.outbox import PlannedDelivery
from push.outbox import cancel_for_resident
from push.outbox import cancel_queued
from push.outbox import content_hash
from push.outbox import enqueue
from push.outbox import forget_resident
from push.outbox import tag_text
from tests.conftest import NOW
from tests.push.helpers import TEXT
from tests.push.helpers import rows
from tests.push.helpers import user


def test_the_same_key_twice_adds_one_row(plan, session):
    """Planning the same deliveries again adds nothing."""
    assert plan([user(1), user(2)]) == 2
    assert plan([user(1), user(2), user(3)]) == 1
    assert [row.line_user_id for row in rows(session)] == [user(1), user(2), user(3)]


def test_the_retry_key_is_fixed_when_planned(plan, session):
    """A second plan of the same key keeps the first retry key."""
    plan([user(1)])
    first = rows(session)[0].retry_key
    plan([user(1)])
    assert rows(session)[0].retry_key == first


def test_two_planners_at_once_add_each_key_once(factory, session):
    """Two processes planning the same 300 keys at the same time add 300 rows in all."""
    items = [PlannedDelivery(f"race:{user(n)}", user(n), "race", TEXT, NOW) for n in range(300)]
    added, start = [], threading.Barrier(2)

    def planner():
        start.wait()
        with factory.begin() as s:
            added.append(enqueue(s, items))

    threads = [threading.Thread(target=planner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(added) == 300
    assert session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 300


def test_identical_messages_share_a_content_hash_whatever_the_key_order():
    """Dict key order does not change the hash; different text does."""
    assert content_hash([{"type": "text", "text": "a"}]) == content_hash([{"text": "a", "type": "text"}])
    assert content_hash([{"type": "text", "text": "a"}]) != content_hash([{"type": "text", "text": "b"}])


def test_a_new_row_is_due_at_its_send_after(plan, session):
    """A planned row is pending, untried, and first due at its send_after."""
    plan([user(1)], send_after=NOW + timedelta(hours=6))
    [row] = rows(session)
    assert (row.effective_status, row.attempts, row.next_attempt_at) == (DeliveryStatus.PENDING, 0, NOW + timedelta(hours=6))


def test_cancelling_a_resident_touches_only_their_pending_rows(factory, plan, session):
    """配信停止 cancels the resident's pending rows with the reason, not other residents' or sent ones."""
    plan([user(1), user(2)])
    plan([user(1)], kind="sent-before")
    with factory.begin() as s:
        s.execute(sa.update(Delivery).where(Delivery.kind == "sent-before").values(status=DeliveryStatus.SENT))
    with factory.begin() as s:
        assert cancel_for_resident(s, user(1), reason="配信停止") == 1
    assert [(row.line_user_id, row.kind, row.effective_status, row.last_error) for row in rows(session)] == [
        (user(1), "test", DeliveryStatus.CANCELLED, "配信停止"),
        (user(2), "test", DeliveryStatus.PENDING, None),
        (user(1), "sent-before", DeliveryStatus.SENT, None),
    ]


def put_tagged(factory, *rows_: tuple[str, str | None, str | None]) -> None:
    """Queue one row for user(1) per (key, category, tags)."""
    with factory.begin() as s:
        enqueue(s, [PlannedDelivery(key=key, line_user_id=user(1), kind="lifestage", messages=TEXT,
                                    send_after=NOW, category=category, tags=tags) for key, category, tags in rows_])


def pending_keys(session) -> list[str]:
    return [row.key for row in rows(session) if row.effective_status == DeliveryStatus.PENDING]


def test_cancelling_by_key_part_matches_a_whole_part_only(factory, session):
    """key_part "child-7" cancels child 7's rows and not child 70's."""
    put_tagged(factory, ("lifestage:r:child-7:2026-11-20", None, None), ("lifestage:r:child-70:2026-11-20", None, None))
    with factory.begin() as s:
        assert cancel_queued(s, user(1), key_part="child-7", reason="child-removed") == 1
    assert pending_keys(session) == ["lifestage:r:child-70:2026-11-20"]


def test_cancelling_by_tag_matches_whole_labels_without_wildcards(factory, session):
    """A tag matches a whole label: "ごみ" is not "燃やせるごみ", and "%" is no wildcard."""
    put_tagged(factory, ("a", None, tag_text(["燃やせるごみ", "缶"])), ("b", None, tag_text(["ごみ"])))
    with factory.begin() as s:
        assert cancel_queued(s, user(1), tags=["%"]) == 0
        assert cancel_queued(s, user(1), tags=["ごみ"]) == 1
    assert pending_keys(session) == ["a"]


def test_cancelling_by_category_leaves_other_categories_and_untagged_rows(factory, session):
    """category="子育て" cancels the 子育て row only."""
    put_tagged(factory, ("a", "子育て", None), ("b", "健康", None), ("c", None, None))
    with factory.begin() as s:
        assert cancel_queued(s, user(1), category="子育て") == 1
    assert pending_keys(session) == ["b", "c"]


def test_forgetting_a_resident_deletes_their_rows(factory, plan, session):
    """データ削除 removes every row of the resident that no worker is sending."""
    plan([user(1), user(2)])
    with factory.begin() as s:
        assert forget_resident(s, user(1)) == 1
    assert [row.line_user_id for row in rows(session)] == [user(2)]


def test_finished_rows_are_purged_after_the_keeping_period(factory, plan, session):
    """Sent, failed and cancelled rows due before the cut-off go; pending rows and newer ones stay."""
    from push.outbox import purge_finished

    plan([user(1), user(2), user(3)])
    with factory.begin() as s:
        s.execute(sa.update(Delivery).where(Delivery.line_user_id == user(1)).values(status=DeliveryStatus.SENT))
        s.execute(sa.update(Delivery).where(Delivery.line_user_id == user(2)).values(status=DeliveryStatus.FAILED))
    assert purge_finished(factory, NOW - timedelta(minutes=2)) == 0  # the rows are due a minute before NOW
    assert purge_finished(factory, NOW) == 2
    assert [(row.line_user_id, row.effective_status) for row in rows(session)] == [(user(3), DeliveryStatus.PENDING)]


def batches_of(session) -> list[list[str]]:
    """The recipients of each batch, in batch order."""
    groups: dict[int, list[str]] = {}
    for row in rows(session):
        if row.batch_id is not None:
            groups.setdefault(row.batch_id, []).append(row.line_user_id)
    return [groups[key] for key in sorted(groups)]


def test_identical_content_is_planned_into_batches_of_500(plan, session):
    """1,001 residents with the same message: batches of 500, 500 and 1, fixed when planned."""
    users = [user(n) for n in range(1001)]
    plan(users)
    assert [len(group) for group in batches_of(session)] == [500, 500, 1]
    assert [u for group in batches_of(session) for u in group] == users


def test_personal_content_is_not_batched(plan, session):
    """Personal rows are pushed alone: no batch."""
    plan([user(1), user(2)], personal=True)
    assert [row.batch_id for row in rows(session)] == [None, None]


def test_a_resident_is_at_most_once_in_a_batch(factory, session):
    """Two rows of one resident with the same content go into two batches."""
    items = [PlannedDelivery(f"twice:{n}", user(1), "test", TEXT, NOW) for n in range(2)]
    items.append(PlannedDelivery("other", user(2), "test", TEXT, NOW))
    with factory.begin() as s:
        enqueue(s, items)
    assert sorted(batches_of(session)) == sorted([[user(1), user(2)], [user(1)]])


def test_planning_again_adds_no_batch(plan, session):
    """A second plan of the same keys adds neither rows nor batches."""
    from push.models import DeliveryBatch

    plan([user(1), user(2)])
    plan([user(1), user(2)])
    assert session.scalar(sa.select(sa.func.count()).select_from(DeliveryBatch)) == 1


def test_unfinished_counts_waiting_rows_alone_and_in_open_batches(factory, plan, session):
    """Rows pending alone and rows of open batches count; finished ones do not."""
    from push.models import DeliveryBatch
    from push.outbox import unfinished

    plan([user(1), user(2)])
    plan([user(3)], personal=True, kind="personal")
    with factory.begin() as s:
        assert unfinished(s) == 3
        assert unfinished(s, key_prefix="personal:") == 1
        s.execute(sa.update(DeliveryBatch).values(status=DeliveryStatus.SENT))
        assert unfinished(s) == 1


def test_cancelling_waits_for_a_claim_in_progress_and_then_spares_the_batch(database_url, factory, plan, session):
    """PostgreSQL: a resident cancelling while a worker claims their batch waits, then leaves the row in it."""
    import pytest

    from push.models import DeliveryBatch

    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL); SQLite runs one writer at a time")
    plan([user(1), user(2)])
    claimed, cancelled = threading.Event(), []
    with factory.begin() as worker:
        batch = worker.scalars(sa.select(DeliveryBatch).with_for_update(skip_locked=True)).one()
        batch.attempts, batch.status = 1, DeliveryStatus.SENDING
        worker.flush()

        def resident():
            claimed.wait()
            with factory.begin() as s:
                cancelled.append(cancel_for_resident(s, user(1)))

        thread = threading.Thread(target=resident)
        thread.start()
        claimed.set()
        thread.join(0.5)
        assert thread.is_alive()  # waiting for the worker's claim to commit
    thread.join(5)
    assert cancelled == [0]
    assert [row.status for row in rows(session)] == [DeliveryStatus.PENDING] * 2  # not cancelled: still in the batch


def test_rows_of_a_sent_batch_are_sent_and_purged_with_it(factory, plan, session):
    """A batch marked sent makes its rows sent (through the batch); the purge deletes them and the batch."""
    from push.models import DeliveryBatch
    from push.outbox import purge_finished

    plan([user(1), user(2)])
    with factory.begin() as s:
        s.execute(sa.update(DeliveryBatch).values(status=DeliveryStatus.SENT))
    assert [row.effective_status for row in rows(session)] == [DeliveryStatus.SENT] * 2
    assert session.scalar(sa.select(sa.func.count()).select_from(Delivery)
                          .where(Delivery.effective_status == DeliveryStatus.SENT)) == 2
    assert purge_finished(factory, NOW) == 2
    assert rows(session) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(DeliveryBatch)) == 0


def test_the_purge_deletes_in_short_transactions_of_its_own(factory, plan, session):
    """Five sent rows with a chunk of two are deleted in three write transactions, then their batch and
    content each in one more."""
    from push.outbox import purge_finished
    from tests.transactions import write_transactions

    plan([user(n) for n in range(5)])
    with factory.begin() as s:
        s.execute(sa.update(Delivery).values(status=DeliveryStatus.SENT))
    with write_transactions(factory) as committed:
        assert purge_finished(factory, NOW, chunk=2) == 5
    assert len(committed) == 5
    assert rows(session) == []

"""Planning a day in chunks of short transactions: every resident once, resumable, and safe to run twice at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from push import planning
from push.lifestage.rules import default_rules
from push.models import Delivery
from residents import service as residents
from tests.conftest import NOW
from tests.garbage.test_reminders import CATALOG
from tests.push.helpers import user
from tests.transactions import write_transactions

TOKYO = ZoneInfo("Asia/Tokyo")
SUNDAY = date(2026, 11, 29)  # the evening before 大町's burnable-garbage Monday


def register(factory, count: int) -> None:
    """``count`` consenting 大町 residents who want burnable-garbage reminders, each with a child born SUNDAY."""
    with factory.begin() as session:
        for number in range(count):
            residents.set_area(session, user(number), "大町", NOW)
            residents.give_consent(session, user(number), NOW)
            residents.set_reminder_categories(session, user(number), {"燃やせるごみ"}, NOW)
            residents.set_subscription(session, user(number), "子育て", True, NOW)
            residents.add_child(session, user(number), NOW, birth_date=SUNDAY)


def plan(factory, **options) -> planning.PlanReport:
    return planning.plan_day(factory, SUNDAY, catalog=CATALOG, timezone=TOKYO, rules=default_rules(), **options)


def rows_per_user(session, kind: str) -> Counter[str]:
    session.rollback()
    return Counter(session.scalars(sa.select(Delivery.line_user_id).where(Delivery.kind == kind)))


def test_a_day_is_planned_in_a_short_transaction_per_chunk_of_residents(factory, session):
    """Seven residents with a chunk of 3 are planned in three write transactions (3, 3 and 1 residents), each
    resident's reminder and life-stage messages once."""
    register(factory, 7)
    with write_transactions(factory) as committed:
        report = plan(factory, chunk=3)
    assert len(committed) == 3
    reminders, lifestage = rows_per_user(session, planning.GARBAGE_REMINDER), rows_per_user(session, planning.LIFESTAGE)
    assert reminders == Counter({user(n): 1 for n in range(7)})
    assert set(lifestage) == {user(n) for n in range(7)}
    assert report.added == {planning.GARBAGE_REMINDER: 7, planning.LIFESTAGE: sum(lifestage.values())}


def test_a_plan_stopped_half_way_is_completed_by_running_it_again(factory, session, monkeypatch):
    """A plan killed in its second chunk keeps the first chunk; running it again adds only the rest."""
    register(factory, 5)
    real = planning.enqueue_garbage_reminders
    calls = []

    def killed_in_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(planning, "enqueue_garbage_reminders", killed_in_second_chunk)
    with pytest.raises(RuntimeError):
        plan(factory, chunk=2)
    assert rows_per_user(session, planning.GARBAGE_REMINDER) == Counter({user(0): 1, user(1): 1})
    monkeypatch.setattr(planning, "enqueue_garbage_reminders", real)
    report = plan(factory, chunk=2)
    assert (report.planned[planning.GARBAGE_REMINDER], report.added[planning.GARBAGE_REMINDER]) == (5, 3)
    assert rows_per_user(session, planning.GARBAGE_REMINDER) == Counter({user(n): 1 for n in range(5)})


def test_two_processes_planning_the_same_day_add_each_row_once(factory, session):
    """Two planners of one day running at once finish without error, and add every row once between them."""
    register(factory, 9)
    reports, errors = [], []

    def run() -> None:
        try:
            reports.append(plan(factory, chunk=2))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    reminders = rows_per_user(session, planning.GARBAGE_REMINDER)
    assert reminders == Counter({user(n): 1 for n in range(9)})
    assert sum(report.added[planning.GARBAGE_REMINDER] for report in reports) == 9


def reminder_batches(session) -> Counter[int]:
    """How many reminder rows each batch holds."""
    session.rollback()
    return Counter(session.scalars(sa.select(Delivery.batch_id).where(Delivery.kind == planning.GARBAGE_REMINDER)))


def test_the_chunks_fill_one_multicast_while_it_is_due_later(factory, session):
    """Planned well before the evening, an area's reminders from three chunks go in one multicast batch."""
    register(factory, 7)
    plan(factory, chunk=3, now=NOW.replace(year=2026, month=11, day=29, hour=0))  # 09:00 in Tokyo; due 18:00
    assert list(reminder_batches(session).values()) == [7]


def test_a_batch_due_soon_is_not_filled_by_a_later_chunk(factory, session):
    """Planned a few minutes before the batch is due (the sender may take it), each chunk starts its own."""
    register(factory, 7)
    plan(factory, chunk=3, now=NOW.replace(year=2026, month=11, day=29, hour=8, minute=55))  # 17:55 in Tokyo
    assert sorted(reminder_batches(session).values()) == [1, 3, 3]

"""Helpers for the push tests: user ids, outbox rows and what the fake LINE server accepted."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from push.models import Delivery
from push.models import DeliveryBatch
from push.models import split_ids
from push.sender import Backoff
from residents.models import Resident
from tests.fake_line_server import FakeLineApi

QUICK_TIMEOUT = 0.4  # seconds; the fake's delays in these tests are longer
TEXT = [{"type": "text", "text": "明日は燃やせるごみの日です。"}]
BACKOFF = Backoff(base=1.0, cap=60.0)  # a pass a minute later finds every retry due


def user(number: int) -> str:
    """A LINE-like user id."""
    return f"U{number:032x}"


def rows(session) -> list[Delivery]:
    """Every outbox row, fresh from the database, in id order."""
    session.rollback()
    return list(session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def received(line_api: FakeLineApi) -> Counter[str]:
    """How many times each user was sent something that the fake accepted (pushes and multicasts)."""
    counts: Counter[str] = Counter(to for to, _messages, _key in line_api.pushes)
    for recipients, _messages, _key in line_api.multicasts:
        counts.update(recipients)
    return counts


def listed(session, broadcast_id: int) -> Counter[str]:
    """How many times each resident (by LINE user id) is listed in the broadcast's batches."""
    session.rollback()
    ids = Counter(int(value) for text in session.scalars(
        sa.select(DeliveryBatch.resident_ids).where(DeliveryBatch.broadcast_id == broadcast_id))
        for value in split_ids(text))
    users = dict(session.execute(sa.select(Resident.id, Resident.line_user_id).where(Resident.id.in_(list(ids)))).all())
    return Counter({users[resident_id]: count for resident_id, count in ids.items()})


def batches(session, broadcast_id: int) -> list[DeliveryBatch]:
    """The broadcast's batches, fresh from the database, in id order."""
    session.rollback()
    return list(session.scalars(sa.select(DeliveryBatch).where(DeliveryBatch.broadcast_id == broadcast_id)
                                .order_by(DeliveryBatch.id)))

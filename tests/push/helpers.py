"""Helpers for the push tests: user ids, outbox rows and what the fake LINE server accepted."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from push.models import Delivery
from push.sender import Backoff
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

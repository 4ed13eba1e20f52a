"""Fixtures for the push outbox: residents, planned deliveries and a sender pass with fixed randomness."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

import db
from messaging.client import SdkLineClient
from push.outbox import PlannedDelivery
from push.outbox import enqueue
from push.sender import send_due
from residents.models import Resident
from residents.models import ResidentStatus
from tests.conftest import NOW
from tests.fake_line_server import FakeLineApi
from tests.push.helpers import BACKOFF
from tests.push.helpers import QUICK_TIMEOUT
from tests.push.helpers import TEXT
from tests.push.helpers import user


@pytest.fixture
def factory(app):
    """The app's session factory."""
    return db.session_factory(app)


@pytest.fixture
def add_residents(factory):
    """Create residents ``user(0) … user(n-1)`` (active unless told otherwise)."""

    def add(count: int, status: ResidentStatus = ResidentStatus.ACTIVE, start: int = 0) -> list[str]:
        ids = [user(n) for n in range(start, start + count)]
        with factory.begin() as session:
            session.execute(sa.insert(Resident), [{"line_user_id": i, "status": status} for i in ids])
        return ids

    return add


@pytest.fixture
def plan(factory):
    """Put one delivery per user into the outbox, due a minute before ``NOW``."""

    def put(users: list[str], *, messages=None, personal: bool = False, kind: str = "test",
            send_after=NOW - timedelta(minutes=1)) -> int:
        items = [PlannedDelivery(key=f"{kind}:{u}", line_user_id=u, kind=kind,
                                 messages=messages(u) if callable(messages) else (messages or TEXT),
                                 send_after=send_after, personal=personal) for u in users]
        with factory.begin() as session:
            return enqueue(session, items)

    return put


@pytest.fixture
def quick_client(line_api: FakeLineApi) -> Iterator[SdkLineClient]:
    """An SdkLineClient with a short timeout, so a delayed answer from the fake is a timeout."""
    with SdkLineClient("dummy-channel-access-token", host=line_api.url, timeout=QUICK_TIMEOUT) as client:
        yield client


@pytest.fixture
def send(factory, sdk_line_client):
    """One send_due pass at ``NOW`` plus ``minutes``, with seeded jitter and no rate limit."""
    rng = random.Random(7)

    def run(minutes: float = 0, *, line=None, **options):
        options.setdefault("backoff", BACKOFF)
        return send_due(factory, line or sdk_line_client, NOW + timedelta(minutes=minutes), rng=rng, **options)

    return run

"""The stores of the shared rate limit, against the real database (SQLite or TEST_DATABASE_URL) and Redis."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis
import sqlalchemy as sa

import db
from push.ratelimit import DatabaseSlots
from push.ratelimit import RedisSlots
from push.ratelimit import from_settings
from settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_client() -> redis.Redis:
    """A client of the machine's Redis, or a skip saying it is not there."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error})")
    return client


def delay(slots, endpoint: str, span: float) -> float:
    """How long after the store's now a new reservation starts."""
    start, now = slots.reserve(endpoint, span)
    return start - now


@pytest.fixture(params=["database", "redis"])
def slots(request):
    """A store of each kind, empty."""
    if request.param == "database":
        app = request.getfixturevalue("app")
        yield DatabaseSlots(db.session_factory(app).kw["bind"])
        return
    client = redis_client()
    prefix = f"test-rate:{uuid.uuid4().hex}:"
    yield RedisSlots(client, prefix=prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_reservations_follow_each_other(slots):
    """The first reservation of an empty schedule starts at the store's now; each next one starts exactly where
    the previous one ended (compared on the store's schedule, so a slow machine changes nothing)."""
    reservations = [slots.reserve("push", 0.2) for _ in range(3)]
    starts = [start for start, _now in reservations]
    assert starts[0] == pytest.approx(reservations[0][1], abs=0.02)  # the store reads its clock twice in one statement
    assert starts[1] - starts[0] == pytest.approx(0.2, abs=1e-6)
    assert starts[2] - starts[1] == pytest.approx(0.2, abs=1e-6)


def test_endpoints_have_separate_schedules(slots):
    """Reserving push time leaves multicast's schedule free."""
    slots.reserve("push", 5.0)
    assert delay(slots, "multicast", 0.1) == pytest.approx(0.0, abs=0.02)


def test_time_passed_is_not_saved_up(slots):
    """After the schedule ran out, a reservation starts at the store's now, not where the schedule stopped;
    the next one follows it."""
    first, _now = slots.reserve("push", 0.05)
    time.sleep(0.15)
    start, now = slots.reserve("push", 0.05)
    assert start == pytest.approx(now, abs=0.02) and start >= first + 0.15  # now: read twice in one statement
    following, _now = slots.reserve("push", 0.05)
    assert following - start == pytest.approx(0.05, abs=1e-6)


def test_a_lead_starts_the_reservation_that_far_after_now(slots):
    """With a lead of 0.5 s an empty schedule is reserved from half a second after the store's now; a schedule
    already reserved further ahead than that is followed as usual."""
    start, now = slots.reserve("push", 0.1, 0.5)
    assert start - now == pytest.approx(0.5, abs=0.02)
    following, _now = slots.reserve("push", 0.1, 0.2)
    assert following - start == pytest.approx(0.1, abs=1e-6)


def test_concurrent_reservations_never_overlap(slots):
    """Eight threads reserving at once get eight spans one after the other, none shared."""
    starts: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def reserve():
        barrier.wait()
        start, _now = slots.reserve("multicast", 0.5)
        with lock:
            starts.append(start)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gaps = [b - a for a, b in zip(sorted(starts), sorted(starts)[1:], strict=False)]
    assert all(gap == pytest.approx(0.5, abs=0.05) for gap in gaps)


def test_the_database_store_keeps_one_row_per_endpoint(app, session):
    """Many reservations leave one row per endpoint, its next free slot in the future."""
    slots = DatabaseSlots(db.session_factory(app).kw["bind"])
    for _ in range(5):
        slots.reserve("push", 0.1)
    slots.reserve("multicast", 0.1)
    rows = dict(session.execute(sa.text("SELECT endpoint, next_at FROM rate_limit_slot")).all())
    assert set(rows) == {"push", "multicast"}
    assert rows["push"] > time.time() + 0.3


def test_a_redis_key_expires_after_its_schedule():
    """Redis forgets an endpoint's schedule about a second after it ran out, so keys never pile up."""
    client = redis_client()
    prefix = f"test-rate:{uuid.uuid4().hex}:"
    RedisSlots(client, prefix=prefix).reserve("push", 0.5)
    assert 1000 < client.pttl(f"{prefix}push") <= 1600


def test_an_unreachable_redis_raises():
    """With Redis down, reserving raises instead of letting a request through."""
    slots = RedisSlots.from_url("redis://127.0.0.1:1/0")
    with pytest.raises(redis.ConnectionError):
        slots.reserve("push", 0.1)


def test_the_settings_choose_the_store(app):
    """Without RATE_LIMIT_REDIS_URL the limit goes through the database, with it through Redis."""
    engine = db.session_factory(app).kw["bind"]
    by_database = from_settings(Settings(), engine)
    by_redis = from_settings(Settings(rate_limit_redis_url=REDIS_URL), engine)
    assert isinstance(by_database._buckets["push"]._store, DatabaseSlots)
    assert isinstance(by_redis._buckets["multicast"]._store, RedisSlots)

"""The client-side token buckets, on a fake clock."""

from __future__ import annotations

import pytest

from push.ratelimit import RateLimiter
from push.ratelimit import TokenBucket


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_goes_out_at_once_then_requests_are_spaced():
    """With 10 per second, ten requests pass at once and the eleventh waits a tenth of a second."""
    time = FakeTime()
    bucket = TokenBucket(10, clock=time.clock, sleep=time.sleep)
    waits = [bucket.acquire() for _ in range(11)]
    assert waits[:10] == [0.0] * 10
    assert waits[10] == pytest.approx(0.1)


def test_idle_time_refills_the_bucket_up_to_its_burst():
    """After a long pause only a burst's worth of requests passes without waiting."""
    time = FakeTime()
    bucket = TokenBucket(2, burst=3, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        bucket.acquire()
    time.now += 100
    assert [bucket.acquire() for _ in range(4)][:3] == [0.0] * 3
    assert time.slept == [pytest.approx(0.5)]


def test_endpoints_have_separate_buckets():
    """Using up the push bucket does not slow multicasts down; an unknown endpoint is not limited."""
    time = FakeTime()
    limiter = RateLimiter.per_second(push=1, multicast=1, clock=time.clock, sleep=time.sleep)
    limiter.acquire("push")
    assert limiter.acquire("multicast") == 0.0
    assert limiter.acquire("broadcast") == 0.0
    assert limiter.acquire("push") == pytest.approx(1.0)

"""The client-side rate limits on a fake clock: in-process token buckets, and buckets shared through a store."""

from __future__ import annotations

import pytest

from push.ratelimit import SLACK
from push.ratelimit import RateLimiter
from push.ratelimit import SharedBucket
from push.ratelimit import TokenBucket
from tests.fake_line_server import busiest_second


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


# --- the limit shared by every process --------------------------------------------------------------


class FakeSlots:
    """A store of next free slots on the fake clock, as the database and Redis keep them."""

    def __init__(self, time: FakeTime):
        self.time = time
        self.next_at: dict[str, float] = {}
        self.spans: list[float] = []
        self.broken = False
        self.skew = 0.0  # the store's clock minus the process's
        self.lag = 0.0  # seconds between the store reading its clock and the process getting the answer

    def reserve(self, endpoint: str, span: float, lead: float = 0.0) -> tuple[float, float]:
        if self.broken:
            raise ConnectionError("store unreachable")
        now = self.time.now + self.skew
        start = max(self.next_at.get(endpoint, 0.0), now + lead)
        self.next_at[endpoint] = start + span
        self.spans.append(span)
        self.time.now += self.lag
        return start, now


def shared(time: FakeTime, store: FakeSlots, rate: float, **options) -> SharedBucket:
    return SharedBucket(store, "push", rate, clock=time.clock, sleep=time.sleep, **options)


def test_processes_sharing_a_store_never_exceed_the_limit_in_any_second():
    """Three buckets on one store, taking turns: their requests together stay within the rate in every
    sliding second, spaced by at least (1 + slack) / rate."""
    time = FakeTime()
    store = FakeSlots(time)
    buckets = [shared(time, store, 100) for _ in range(3)]
    sent = []
    for n in range(600):
        buckets[n % 3].acquire()
        sent.append(time.now)
    assert busiest_second(sent) <= 100
    gaps = [b - a for a, b in zip(sorted(sent), sorted(sent)[1:], strict=False)]
    assert min(gaps) >= (1 + SLACK) / 100 - 1e-9


def test_a_busy_sender_uses_the_whole_rate_but_its_slack():
    """Sending all the time, a process reaches the rate less the slack (blocks follow each other closely)."""
    time = FakeTime()
    store = FakeSlots(time)
    bucket = shared(time, store, 200)
    for _ in range(2000):
        bucket.acquire()
    assert 2000 / time.now == pytest.approx(200 / (1 + SLACK), rel=0.02)


def test_blocks_grow_while_a_process_uses_them_so_the_store_is_rarely_asked():
    """At 2,000 per second a busy process asks the store about once per 100 ms of slots, not per request."""
    time = FakeTime()
    store = FakeSlots(time)
    bucket = shared(time, store, 2000)
    for _ in range(2000):
        bucket.acquire()
    assert bucket.max_block == 181  # 0.1 s of slots spaced 1.1 / 2,000 s apart
    assert bucket.reservations <= 2000 / bucket.max_block + 8


def test_an_idle_process_reserves_small_blocks_again():
    """A process that used one slot of its last block asks for two next, leaving the rest to others."""
    time = FakeTime()
    store = FakeSlots(time)
    bucket = shared(time, store, 1000)
    for _ in range(200):
        bucket.acquire()
    assert store.spans[-1] == pytest.approx(bucket.max_block * bucket.interval)
    time.now += 10
    bucket.acquire()
    time.now += 10
    bucket.acquire()
    assert store.spans[-1] == pytest.approx(2 * bucket.interval)


def test_slots_are_not_saved_up_while_idle():
    """After a pause, requests are spaced again at once: unused slots of the past are skipped, not a burst."""
    time = FakeTime()
    store = FakeSlots(time)
    bucket = shared(time, store, 10)
    for _ in range(20):
        bucket.acquire()
    time.now += 5
    sent = []
    for _ in range(5):
        bucket.acquire()
        sent.append(time.now)
    assert sent[-1] - sent[0] == pytest.approx(4 * (1 + SLACK) / 10)


def test_a_slot_taken_by_another_process_makes_this_one_wait():
    """When another process holds the next second of the schedule, this one sleeps until it has passed."""
    time = FakeTime()
    store = FakeSlots(time)
    store.next_at["push"] = 1.0
    assert shared(time, store, 10).acquire() == pytest.approx(1.0)
    assert store.next_at["push"] > 1.0


def test_a_store_that_fails_lets_no_request_through_and_is_asked_again_later():
    """acquire raises while the store is unreachable (no request without a slot) and works once it is back."""
    time = FakeTime()
    store = FakeSlots(time)
    bucket = shared(time, store, 10)
    store.broken = True
    with pytest.raises(ConnectionError):
        bucket.acquire()
    store.broken = False
    assert bucket.acquire() == 0.0
    assert store.next_at["push"] > 0


def test_the_shared_limiter_keeps_each_endpoint_on_its_own_schedule():
    """Push and multicast have separate schedules in the store; an endpoint without one is not limited."""
    time = FakeTime()
    store = FakeSlots(time)
    limiter = RateLimiter.shared(store, push=1, multicast=1, clock=time.clock, sleep=time.sleep)
    limiter.acquire("push")
    assert limiter.acquire("multicast") == 0.0
    assert limiter.acquire("broadcast") == 0.0
    assert limiter.acquire("push") == pytest.approx(1 + SLACK)
    assert set(store.next_at) == {"push", "multicast"}


@pytest.mark.parametrize("rate", [0, -5])
def test_a_shared_bucket_needs_a_positive_rate(rate):
    """A zero or negative rate is refused when the limiter is built, not at the first send."""
    with pytest.raises(ValueError):
        SharedBucket(FakeSlots(FakeTime()), "push", rate)


def test_the_busiest_second_counts_sliding_windows():
    """Two requests 0.9 s apart share a second even when they fall in different calendar seconds."""
    assert busiest_second([0.5, 1.4, 2.45]) == 2
    assert busiest_second([0.0, 1.0, 2.0]) == 1
    assert busiest_second([]) == 0


def test_a_block_used_up_is_followed_by_the_next_reserved_ahead():
    """Handing out the last slot of a block that was wholly wanted reserves the next block at once, before
    anyone waits for it."""
    time = FakeTime()
    store = FakeSlots(time)
    bucket = shared(time, store, 1000)
    for _ in range(3):  # a block of one slot, then a block of two, used up
        bucket.acquire()
    assert store.spans == [pytest.approx(n * bucket.interval) for n in (1, 2, 4)]


def test_a_store_clock_far_off_and_a_slow_answer_do_not_move_the_slots():
    """With the store's clock 1,000 s ahead, a block is placed where the store put it, even when its answer
    came slowly: the offset measured on a quick round trip is kept."""
    time = FakeTime()
    store = FakeSlots(time)
    store.skew = 1000.0
    bucket = shared(time, store, 10)
    bucket.acquire()  # a quick round trip: the offset is measured
    store.next_at["push"] = time.now + 1000.0 + 2.0  # another process holds the next two seconds
    store.lag = 0.5
    waited = bucket.acquire()
    assert waited == pytest.approx(1.5)  # answered at 0.5, slept until 2.0: the slot the store gave


class OversleepingTime(FakeTime):
    """A fake clock whose sleeps end ``late`` seconds after they should, one after another (0: on time)."""

    def __init__(self, late: list[float]):
        super().__init__()
        self.late = late

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds + (self.late.pop(0) if self.late else 0.0))


def test_a_caller_that_wakes_late_lets_its_slot_go_and_sends_at_another():
    """Woken 0.3 s after its slot (descheduled), a caller does not send then, bunched with the requests of the
    slots after it: it takes a new slot from the store and returns at that slot."""
    time = OversleepingTime(late=[0.3])
    store = FakeSlots(time)
    bucket = shared(time, store, 10)
    bucket.acquire()  # the first slot, now: no sleep
    bucket.acquire()  # sleeps until the next slot and wakes 0.3 s late
    assert bucket.missed == 1
    assert time.now == pytest.approx(store.next_at["push"] - bucket.interval)  # the start of the last slot given


def test_a_block_that_arrives_after_it_began_is_not_moved_onto_the_next_one():
    """A block whose answer came 0.3 s late is let go, not shifted to the answer's time, where it would
    overlap the block another process reserved after it: slots of the two processes stay an interval apart."""
    time = FakeTime()
    store = FakeSlots(time)
    slow, quick = shared(time, store, 10), shared(time, store, 10)
    sent = []
    slow.acquire()  # a quick round trip: the offset to the store's clock is known
    sent.append(time.now)
    store.lag = 0.3
    slow.acquire()
    sent.append(time.now)
    store.lag = 0.0
    for _ in range(3):
        quick.acquire()
        sent.append(time.now)
    gaps = [b - a for a, b in zip(sorted(sent), sorted(sent)[1:], strict=False)]
    assert min(gaps) >= slow.interval - 1e-9


def test_after_a_slow_answer_the_next_block_is_reserved_far_enough_ahead():
    """When the store answers later than a slot may be late, the block is let go and the next one is reserved
    that far ahead, so the request still goes at a slot of its own (no endless asking)."""
    time = FakeTime()
    store = FakeSlots(time)
    store.lag = 0.3
    bucket = shared(time, store, 10)
    for _ in range(3):
        bucket.acquire()
    assert bucket.reservations <= 5

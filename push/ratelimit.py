"""Client-side rate limits per Messaging API endpoint, in one process or shared by every sending process.

LINE counts its limits per channel and endpoint (shared/notes/line-platform.md §4) and answers 429 when
one is exceeded; the sender waits here before each request instead (``RateLimiter.acquire(endpoint)``).

* ``TokenBucket``: a limit kept in this process alone (tests, benchmarks, a single sender).
* ``SharedBucket``: a limit shared by every process and host that sends for the channel. The schedule of
  each endpoint is one shared number, the time of its next free slot, kept in a ``SlotStore``: the
  database (``DatabaseSlots``, table ``rate_limit_slot``) or Redis (``RedisSlots``, where
  ``RATE_LIMIT_REDIS_URL`` is set). A process reserves a block of consecutive slots in one atomic
  update (one short transaction, or one Lua script), then hands them to its own threads, each sleeping
  until its slot. Blocks grow to ``BLOCK_SECONDS`` of slots while a process uses all it reserved (the
  next block is then reserved as the last slot of the current one is handed out, so the round trip to
  the store overlaps the wait), and shrink when it does not, so busy senders touch the store a few dozen
  times a second whatever the rate, and an idle one does not hold slots others could use.

Slots are spaced ``(1 + SLACK) / rate`` apart, so a request reaching LINE up to ``SLACK`` seconds after
its slot (taken at most ``SLACK / 4`` late, then threads, the network) never makes any one-second window
see more than ``rate`` requests; the cost is ``SLACK`` of the rate (10 %). No slot is
saved up while idle: there is no burst. A block stays where the store put it, even when its answer comes after
it began (its late slots are let go, and the next block is asked for a round trip ahead): moved, it would
overlap the blocks other processes reserved after it. Times come from the store's clock (the database's or Redis's);
each process maps them onto its own clock through the offset measured on its quickest recent round trip
to the store, so the hosts' clocks need not agree and a slow answer does not shift a block.

A store that fails raises from ``acquire``: no request is made without its slot. Clocks and sleeps are
injectable so that tests run without waiting.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Protocol

import redis
import sqlalchemy as sa

from settings import Settings

SLACK = 0.1  # seconds a request may reach LINE after its slot without any second going over the limit
BLOCK_SECONDS = 0.1  # the largest block of slots a process reserves at once, in seconds of the schedule
OFFSET_AGE = 10.0  # seconds after which the offset to the store's clock is measured afresh
ENDPOINTS = ("push", "multicast")


class Bucket(Protocol):
    """One endpoint's limit, as the sender uses it."""

    def acquire(self) -> float:
        """Wait until a request may be made; returns how long it slept."""
        ...


class SlotStore(Protocol):
    """Where the processes that share a limit keep each endpoint's next free slot."""

    def reserve(self, endpoint: str, span: float, lead: float = 0.0) -> tuple[float, float]:
        """Reserve the next ``span`` seconds of ``endpoint``'s schedule, starting no earlier than ``lead``
        seconds from now; returns when they start and the store's time now, both in seconds on the store's
        clock."""
        ...


class TokenBucket:
    """Allows ``rate`` requests per second on average and bursts of up to ``burst`` requests, in this process."""

    def __init__(self, rate: float, burst: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; returns how long it slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


class SharedBucket:
    """One endpoint's limit shared through ``store`` with every other process: slots taken in blocks.

    ``reservations`` counts the blocks reserved (each one round trip to the store); ``missed``, the slots
    let go by callers that woke too late for them.
    """

    def __init__(self, store: SlotStore, endpoint: str, rate: float, *, slack: float = SLACK,
                 block_seconds: float = BLOCK_SECONDS, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.endpoint = endpoint
        self.interval = (1 + slack) / rate
        self.late = slack / 4  # a slot further in the past than this is skipped
        self.max_block = max(1, math.floor(block_seconds / self.interval))
        self.reservations = 0
        self.missed = 0
        self._store = store
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._start = 0.0  # on ``clock``: when the current block's first slot is
        self._size = 0  # slots in the current block
        self._next = 0  # index of its next slot
        self._used = 0  # slots of it handed out
        self._offset = 0.0  # the store's clock minus ``clock``, from the quickest recent round trip
        self._round_trip = math.inf
        self._measured_at = -math.inf
        self._lead = 0.0  # how far ahead of the store's now to reserve: the last round trip that came too late

    def acquire(self) -> float:
        """Wait for this process's next slot, reserving a block first when none is left; returns the wait.

        A caller that wakes more than ``late`` after its slot (the process was descheduled) lets the slot go
        and waits for another: sent then, its request would bunch up with those of the slots after it."""
        waited = 0.0
        while True:
            slot = self._slot()
            wait = max(0.0, slot - self._clock())
            if wait > 0:
                self._sleep(wait)
                waited += wait
            if self._clock() - slot <= self.late:
                return waited
            self.missed += 1

    def _slot(self) -> float:
        """Take this process's next slot (its time on ``clock``), reserving a block first when none is left."""
        with self._lock:
            slot = self._take(self._clock())
            while slot is None:  # a new block starts no earlier than now, unless the clocks' offset moved
                self._reserve()
                slot = self._take(self._clock())
            if self._used == self._size > 1 and slot - self._clock() > self._round_trip:
                # Every slot of the block was wanted: reserve the next one now, while this caller's slot is
                # still further ahead than a round trip, so that the store's answer does not leave the
                # schedule idle (nor make this caller late).
                self._reserve()
            return slot

    def _take(self, now: float) -> float | None:
        """The time of the next slot of the current block that is not too late, or None."""
        due = math.ceil((now - self.late - self._start) / self.interval)
        index = max(self._next, due)
        if index >= self._size:
            return None
        self._next, self._used = index + 1, self._used + 1
        return self._start + index * self.interval

    def _reserve(self) -> None:
        """Reserve the next block: twice what the last one handed out (at least one, at most ``max_block``)."""
        size = min(self.max_block, max(1, 2 * self._used))
        sent = self._clock()
        start, store_now = self._store.reserve(self.endpoint, size * self.interval, self._lead)
        answered = self._clock()
        self.reservations += 1
        # The store's time was read somewhere between sending and the answer: the quicker the round trip, the
        # closer the midpoint. A slow one (a lock waited for, this process descheduled) keeps the last good
        # estimate, which is refreshed every OFFSET_AGE seconds whatever the round trip.
        if answered - sent <= self._round_trip or answered - self._measured_at > OFFSET_AGE:
            self._offset = store_now - (sent + answered) / 2
            self._round_trip, self._measured_at = answered - sent, answered
        # The block stays where the store put it: moved later, it would overlap the blocks reserved after it.
        # When its first slot is already too late (an answer slower than ``late``), those slots are let go
        # by ``_take`` and the next block is reserved a round trip ahead; once answers are quick again, the
        # lead shrinks away.
        self._start = start - self._offset
        self._size, self._next, self._used = size, 0, 0
        if answered - self._start > self.late:
            self._lead = max(self._lead, answered - sent)
        else:
            self._lead = self._lead / 2 if self._lead > self.late else 0.0


class RateLimiter:
    """One bucket per endpoint; an endpoint without a bucket is not limited."""

    def __init__(self, buckets: Mapping[str, Bucket]) -> None:
        self._buckets = dict(buckets)

    @classmethod
    def per_second(cls, *, push: float, multicast: float, clock: Callable[[], float] = time.monotonic,
                   sleep: Callable[[float], None] = time.sleep) -> RateLimiter:
        """In-process buckets for push and multicast at these rates (burst: one second's worth)."""
        return cls({
            "push": TokenBucket(push, clock=clock, sleep=sleep),
            "multicast": TokenBucket(multicast, clock=clock, sleep=sleep),
        })

    @classmethod
    def shared(cls, store: SlotStore, *, push: float, multicast: float, clock: Callable[[], float] = time.monotonic,
               sleep: Callable[[float], None] = time.sleep) -> RateLimiter:
        """Push and multicast limits shared through ``store`` by every process that uses the same store."""
        return cls({endpoint: SharedBucket(store, endpoint, rate, clock=clock, sleep=sleep)
                    for endpoint, rate in (("push", push), ("multicast", multicast))})

    @classmethod
    def unlimited(cls) -> RateLimiter:
        """A limiter that never waits."""
        return cls({})

    def acquire(self, endpoint: str) -> float:
        """Wait for ``endpoint``'s next slot or token; returns how long it slept."""
        bucket = self._buckets.get(endpoint)
        return 0.0 if bucket is None else bucket.acquire()


# --- stores ---------------------------------------------------------------------------------------------


class DatabaseSlots:
    """The schedules in the ``rate_limit_slot`` table: one row per endpoint, updated in one statement.

    On PostgreSQL the database's clock is used, so hosts whose clocks differ still share one schedule;
    SQLite (one host) uses the clock of the process, read once the transaction holds the write lock.
    """

    _POSTGRESQL = sa.text(
        "INSERT INTO rate_limit_slot AS s (endpoint, next_at) "
        "VALUES (:endpoint, extract(epoch FROM clock_timestamp())::float8 + :lead + :span) "
        "ON CONFLICT (endpoint) DO UPDATE "
        "SET next_at = greatest(s.next_at, extract(epoch FROM clock_timestamp())::float8 + :lead) + :span "
        "RETURNING s.next_at - :span, extract(epoch FROM clock_timestamp())::float8"
    )
    _SQLITE = sa.text(
        "INSERT INTO rate_limit_slot (endpoint, next_at) VALUES (:endpoint, :now + :lead + :span) "
        "ON CONFLICT (endpoint) DO UPDATE SET next_at = max(rate_limit_slot.next_at, :now + :lead) + :span "
        "RETURNING next_at - :span"
    )

    def __init__(self, engine: sa.Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock
        self._postgresql = engine.dialect.name == "postgresql"

    def reserve(self, endpoint: str, span: float, lead: float = 0.0) -> tuple[float, float]:
        """Move ``endpoint``'s next free slot ``span`` seconds on from max(itself, now + lead), in one
        transaction."""
        with self._engine.begin() as connection:
            if self._postgresql:
                # A schedule lost in a crash only starts the next one a little early: no need to wait for
                # the commit to reach the disk (the waits would serialize every sender behind the row lock).
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                start, now = connection.execute(self._POSTGRESQL,
                                                {"endpoint": endpoint, "span": span, "lead": lead}).one()
                return start, now
            now = self._clock()  # after BEGIN IMMEDIATE: no other writer can move the schedule meanwhile
            start = connection.execute(self._SQLITE,
                                           {"endpoint": endpoint, "span": span, "now": now, "lead": lead}).scalar_one()
            return start, now


# KEYS[1]: the endpoint's key; ARGV[1]: the span in seconds; ARGV[2]: the lead in seconds. Returns the start and
# Redis's time as text (Lua numbers returned to Redis are cut to integers). The key expires a second after its
# schedule runs out.
_RESERVE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now + tonumber(ARGV[2]))
local after = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', after), 'PX', math.ceil((after - now) * 1000) + 1000)
return {string.format('%.6f', start), string.format('%.6f', now)}
"""


class RedisSlots:
    """The schedules in Redis, one key per endpoint under ``prefix``, moved by one Lua script on Redis's clock.

    Bots that share a Redis server need a database number (or prefix) each: LINE's limits are per channel.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "machi-line:rate:") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_RESERVE_LUA)

    @classmethod
    def from_url(cls, url: str, **options) -> RedisSlots:
        """A store on the Redis server at ``url`` (``redis://host:6379/0``)."""
        return cls(redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0), **options)

    def reserve(self, endpoint: str, span: float, lead: float = 0.0) -> tuple[float, float]:
        """Move ``endpoint``'s next free slot ``span`` seconds on from max(itself, now + lead), atomically."""
        start, now = self._script(keys=[self._prefix + endpoint], args=[repr(span), repr(lead)])
        return float(start), float(now)


def from_settings(settings: Settings, engine: sa.Engine) -> RateLimiter:
    """The limiter every sender of this deployment shares: through Redis if ``RATE_LIMIT_REDIS_URL`` is set,
    else through the database behind ``engine``, at ``PUSH_RATE_PER_SECOND`` and
    ``PUSH_MULTICAST_RATE_PER_SECOND``."""
    store: SlotStore = (RedisSlots.from_url(settings.rate_limit_redis_url) if settings.rate_limit_redis_url
                        else DatabaseSlots(engine))
    return RateLimiter.shared(store, push=settings.push_rate_per_second,
                              multicast=settings.push_multicast_rate_per_second)

"""A client-side rate limit per Messaging API endpoint: one token bucket each for push and multicast.

LINE counts its limits per channel and endpoint (shared/notes/line-platform.md §4) and answers 429 when
one is exceeded; the sender waits here before each request instead. The clock and the sleep are
injectable so that tests run without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Mapping


class TokenBucket:
    """Allows ``rate`` requests per second on average and bursts of up to ``burst`` requests."""

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


class RateLimiter:
    """One token bucket per endpoint; an endpoint without a bucket is not limited."""

    def __init__(self, buckets: Mapping[str, TokenBucket]) -> None:
        self._buckets = dict(buckets)

    @classmethod
    def per_second(cls, *, push: float, multicast: float, clock: Callable[[], float] = time.monotonic,
                   sleep: Callable[[float], None] = time.sleep) -> RateLimiter:
        """Buckets for push and multicast at these rates (burst: one second's worth)."""
        return cls({
            "push": TokenBucket(push, clock=clock, sleep=sleep),
            "multicast": TokenBucket(multicast, clock=clock, sleep=sleep),
        })

    @classmethod
    def unlimited(cls) -> RateLimiter:
        """A limiter that never waits."""
        return cls({})

    def acquire(self, endpoint: str) -> float:
        """Wait for a token of ``endpoint``'s bucket; returns how long it slept."""
        bucket = self._buckets.get(endpoint)
        return 0.0 if bucket is None else bucket.acquire()

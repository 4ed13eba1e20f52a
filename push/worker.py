"""The push worker: plans each local day once, then sends due deliveries until it is told to stop.

Several workers may run at once on PostgreSQL; on SQLite run one. Stopping (SIGTERM or SIGINT, wired by
``push worker``) lets the current request finish, records its outcome and releases what was claimed but
not tried. A worker killed outright stops renewing its claims (see ``push.sender``), so the next one takes
them over once their lease (``PUSH_LEASE_SECONDS``) runs out.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from messaging.client import LineClient
from push.quiet import QuietHours
from push.ratelimit import RateLimiter
from push.sender import DEFAULT_LEASE
from push.sender import Backoff
from push.sender import SendReport
from push.sender import send_due
from runtime import Runtime

log = logging.getLogger(__name__)

PLAN_RETRY = timedelta(minutes=5)  # after a failed plan, try again this much later
BROADCAST_POLL = 0.25  # seconds between looks for due broadcasts (a cheap indexed read)
PLANNING_POLL = 0.05  # seconds an idle sender waits while the broadcast thread is planning (batches are coming)
FINISH_EVERY = timedelta(seconds=15)  # how often sending broadcasts are checked for being done


Pass = Callable[[], int]  # one round of other work; returns how much it did (0: nothing to do)


def register_pass(rt: Runtime, work: Pass) -> None:
    """Have ``push worker`` also run ``work`` on every round (other packages' leftovers, such as the webhook
    inbox's): push/ calls it without knowing what it is, so nothing here imports its package."""
    rt.worker_passes.append(work)


@dataclass
class Worker:
    """Sends what is due, pass after pass, sleeping ``idle`` seconds when a pass found nothing to do.

    ``planner`` (optional) plans one local date into the outbox; it is called once per date.
    ``broadcaster`` (optional) puts broadcasts due at the given time into the outbox, and with ``finish``
    marks those fully sent as done; it runs on a thread of its own, every ``broadcast_poll`` seconds (with
    ``finish`` every ``FINISH_EVERY``), so that planning a broadcast to every resident never holds up
    sending: the batches it commits go out while it plans the rest (an idle sender then looks again every
    ``PLANNING_POLL`` seconds instead of sleeping ``idle``). During ``quiet`` hours only emergency
    deliveries are sent. ``passes`` run every round after sending (see ``register_pass``); the worker idles
    only when they did nothing either.
    """

    session_factory: sessionmaker[Session]
    line: LineClient
    clock: Callable[[], datetime]
    timezone: ZoneInfo
    rate: RateLimiter
    lease: timedelta = DEFAULT_LEASE
    backoff: Backoff = Backoff()
    idle: float = 1.0
    planner: Callable[[date], object] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    broadcaster: Callable[..., object] | None = None  # called as broadcaster(now, finish=…)
    quiet: QuietHours | None = None
    concurrency: int = 1  # requests in flight at once
    passes: Sequence[Pass] = ()
    broadcast_poll: float = BROADCAST_POLL

    def __post_init__(self) -> None:
        self._planned_for: date | None = None
        self._plan_again_at: datetime | None = None
        self._rng = random.Random()
        self._finished_at: datetime | None = None
        self._planning = threading.Event()  # set while the broadcast thread is at work

    def run(self) -> None:
        """Loop until ``stop`` is set; errors are logged and the loop goes on after a pause."""
        log.info("push.worker.started")
        planner = None
        if self.broadcaster is not None:
            planner = threading.Thread(target=self._broadcast_loop, name="push-broadcasts", daemon=True)
            planner.start()
        try:
            while not self.stop.is_set():
                try:
                    self.plan_if_new_day()
                    report = self.send_once()
                    extra = self.run_passes()
                except Exception:
                    log.exception("push.worker.error")
                    self.stop.wait(max(self.idle, 1.0))
                    continue
                if (report.requests == 0 and report.released == 0 and not report.skipped and not report.failed
                        and extra == 0):
                    if self._planning.is_set():
                        self.stop.wait(min(self.idle, PLANNING_POLL))
                    else:
                        self.stop.wait(min(self.idle, self.broadcast_poll) if planner else self.idle)
        finally:
            self.stop.set()
            if planner is not None:
                planner.join()
        log.info("push.worker.stopped")

    def _broadcast_loop(self) -> None:
        """The broadcast thread: ``plan_broadcasts`` every ``broadcast_poll`` seconds until ``stop``."""
        while not self.stop.is_set():
            self._planning.set()
            try:
                self.plan_broadcasts()
            except Exception:
                log.exception("push.worker.broadcast_error")
            finally:
                self._planning.clear()
            self.stop.wait(self.broadcast_poll)

    def run_passes(self) -> int:
        """Run each registered pass once; returns the work they did in all. One failing pass is logged and
        does not keep the others from running."""
        done = 0
        for work in self.passes:
            if self.stop.is_set():
                break
            try:
                done += work()
            except Exception:
                log.exception("push.worker.pass_failed")
        return done

    def send_once(self) -> SendReport:
        """One pass of ``send_due`` at the current time."""
        return send_due(self.session_factory, self.line, self.clock(), rate=self.rate, lease=self.lease,
                        backoff=self.backoff, stop=self.stop, rng=self._rng, monotonic=time.monotonic,
                        quiet=self.quiet, timezone=self.timezone, concurrency=self.concurrency)

    def plan_broadcasts(self) -> None:
        """Put due broadcasts into the outbox; every ``FINISH_EVERY``, also mark those fully sent as done."""
        if self.broadcaster is None:
            return
        now = self.clock()
        finish = self._finished_at is None or now >= self._finished_at + FINISH_EVERY
        if finish:
            self._finished_at = now
        self.broadcaster(now, finish=finish)

    def plan_if_new_day(self) -> None:
        """Plan today (local) unless it was planned already by this worker; a failed plan is retried later."""
        if self.planner is None:
            return
        now = self.clock()
        today = now.astimezone(self.timezone).date()
        if today == self._planned_for or (self._plan_again_at is not None and now < self._plan_again_at):
            return
        try:
            self.planner(today)
        except Exception:
            self._plan_again_at = now + PLAN_RETRY
            raise
        self._planned_for, self._plan_again_at = today, None

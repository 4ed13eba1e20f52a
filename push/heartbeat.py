"""The push worker's sign of life and the outbox gauge: written every few seconds beside the sending loop.

``/readyz`` is ready only while some worker's heartbeat is recent (``WORKER_HEARTBEAT_MAX_AGE_SECONDS``).
The same thread refreshes ``metrics.OUTBOX_DEPTH`` from counts along the outbox's partial indexes, so that
``/metrics`` itself never queries the database. Each beat is one small write transaction.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import metrics
from push.models import Delivery
from push.models import DeliveryBatch
from push.models import DeliveryStatus
from push.models import WorkerHeartbeat
from push.models import sending_single
from push.models import waiting_single

log = logging.getLogger(__name__)

BEAT_EVERY = 5.0  # seconds between heartbeats
GAUGES_EVERY = 15.0  # seconds between refreshes of the outbox gauge
FORGET_AFTER = timedelta(days=1)  # rows of workers silent this long are deleted


def worker_name() -> str:
    """This process's name in the heartbeat table: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def beat(session: Session, worker: str, now: datetime) -> None:
    """Record that ``worker`` is alive at ``now``, and forget workers silent for ``FORGET_AFTER``."""
    updated = session.execute(sa.update(WorkerHeartbeat).where(WorkerHeartbeat.worker == worker)
                              .values(beat_at=now)).rowcount
    if not updated:
        session.add(WorkerHeartbeat(worker=worker, beat_at=now))
    session.execute(sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))


def last_beat(connection: sa.Connection | Session) -> datetime | None:
    """When any worker last beat (None: no worker ever did, or none for a day)."""
    return connection.execute(sa.select(sa.func.max(WorkerHeartbeat.beat_at))).scalar()


def outbox_depth(connection: sa.Connection | Session) -> dict[tuple[str, str], int]:
    """Open requests by (endpoint, status): rows pushed alone and multicast batches, pending or sending.

    Each count runs along a partial or leading-column index (see ``push.models``), never over finished rows.
    """
    count = sa.func.count()
    return {
        ("push", DeliveryStatus.PENDING.value):
            connection.execute(sa.select(count).select_from(Delivery).where(waiting_single())).scalar_one(),
        ("push", DeliveryStatus.SENDING.value):
            connection.execute(sa.select(count).select_from(Delivery).where(sending_single())).scalar_one(),
        **{("multicast", status.value): connection.execute(
            sa.select(count).select_from(DeliveryBatch).where(DeliveryBatch.status == status)).scalar_one()
           for status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)},
    }


def refresh_gauges(connection: sa.Connection | Session) -> None:
    """Set ``metrics.OUTBOX_DEPTH`` from the outbox as it is now."""
    for (endpoint, status), value in outbox_depth(connection).items():
        metrics.OUTBOX_DEPTH.labels(endpoint=endpoint, status=status).set(value)


class Heartbeat:
    """A thread that beats every ``every`` seconds and refreshes the outbox gauge every ``gauges_every``.

    A failed beat (the database unreachable) is logged and tried again at the next beat; ``/readyz`` then
    sees the heartbeat grow old. Use as a context manager around the worker's loop.
    """

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime], *,
                 worker: str | None = None, every: float = BEAT_EVERY, gauges_every: float = GAUGES_EVERY) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.worker = worker or worker_name()
        self.every = every
        self.gauges_every = gauges_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="push-heartbeat", daemon=True)
        self._gauges_at: float | None = None

    def once(self, monotonic: float) -> None:
        """Beat now, and refresh the gauge when it is due at ``monotonic`` (seconds on any steady clock)."""
        with self.session_factory.begin() as session:
            beat(session, self.worker, self.clock())
        if self._gauges_at is None or monotonic >= self._gauges_at + self.gauges_every:
            engine = self.session_factory.kw["bind"]
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                refresh_gauges(connection)  # reads only: no write lock on SQLite
            self._gauges_at = monotonic

    def _run(self) -> None:
        while True:
            try:
                self.once(time.monotonic())
            except Exception:
                log.exception("push.heartbeat.failed")
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

"""Sending due deliveries: claim them in a short transaction, send outside it, record each outcome.

Exactly once rests on three things:

* Every request carries a retry key fixed before its first attempt (a delivery's when it was planned, a
  batch's when the batch was formed) and every retry repeats the same recipients and body under that key.
  LINE accepts a key once and answers 409 to a repeat, which counts as sent.
* A claimed row is ``sending`` with a lease (``claimed_until``). A worker that dies leaves its rows to be
  claimed again when the lease runs out; they are resent under the same key, so LINE drops what it had
  already accepted. A delivery that was ever claimed for a push never joins a multicast (its key may have
  been accepted), and a batch keeps its recipients for good.
* LINE remembers a key for 24 hours, so a delivery still failing 23 hours after its first attempt is
  given up rather than sent under a key LINE may have forgotten.

Claims take ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never claim the same row; on
SQLite every transaction starts with ``BEGIN IMMEDIATE`` (see ``db.make_engine``), one worker at a time.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bot import replies
from bot.errors import LineApiError
from bot.line_client import LineClient
from push.models import Delivery
from push.models import DeliveryBatch
from push.models import DeliveryStatus
from push.quiet import EMERGENCY_KIND
from push.quiet import QuietHours
from push.ratelimit import RateLimiter
from residents.models import Resident
from residents.models import ResidentStatus

log = logging.getLogger(__name__)

MAX_MULTICAST = 500  # LINE's limit of user ids per multicast
RETRY_KEY_WINDOW = timedelta(hours=23)  # LINE keeps a retry key for 24 hours after the first attempt
DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_CHUNK = 500
UTC_ZONE = ZoneInfo("UTC")
FLUSH_EVERY = 50  # outcomes written per transaction while a chunk is being sent

PENDING = DeliveryStatus.PENDING
SENDING = DeliveryStatus.SENDING


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits between half and all of ``base`` × 2ⁿ⁻¹, up to ``cap``.

    A ``Retry-After`` from LINE is honoured: the wait is never shorter than it.
    """

    base: float = 10.0
    cap: float = 3600.0

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt."""
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        seconds = ceiling / 2 + rng.random() * ceiling / 2
        if retry_after is not None:
            seconds = max(seconds, retry_after)
        return timedelta(seconds=seconds)


@dataclass
class SendReport:
    """What one pass did, counted in deliveries (rows), with the requests it made and the reasons."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    released: int = 0  # claimed but not tried (stopping, or the lease running out); pending again
    pushes: int = 0
    multicasts: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # cancelled at send time, by reason
    failures: Counter[str] = field(default_factory=Counter)  # failed for good, by reason
    retry_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        """Requests sent to LINE."""
        return self.pushes + self.multicasts

    def lines(self) -> list[str]:
        """The report as a few lines for the terminal."""
        lines = [f"sent {self.sent}, failed {self.failed}, retried {self.retried}, "
                 f"skipped {sum(self.skipped.values())}, released {self.released} "
                 f"({self.pushes} pushes, {self.multicasts} multicasts)"]
        for title, counter in (("skipped", self.skipped), ("failed", self.failures),
                               ("retried", self.retry_reasons)):
            lines += [f"  {title}: {reason} × {count}" for reason, count in counter.most_common()]
        return lines


@dataclass
class _Job:
    """One request to make: a push of one delivery, or the multicast of a batch."""

    endpoint: str  # "push" or "multicast"
    retry_key: str
    recipients: list[str]
    messages: list[dict]
    delivery_ids: list[int]
    batch_id: int | None
    attempts: int
    first_attempt_at: datetime


def skip_reason(status: ResidentStatus | None) -> str | None:
    """Why nothing may be sent to a resident with this status (None: no such resident), or None."""
    if status is None:
        return "resident-unknown"
    if status != ResidentStatus.ACTIVE:
        return f"resident-{status.value}"
    return None


def send_due(
    session_factory: sessionmaker[Session],
    line: LineClient,
    now: datetime,
    *,
    limit: int = 10_000,
    chunk: int = DEFAULT_CHUNK,
    rate: RateLimiter | None = None,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff = Backoff(),
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    quiet: QuietHours | None = None,
    timezone: ZoneInfo = UTC_ZONE,
) -> SendReport:
    """Send what is due at ``now``, ``chunk`` rows per claim, until nothing is due or ``limit`` rows are done.

    Later times in the pass are ``now`` plus the time elapsed on ``monotonic``. A set ``stop`` ends the
    pass after the current request; claimed rows not yet tried are released at once. During ``quiet``
    hours (local ``timezone``) only emergency rows are claimed; the others stay pending until they end.
    """
    rate = rate or RateLimiter.unlimited()
    rng = rng or random.Random()
    report = SendReport()
    started = monotonic()

    def current() -> datetime:
        return now + timedelta(seconds=monotonic() - started)

    handled = 0
    while handled < limit and not (stop is not None and stop.is_set()):
        claimed_at = current()
        with session_factory.begin() as session:
            jobs, touched = _claim(session, claimed_at, claimed_at + lease, min(chunk, limit - handled), report,
                                   emergency_only=quiet is not None and quiet.contains(claimed_at, timezone))
        if touched == 0:
            break
        handled += touched
        tried = _send_jobs(session_factory, line, jobs, rate=rate, deadline=monotonic() + lease.total_seconds() / 2,
                           monotonic=monotonic, current=current, backoff=backoff, rng=rng, stop=stop, report=report)
        if jobs and not tried:  # the lease is too short for even one request: claiming again would spin
            break
    if report.requests or report.skipped or report.released:
        log.info("push.send_due", extra={"sent": report.sent, "failed": report.failed, "retried": report.retried,
                                         "skipped": sum(report.skipped.values()), "released": report.released,
                                         "pushes": report.pushes, "multicasts": report.multicasts})
    return report


# --- claiming --------------------------------------------------------------------------------------


def _claim(session: Session, now: datetime, lease_until: datetime, size: int,
           report: SendReport, *, emergency_only: bool = False) -> tuple[list[_Job], int]:
    """Claim up to ``size`` due rows for this worker; returns the requests to make and the rows touched.

    With ``emergency_only`` (quiet hours) pending rows are claimed only if they are emergencies; a
    multicast batch already formed is retried as it is (its recipients and body are fixed).
    """
    jobs, closed = _claim_batches(session, now, lease_until, size, report)
    touched = closed + sum(len(job.delivery_ids) for job in jobs)
    rows = []
    if touched < size:  # rows of a push whose worker vanished
        rows += session.execute(
            _single_rows().where(Delivery.status == SENDING, Delivery.claimed_until <= now)
            .order_by(Delivery.claimed_until, Delivery.id).limit(size - touched)
        ).all()
    if touched + len(rows) < size:
        pending = _single_rows().where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
        if emergency_only:
            pending = pending.where(Delivery.kind == EMERGENCY_KIND)
        rows += session.execute(
            pending
            .order_by(Delivery.next_attempt_at, Delivery.content_hash, Delivery.id)
            .limit(size - touched - len(rows))
        ).all()
    touched += len(rows)
    rows = _drop_unsendable(session, rows, now, report)
    singles, groups = [], {}
    for row in rows:
        if row.personal or row.attempts > 0:
            singles.append(row)
        else:
            groups.setdefault(row.content_hash, []).append(row)
    for content, members in groups.items():
        for batch_rows in _split(members):
            if len(batch_rows) == 1:
                singles += batch_rows
            else:
                jobs.append(_form_batch(session, content, batch_rows, now, lease_until))
    if singles:
        ids = [row.id for row in singles]
        session.execute(
            sa.update(Delivery).where(Delivery.id.in_(ids))
            .values(status=SENDING, claimed_until=lease_until, attempts=Delivery.attempts + 1,
                    first_attempt_at=sa.func.coalesce(Delivery.first_attempt_at, now))
            .execution_options(synchronize_session=False)
        )
        jobs += [_Job("push", str(row.retry_key), [row.line_user_id], row.messages, [row.id], None,
                      row.attempts + 1, row.first_attempt_at or now) for row in singles]
    return jobs, touched


def _single_rows() -> sa.Select:
    """Rows not in a batch, locked for this transaction (skipping rows another worker holds)."""
    return (
        sa.select(Delivery.id, Delivery.line_user_id, Delivery.messages, Delivery.content_hash, Delivery.personal,
                  Delivery.retry_key, Delivery.attempts, Delivery.first_attempt_at)
        .where(Delivery.batch_id.is_(None))
        .with_for_update(skip_locked=True, of=Delivery)
    )


def _claim_batches(session: Session, now: datetime, lease_until: datetime, size: int,
                   report: SendReport) -> tuple[list[_Job], int]:
    """Batches due for a retry, or whose worker vanished: the same request again, same key and recipients.

    Returns the requests to make and how many rows were closed instead (retry-key window over).
    """
    due = (DeliveryBatch.status == PENDING) & (DeliveryBatch.next_attempt_at <= now)
    vanished = (DeliveryBatch.status == SENDING) & (DeliveryBatch.claimed_until <= now)
    batches = session.scalars(
        sa.select(DeliveryBatch).where(due | vanished).order_by(DeliveryBatch.id)
        .limit(max(1, size // MAX_MULTICAST)).with_for_update(skip_locked=True)
    ).all()
    jobs, closed = [], 0
    for batch in batches:
        members = session.execute(
            sa.select(Delivery.id, Delivery.line_user_id, Delivery.messages)
            .where(Delivery.batch_id == batch.id).order_by(Delivery.id)
        ).all()
        first_attempt_at = batch.first_attempt_at or now
        if not members:
            _finish_batch(session, batch.id, DeliveryStatus.CANCELLED, now, "no-recipients")
            continue
        if now - first_attempt_at >= RETRY_KEY_WINDOW:
            reason = f"retry-window-over: {batch.last_error or ''}".strip()
            _finish_batch(session, batch.id, DeliveryStatus.FAILED, now, reason)
            report.failed += len(members)
            report.failures["retry-window-over"] += len(members)
            closed += len(members)
            continue
        batch.status = SENDING
        batch.claimed_until = lease_until
        batch.attempts += 1
        batch.first_attempt_at = first_attempt_at
        session.execute(sa.update(Delivery).where(Delivery.batch_id == batch.id)
                        .values(status=SENDING, attempts=batch.attempts)
                        .execution_options(synchronize_session=False))
        jobs.append(_Job("multicast", str(batch.retry_key), [m.line_user_id for m in members], members[0].messages,
                         [m.id for m in members], batch.id, batch.attempts, first_attempt_at))
    session.flush()
    return jobs, closed


def _drop_unsendable(session: Session, rows: list, now: datetime, report: SendReport) -> list:
    """Cancel rows of blocked or unknown residents and fail rows past the retry-key window; keep the rest."""
    if not rows:
        return rows
    users = {row.line_user_id for row in rows}
    statuses = dict(session.execute(
        sa.select(Resident.line_user_id, Resident.status).where(Resident.line_user_id.in_(users))
    ).all())
    keep = []
    for row in rows:
        reason = skip_reason(statuses.get(row.line_user_id))
        if reason is not None:
            _close_row(session, row.id, DeliveryStatus.CANCELLED, reason)
            report.skipped[reason] += 1
        elif row.first_attempt_at is not None and now - row.first_attempt_at >= RETRY_KEY_WINDOW:
            _close_row(session, row.id, DeliveryStatus.FAILED, "retry-window-over")
            report.failed += 1
            report.failures["retry-window-over"] += 1
        else:
            keep.append(row)
    return keep


def _close_row(session: Session, delivery_id: int, status: DeliveryStatus, reason: str) -> None:
    session.execute(sa.update(Delivery).where(Delivery.id == delivery_id)
                    .values(status=status, last_error=reason, claimed_until=None)
                    .execution_options(synchronize_session=False))


def _split(rows: list) -> list[list]:
    """Rows of identical content in multicasts of at most 500, each user at most once per multicast."""
    batches: list[tuple[set[str], list]] = []
    for row in rows:
        for users, members in batches:
            if len(members) < MAX_MULTICAST and row.line_user_id not in users:
                users.add(row.line_user_id)
                members.append(row)
                break
        else:
            batches.append(({row.line_user_id}, [row]))
    return [members for _users, members in batches]


def _form_batch(session: Session, content: str, rows: list, now: datetime, lease_until: datetime) -> _Job:
    """A new batch for ``rows``; its retry key is stored with it before the first attempt."""
    batch = DeliveryBatch(retry_key=uuid.uuid4(), content_hash=content, status=SENDING, attempts=1,
                          first_attempt_at=now, claimed_until=lease_until)
    session.add(batch)
    session.flush()
    ids = [row.id for row in rows]
    session.execute(sa.update(Delivery).where(Delivery.id.in_(ids))
                    .values(batch_id=batch.id, status=SENDING, attempts=1, first_attempt_at=now)
                    .execution_options(synchronize_session=False))
    return _Job("multicast", str(batch.retry_key), [row.line_user_id for row in rows], rows[0].messages, ids,
                batch.id, 1, now)


# --- sending and recording -------------------------------------------------------------------------


def _send_jobs(session_factory: sessionmaker[Session], line: LineClient, jobs: Sequence[_Job], *,
               rate: RateLimiter, deadline: float, monotonic: Callable[[], float],
               current: Callable[[], datetime], backoff: Backoff, rng: random.Random,
               stop: threading.Event | None, report: SendReport) -> int:
    """Make the requests of one claim; stop early (releasing the rest) on ``stop`` or at half the lease.

    Returns how many requests were made.
    """
    outcomes: list[tuple[_Job, LineApiError | None]] = []
    unsent: Sequence[_Job] = ()
    tried = 0
    try:
        for index, job in enumerate(jobs):
            if (stop is not None and stop.is_set()) or monotonic() >= deadline:
                unsent = jobs[index:]
                break
            rate.acquire(job.endpoint)
            outcomes.append((job, _send(line, job)))
            tried += 1
            if job.endpoint == "push":
                report.pushes += 1
            else:
                report.multicasts += 1
            if len(outcomes) >= FLUSH_EVERY:
                _record(session_factory, outcomes, (), current(), backoff, rng, report)
                outcomes = []
    finally:
        if outcomes or unsent:
            _record(session_factory, outcomes, unsent, current(), backoff, rng, report)
    return tried


def _send(line: LineClient, job: _Job) -> LineApiError | None:
    """Make one request; None when LINE accepted it now or before (409), else the error."""
    try:
        messages = replies.from_stored(job.messages)
    except (TypeError, ValueError) as error:
        return LineApiError(None, f"stored messages unreadable: {error}", retryable=False)
    try:
        if job.endpoint == "push":
            line.push(job.recipients[0], messages, retry_key=job.retry_key)
        else:
            line.multicast(job.recipients, messages, retry_key=job.retry_key)
    except LineApiError as error:
        return error
    return None


def _record(session_factory: sessionmaker[Session], outcomes: Sequence[tuple[_Job, LineApiError | None]],
            unsent: Sequence[_Job], now: datetime, backoff: Backoff, rng: random.Random,
            report: SendReport) -> None:
    """Write outcomes and release unsent jobs, in one transaction; rows another worker took are left alone."""
    with session_factory.begin() as session:
        sent_singles = []
        for job, error in outcomes:
            size = len(job.delivery_ids)
            if error is None:
                report.sent += size
                if job.batch_id is None:
                    sent_singles += job.delivery_ids
                else:
                    _finish_batch(session, job.batch_id, DeliveryStatus.SENT, now, None)
            elif error.retryable and not monthly_limit(error) and now - job.first_attempt_at < RETRY_KEY_WINDOW:
                report.retried += size
                report.retry_reasons[_reason(error)] += size
                _retry(session, job, now + backoff.delay(job.attempts, rng, error.retry_after), str(error))
            else:
                reason = ("monthly-limit" if monthly_limit(error)
                          else _reason(error) if not error.retryable else "retry-window-over")
                report.failed += size
                report.failures[reason] += size
                log.warning("push.failed", extra={"endpoint": job.endpoint, "status": error.status,
                                                  "reason": reason, "n_recipients": size})
                message = str(error) if not error.retryable or monthly_limit(error) else f"retry-window-over: {error}"
                if job.batch_id is None:
                    _finish_single(session, job.delivery_ids, DeliveryStatus.FAILED, now, message)
                else:
                    _finish_batch(session, job.batch_id, DeliveryStatus.FAILED, now, message)
        if sent_singles:
            _finish_single(session, sent_singles, DeliveryStatus.SENT, now, None)
        for job in unsent:
            report.released += len(job.delivery_ids)
            _release(session, job, now)


def monthly_limit(error: LineApiError) -> bool:
    """True for LINE's 429 "You have reached your monthly limit.": retrying cannot help until the quota grows."""
    return error.status == 429 and "monthly limit" in (error.message or "").lower()


def _reason(error: LineApiError) -> str:
    """A short reason for counting: the HTTP status, or "no-answer"."""
    return "no-answer" if error.status is None else str(error.status)


def _finish_single(session: Session, ids: list[int], status: DeliveryStatus, now: datetime,
                   error: str | None) -> None:
    values: dict = {"status": status, "claimed_until": None, "last_error": error}
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    session.execute(sa.update(Delivery).where(Delivery.id.in_(ids), Delivery.status == SENDING,
                                              Delivery.batch_id.is_(None))
                    .values(**values).execution_options(synchronize_session=False))


def _finish_batch(session: Session, batch_id: int, status: DeliveryStatus, now: datetime, error: str | None) -> None:
    values: dict = {"status": status, "claimed_until": None, "last_error": error}
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    result = session.execute(sa.update(DeliveryBatch)
                             .where(DeliveryBatch.id == batch_id, DeliveryBatch.status.in_([SENDING, PENDING]))
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount:
        values.pop("claimed_until")
        session.execute(sa.update(Delivery).where(Delivery.batch_id == batch_id).values(**values)
                        .execution_options(synchronize_session=False))


def _retry(session: Session, job: _Job, at: datetime, error: str) -> None:
    """Back to pending until ``at``; the next attempt repeats the same request under the same key."""
    values = {"status": PENDING, "next_attempt_at": at, "claimed_until": None, "last_error": error}
    if job.batch_id is None:
        session.execute(sa.update(Delivery).where(Delivery.id == job.delivery_ids[0], Delivery.status == SENDING)
                        .values(**values).execution_options(synchronize_session=False))
        return
    result = session.execute(sa.update(DeliveryBatch)
                             .where(DeliveryBatch.id == job.batch_id, DeliveryBatch.status == SENDING)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount:
        session.execute(sa.update(Delivery).where(Delivery.batch_id == job.batch_id)
                        .values(status=PENDING, next_attempt_at=at, last_error=error)
                        .execution_options(synchronize_session=False))


def _release(session: Session, job: _Job, now: datetime) -> None:
    """Give back a claimed job that was not tried; a batch never tried is dissolved, its rows free again.

    Each change is guarded by the attempt count of this claim, so a job another worker has claimed since
    (after the lease ran out) is left alone.
    """
    if job.batch_id is None:
        session.execute(
            sa.update(Delivery).where(Delivery.id == job.delivery_ids[0], Delivery.status == SENDING,
                                      Delivery.attempts == job.attempts)
            .values(status=PENDING, claimed_until=None, attempts=job.attempts - 1,
                    first_attempt_at=None if job.attempts == 1 else Delivery.first_attempt_at)
            .execution_options(synchronize_session=False))
        return
    ours = (DeliveryBatch.id == job.batch_id) & (DeliveryBatch.status == SENDING) & (
        DeliveryBatch.attempts == job.attempts)
    if job.attempts == 1:
        result = session.execute(sa.update(DeliveryBatch).where(ours)
                                 .values(status=DeliveryStatus.CANCELLED, claimed_until=None, last_error="released")
                                 .execution_options(synchronize_session=False))
        if result.rowcount:
            session.execute(sa.update(Delivery).where(Delivery.batch_id == job.batch_id)
                            .values(status=PENDING, batch_id=None, attempts=0, first_attempt_at=None)
                            .execution_options(synchronize_session=False))
            session.execute(sa.delete(DeliveryBatch).where(DeliveryBatch.id == job.batch_id))
        return
    result = session.execute(sa.update(DeliveryBatch).where(ours)
                             .values(status=PENDING, claimed_until=None, next_attempt_at=now,
                                     attempts=job.attempts - 1)
                             .execution_options(synchronize_session=False))
    if result.rowcount:
        session.execute(sa.update(Delivery).where(Delivery.batch_id == job.batch_id)
                        .values(status=PENDING, next_attempt_at=now, attempts=job.attempts - 1)
                        .execution_options(synchronize_session=False))

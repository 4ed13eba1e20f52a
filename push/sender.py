"""Sending due deliveries: claim them in a short transaction, send outside it, record each outcome.

Exactly once rests on three things:

* Every request carries a retry key fixed when it was planned (a delivery's, or its batch's: batches of
  identical content are formed by ``push.outbox.enqueue``) and every retry repeats the same recipients and
  body under that key. LINE accepts a key once and answers 409 to a repeat, which counts as sent.
* A claimed row or batch is ``sending`` with a short lease (``claimed_until``, ``PUSH_LEASE_SECONDS``),
  renewed by a heartbeat while the pass that holds it is alive, however slow LINE answers. A worker that
  dies stops renewing, so its claims are taken over once their lease runs out; they are resent under the
  same key, so LINE drops what it had already accepted. A batch's first attempt fixes its recipients for
  good (rows cancelled before it are left out).
* LINE remembers a key for 24 hours, so a delivery still failing 23 hours after its first attempt is
  given up rather than sent under a key LINE may have forgotten.

Claims take ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never claim the same row; on
SQLite every transaction starts with ``BEGIN IMMEDIATE`` (see ``db.make_engine``), one worker at a time.

A pass is a pipeline: ``concurrency`` threads make the requests (each under the endpoint's rate limit)
while the calling thread writes the outcomes that came back and claims the next rows, both in one
transaction. The database work thus overlaps the HTTP round trips instead of adding to them.

The heartbeat runs on the calling thread too: every third of the lease it extends, in one small
transaction, the lease of everything the pass holds (requests queued, in flight, or answered and not yet
written), each guarded by the attempt count of its claim so that a row or batch another worker took over
is never touched. A request is only started while its claim, as last renewed, has at least half the lease
to run: with the heartbeat working that always holds; if renewing fails (the database is unreachable),
requests not yet started are released instead of being sent under a claim that may run out meanwhile.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections import Counter
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import db
import metrics
from messaging import build
from messaging.client import LineClient
from messaging.errors import LineApiError
from push.messages import aggregation_unit
from push.models import OPEN
from push.models import Delivery
from push.models import DeliveryBatch
from push.models import DeliveryContent
from push.models import DeliveryStatus
from push.models import id_list
from push.models import sending_single
from push.models import split_ids
from push.models import waiting_single
from push.outbox import MAX_MULTICAST
from push.quiet import ANYTIME_KINDS
from push.quiet import QuietHours
from push.ratelimit import RateLimiter
from residents.models import Resident
from residents.models import ResidentStatus
from settings import Settings

log = logging.getLogger(__name__)

RETRY_KEY_WINDOW = timedelta(hours=23)  # LINE keeps a retry key for 24 hours after the first attempt
DEFAULT_LEASE = timedelta(seconds=Settings().push_lease_seconds)  # the default of PUSH_LEASE_SECONDS
HEARTBEATS_PER_LEASE = 3  # claims held are renewed every third of the lease
DEFAULT_CHUNK = 4000  # rows pushed alone per claim
# Multicast batches per claim: a transaction per sixteen multicasts. With eight, PostgreSQL's claims set the pace of
# a sender without a rate limit (462-698 against 742-777 multicasts/s at a million residents, runs alternated).
BATCHES_PER_CLAIM = 16
UTC_ZONE = ZoneInfo("UTC")
SQLITE_RANGES = 50  # id ranges read in one statement on SQLite (a compound SELECT has at most 500 parts)
CONTENT_CACHE = 256  # contents kept parsed during a pass (shared contents are few; personal ones are used once)

Messages = Sequence[Any]  # LINE message objects, as messaging.build.from_stored rebuilds them (prepared once)

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

    def counts(self) -> dict[str, int]:
        """The figures ``metrics`` exports, by name: deliveries by outcome, requests by endpoint."""
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed,
                "skipped": sum(self.skipped.values()), "released": self.released,
                "push": self.pushes, "multicast": self.multicasts}

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
    content_hash: str
    delivery_ids: list[int]
    batch_id: int | None
    attempts: int
    first_attempt_at: datetime
    # On the pass's monotonic clock: not started after this (half a lease before its claim, as last renewed,
    # runs out), the job is released.
    deadline: float = 0.0
    messages: Messages | LineApiError = ()  # parsed stored messages, or why they could not be
    aggregation_unit: str | None = None  # a broadcast's multicast: the unit LINE counts its opens and clicks under


class _NotTried:
    """The outcome of a job released without a request (stopping, or past its deadline)."""


NOT_TRIED = _NotTried()
Outcome = LineApiError | _NotTried | None  # None: LINE accepted it, now or before (409)


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
    batches: int = BATCHES_PER_CLAIM,
    rate: RateLimiter | None = None,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff = Backoff(),
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    quiet: QuietHours | None = None,
    timezone: ZoneInfo = UTC_ZONE,
    concurrency: int = 1,
) -> SendReport:
    """Send what is due at ``now``, up to ``chunk`` rows pushed alone and ``batches`` multicast batches per
    claim, until nothing is due or ``limit`` rows are done.

    Later times in the pass are ``now`` plus the seconds elapsed on ``monotonic``. Up to ``concurrency``
    requests are in flight at once. Claims last ``lease`` and are renewed every third of it while the pass
    holds them. A set ``stop`` ends the pass once the requests in flight are answered; claimed rows not yet
    tried are released at once. During ``quiet`` hours (local ``timezone``) only rows and batches of
    ``ANYTIME_KINDS`` (emergencies, answers to residents' messages) are claimed; the others wait until they end.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    rate = rate or RateLimiter.unlimited()
    rng = rng or random.Random()
    report = SendReport()
    started = monotonic()
    contents: OrderedDict[str, Messages | LineApiError] = OrderedDict()
    half_lease = lease.total_seconds() / 2
    beat = lease.total_seconds() / HEARTBEATS_PER_LEASE  # 0: no heartbeat (nothing outlives a zero lease)
    next_beat = started + beat

    def at(moment: float) -> datetime:
        return now + timedelta(seconds=moment - started)

    def stopping() -> bool:
        return stop is not None and stop.is_set()

    def attempt(job: _Job) -> Outcome:
        if stopping() or monotonic() >= job.deadline:
            return NOT_TRIED
        rate.acquire(job.endpoint)
        if stopping():
            return NOT_TRIED
        return _send(line, job)

    exported = report.counts()
    in_flight: dict[Future[Outcome], _Job] = {}
    answered: list[tuple[_Job, Outcome]] = []
    handled, exhausted = 0, False
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="push-send")
    try:
        while True:
            # Claim while the window has room, unless the oldest request in flight is past its deadline
            # (renewing failed: claiming more would only make more rows wait for a lease that may run out).
            more = not (exhausted or stopping()) and handled < limit
            claiming = more and len(in_flight) < 2 * concurrency and (
                not in_flight or next(iter(in_flight.values())).deadline > monotonic())
            # Outcomes are written with the next claim (one transaction), or at once when no claim follows.
            if claiming or (answered and not more):
                claimed_at = monotonic()
                jobs: list[_Job] = []
                with session_factory.begin() as session:
                    connection = session.connection()
                    if answered and _record(connection, answered, at(claimed_at), backoff, rng, report):
                        exhausted, claiming = True, False  # the lease is too short for even one request
                    answered = []
                    if claiming:
                        emergency_only = quiet is not None and quiet.contains(at(claimed_at), timezone)
                        left = limit - handled
                        jobs, touched = _claim(connection, at(claimed_at), at(claimed_at) + lease, min(chunk, left),
                                               max(1, min(batches, left // MAX_MULTICAST)), report,
                                               emergency_only=emergency_only)
                        _attach_messages(connection, jobs, contents)
                        exhausted = touched == 0
                        handled += touched
                exported = _export(report, exported)  # committed: count what the transaction wrote
                for job in jobs:
                    job.deadline = claimed_at + half_lease
                    in_flight[pool.submit(attempt, job)] = job
                if jobs:
                    continue
            if not in_flight:
                break
            if beat > 0 and monotonic() >= next_beat:
                renewed_at = monotonic()
                held = [*in_flight.values(), *(job for job, _ in answered)]
                with session_factory.begin() as session:
                    renewed = _renew(session.connection(), held, at(renewed_at) + lease)
                for job in renewed:
                    job.deadline = renewed_at + half_lease
                if len(renewed) < len(held):  # taken over (this pass could not renew in time), or deleted
                    log.warning("push.claims_not_renewed", extra={"n_claims": len(held) - len(renewed)})
                next_beat = monotonic() + beat
            timeout = max(0.0, next_beat - monotonic()) if beat > 0 else None
            done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                answered.append((in_flight.pop(future), future.result()))
    finally:
        # A client that raised leaves its rows to their lease; nothing queued behind it is sent.
        pool.shutdown(wait=True, cancel_futures=True)
    if report.requests or report.skipped or report.released:
        log.info("push.send_due", extra={"sent": report.sent, "failed": report.failed, "retried": report.retried,
                                         "skipped": sum(report.skipped.values()), "released": report.released,
                                         "pushes": report.pushes, "multicasts": report.multicasts})
    return report


def _export(report: SendReport, before: dict[str, int]) -> dict[str, int]:
    """Add to the metrics what ``report`` counted since ``before``; returns the counts now."""
    now = report.counts()
    for name, value in now.items():
        if value > before[name]:
            if name in ("push", "multicast"):
                metrics.PUSH_REQUESTS.labels(endpoint=name).inc(value - before[name])
            else:
                metrics.PUSH_DELIVERIES.labels(outcome=name).inc(value - before[name])
    return now


# --- claiming --------------------------------------------------------------------------------------


def _claim(connection: sa.Connection, now: datetime, lease_until: datetime, size: int, batches: int,
           report: SendReport, *, emergency_only: bool = False) -> tuple[list[_Job], int]:
    """Claim up to ``batches`` due batches and up to ``size`` rows pushed alone, for this worker.

    Returns the requests to make and the rows touched. With ``emergency_only`` (quiet hours) only
    emergency rows and batches of emergency rows are claimed.
    """
    jobs, touched = _claim_batches(connection, now, lease_until, batches, report, emergency_only=emergency_only)
    rows = connection.execute(_singles_query(vanished=True, emergency_only=False), {"now": now, "count": size}).all()
    if len(rows) < size:
        rows += connection.execute(_singles_query(vanished=False, emergency_only=emergency_only),
                                   {"now": now, "count": size - len(rows)}).all()
    touched += len(rows)
    singles = _drop_unsendable(connection, rows, now, report)
    if singles:
        ids = [row.id for row in singles]
        connection.execute(
            sa.update(Delivery).where(_id_in(connection, ids))
            .values(status=SENDING, claimed_until=lease_until, attempts=Delivery.attempts + 1,
                    first_attempt_at=sa.func.coalesce(Delivery.first_attempt_at, now))
        )
        jobs += [_Job("push", str(row.retry_key), [row.line_user_id], row.content_hash, [row.id], None,
                      row.attempts + 1, row.first_attempt_at or now) for row in singles]
    return jobs, touched


def _id_in(connection: sa.Connection, ids: list[int]) -> sa.ColumnElement[bool]:
    """The rows with these ids, the list bound as one parameter (see ``db.one_of``)."""
    return db.one_of(Delivery.id, "ids", postgres=connection.dialect.name == "postgresql", values=ids)


@functools.cache
def _singles_query(*, vanished: bool, emergency_only: bool) -> sa.Select:
    """The next rows pushed alone to claim (``count`` of them, due at ``now``): those whose worker vanished, or
    those waiting, each with their resident's status (as plain text), locked for this transaction (skipping
    rows another worker holds). Built once: the claim runs for every few hundred recipients."""
    rows = (
        sa.select(Delivery.id, Delivery.line_user_id, Delivery.content_hash, Delivery.retry_key, Delivery.attempts,
                  Delivery.first_attempt_at, _resident_status())
        .with_for_update(skip_locked=True, of=Delivery).limit(sa.bindparam("count"))
    )
    if vanished:
        return (rows.where(sending_single(), Delivery.claimed_until <= sa.bindparam("now"))
                .order_by(Delivery.claimed_until, Delivery.id))
    if emergency_only:
        rows = rows.where(Delivery.kind.in_(ANYTIME_KINDS))
    return (rows.where(waiting_single(), Delivery.next_attempt_at <= sa.bindparam("now"))
            .order_by(Delivery.next_attempt_at, Delivery.content_hash, Delivery.id))


def _resident_status() -> sa.Label:
    """The row's resident's status as plain text (None: no such resident), looked up row by row through the
    resident's unique index (a join would let PostgreSQL hash the whole resident table for 500 rows)."""
    return (sa.select(sa.type_coerce(Resident.status, sa.String))
            .where(Resident.line_user_id == Delivery.line_user_id)
            .scalar_subquery().label("resident_status"))


def _claim_batches(connection: sa.Connection, now: datetime, lease_until: datetime, count: int,
                   report: SendReport, *, emergency_only: bool) -> tuple[list[_Job], int]:
    """Up to ``count`` batches due (first attempt or retry) or whose worker vanished; returns their requests
    and the rows touched.

    A first attempt takes the batch's rows still pending (cancelled ones are gone; rows of residents who
    blocked the account since are cancelled now), or of a batch listing its residents those who still follow
    with consent (``_listed_recipients``), written into the batch unless they are every listed resident (the
    usual case, read again by id for a retry: ``_listed_again``). From then on the recipients are fixed: a
    retry repeats the same request under the same key, and a batch past the retry-key window fails instead.
    """
    # Two queries, each along its own index: batches whose worker vanished, then batches due.
    batches = connection.execute(_batches_query(vanished=True, emergency_only=emergency_only),
                                 {"now": now, "count": count}).all()
    if len(batches) < count:
        batches += connection.execute(_batches_query(vanished=False, emergency_only=emergency_only),
                                      {"now": now, "count": count - len(batches)}).all()
    jobs, touched = [], 0
    if not batches:
        return jobs, touched
    postgres = connection.dialect.name == "postgresql"
    # Batches with delivery rows: every claimed batch's rows in one query, and on a first attempt only the
    # rows whose resident is no longer active (usually none): the common case reads 500 user ids per batch
    # and nothing else. Batches that list their residents (broadcasts) read them from the resident table.
    members: dict[int, tuple[list[int], list[str]]] = {batch.id: ([], []) for batch in batches}
    with_rows = [batch.id for batch in batches if batch.resident_ids is None]
    if with_rows:
        for batch_id, row_id, line_user_id in connection.execute(_members_query(postgres),
                                                                 {"batches": with_rows}).all():
            ids, users = members[batch_id]
            ids.append(row_id)
            users.append(line_user_id)
    firsts = [batch.id for batch in batches if batch.attempts == 0 and batch.resident_ids is None]
    unsendable: dict[int, list] = {}
    if firsts:
        for row in connection.execute(_inactive_query(postgres), {"batches": firsts}).all():
            unsendable.setdefault(row.batch_id, []).append(row)
    claimed: list[int] = []
    fixed: list[dict] = []  # recipients of listing batches on their first attempt
    joined = _sendable_joined(connection, [batch.resident_ids for batch in batches
                                           if batch.resident_ids is not None and batch.attempts == 0])
    for batch in batches:
        ids, users = members[batch.id]
        if batch.resident_ids is not None:
            touched += batch.size or 0
            if batch.attempts == 0:
                users, whole = _listed_recipients(connection, batch.resident_ids, joined[batch.resident_ids],
                                                  report)
                if users and not whole:
                    fixed.append({"b_id": batch.id, "b_recipients": id_list(users), "b_size": len(users)})
            elif batch.recipients is None:  # the first request went to every listed resident
                users = _listed_again(connection, batch.resident_ids)
            else:
                users = split_ids(batch.recipients)
            ids = []
        touched += len(ids)
        if batch.id in unsendable:
            _drop_unsendable(connection, unsendable[batch.id], now, report, window=False)
            dropped = {row.id for row in unsendable[batch.id]}
            kept = [(i, u) for i, u in zip(ids, users, strict=True) if i not in dropped]
            ids, users = [i for i, _ in kept], [u for _, u in kept]
        first_attempt_at = batch.first_attempt_at or now
        if not users:
            _finish_batch(connection, batch.id, DeliveryStatus.CANCELLED, now, "no-recipients")
            continue
        if now - first_attempt_at >= RETRY_KEY_WINDOW:
            reason = f"retry-window-over: {batch.last_error or ''}".strip()
            _finish_batch(connection, batch.id, DeliveryStatus.FAILED, now, reason)
            report.failed += len(users)
            report.failures["retry-window-over"] += len(users)
            continue
        attempts = batch.attempts + 1
        claimed.append(batch.id)
        unit = None if batch.broadcast_id is None else aggregation_unit(batch.broadcast_id)
        jobs.append(_Job("multicast", str(batch.retry_key), users, batch.content_hash, ids, batch.id, attempts,
                         first_attempt_at, aggregation_unit=unit))
    if claimed:  # one statement for all: the batches are locked, so each one's attempts is what was read
        connection.execute(_batches_claimed(postgres), {"batches": claimed, "now": now, "v_claimed_until": lease_until})
    if fixed:
        connection.execute(_recipients_fixed(), fixed)
    return jobs, touched


def _bounds(resident_ids: str) -> tuple[int, int]:
    """The first and last of the ascending ids a batch lists."""
    return int(resident_ids.split(",", 1)[0]), int(resident_ids.rsplit(",", 1)[-1])


def _sendable_joined(connection: sa.Connection, listings: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """For each listing (a batch's ``resident_ids``): the ids and the LINE user ids of the residents in its id
    range who may be sent to, each joined up (``_sendable_lists_many``, ``_sendable_lists_sqlite``): one
    statement for every listing of a claim (a statement costs more than the work it does for 500 residents)."""
    if not listings:
        return {}
    if connection.dialect.name != "postgresql":
        joined: dict[str, tuple[str | None, str | None]] = {}
        for start in range(0, len(listings), SQLITE_RANGES):
            group = listings[start:start + SQLITE_RANGES]
            bounds = {f"{side}_{number}": value for number, listing in enumerate(group)
                      for side, value in zip(("low", "high"), _bounds(listing), strict=True)}
            for number, ids, users in connection.execute(_sendable_lists_sqlite(len(group)), bounds):
                joined[group[number]] = (ids, users)
        return joined
    lows, highs = zip(*(_bounds(listing) for listing in listings), strict=True)
    rows = connection.execute(_sendable_lists_many(), {"lows": list(lows), "highs": list(highs)}).all()
    return {listings[number - 1]: (ids, users) for number, ids, users in rows}


def _listed_recipients(connection: sa.Connection, resident_ids: str, joined: tuple[str | None, str | None],
                       report: SendReport) -> tuple[list[str], bool]:
    """The LINE user ids of the listed residents who may still be sent to (following, with consent, not
    deleted), and whether that is every listed resident.

    The others are counted as skipped with the reason. Listed ids are ascending, so the residents who may be
    sent to are read along the primary key in one range (a few hundred rows; residents in it who are not
    listed are ignored), already ``joined`` up; the reasons are looked up only for the listed residents
    missing from it.
    """
    low, high = _bounds(resident_ids)
    postgres = connection.dialect.name == "postgresql"
    # Usually every resident in the range is listed and may be sent to (a broadcast to all, nobody left since):
    # then the ids the database joined up equal the list, and its joined-up user ids are the recipients, with no
    # work per resident here.
    ids, users_text = joined
    if ids == resident_ids:
        return split_ids(users_text), True
    listed = [int(value) for value in split_ids(resident_ids)]
    sendable = dict(connection.execute(_sendable_in_range(), {"low": low, "high": high}).all())
    users = [sendable[resident_id] for resident_id in listed if resident_id in sendable]
    if len(users) < len(listed):
        left = [resident_id for resident_id in listed if resident_id not in sendable]
        found = dict(connection.execute(_resident_states(postgres), {"ids": left}).all())
        for resident_id in left:
            state = found.get(resident_id)
            reason = (skip_reason(None) if state is None
                      else skip_reason(ResidentStatus(state)) or "resident-no-consent")
            report.skipped[reason] += 1
    return users, False


def _listed_again(connection: sa.Connection, resident_ids: str) -> list[str]:
    """The LINE user ids of every listed resident, whatever their state now: the recipients of a first request
    that went to all of them, for its retry (the same request). A resident whose data was deleted since is no
    longer there to be read, and is left out."""
    low, high = _bounds(resident_ids)
    listed = set(split_ids(resident_ids))
    return [user for resident_id, user in connection.execute(_users_in_range(), {"low": low, "high": high})
            if str(resident_id) in listed]


@functools.cache
def _sendable_lists_sqlite(count: int) -> sa.TextClause:
    """SQLite: for ``count`` id ranges (``low_0``, ``high_0``…), the ids and LINE user ids of the residents in
    each who may be sent to, joined up as ``id_list`` writes them; one row per range, numbered from 0.

    Each range is read along the primary key, so both aggregates join its rows in id order (were the order
    ever another, the ids would not equal the list and the exact path is taken).
    """
    arm = ("SELECT {n}, group_concat(id, ','), group_concat(line_user_id, ',') FROM resident "
           "WHERE id BETWEEN :low_{n} AND :high_{n} AND status = 'active' AND consent_at IS NOT NULL")
    return sa.text(" UNION ALL ".join(arm.format(n=number) for number in range(count)))


@functools.cache
def _sendable_lists_many() -> sa.TextClause:
    """PostgreSQL: for several id ranges, the ids and LINE user ids of the residents in each who may be sent to,
    joined up as ``id_list`` writes them, in id order (both lists in the same order: the two aggregates read the
    same rows); one row per range, numbered from 1 in the order given."""
    return sa.text(
        "SELECT ranges.n, joined.ids, joined.users "
        "FROM unnest(CAST(:lows AS integer[]), CAST(:highs AS integer[])) WITH ORDINALITY AS ranges(low, high, n) "
        "CROSS JOIN LATERAL (SELECT string_agg(id::text, ','), string_agg(line_user_id, ',') "
        "FROM (SELECT id, line_user_id FROM resident WHERE id BETWEEN ranges.low AND ranges.high "
        "AND status = 'active' AND consent_at IS NOT NULL ORDER BY id) AS listed) AS joined(ids, users)")


@functools.cache
def _sendable_in_range() -> sa.Select:
    """Residents with ids in a range who may be sent to a broadcast: (id, LINE user id)."""
    return (sa.select(Resident.id, Resident.line_user_id)
            .where(Resident.id.between(sa.bindparam("low"), sa.bindparam("high")),
                   Resident.status == ResidentStatus.ACTIVE, Resident.consent_at.is_not(None)))


@functools.cache
def _users_in_range() -> sa.Select:
    """Every resident with an id in a range, in id order: (id, LINE user id)."""
    return (sa.select(Resident.id, Resident.line_user_id)
            .where(Resident.id.between(sa.bindparam("low"), sa.bindparam("high"))).order_by(Resident.id))


@functools.cache
def _resident_states(postgres: bool) -> sa.Select:
    """(id, status as text) of the residents with these ids."""
    return sa.select(Resident.id, sa.type_coerce(Resident.status, sa.String)).where(
        db.one_of(Resident.id, "ids", postgres=postgres))


@functools.cache
def _recipients_fixed() -> sa.Update:
    """Record the recipients of a listing batch's first request (executed for many batches at once)."""
    table = DeliveryBatch.__table__
    return (table.update().where(table.c.id == sa.bindparam("b_id"))
            .values(recipients=sa.bindparam("b_recipients"), size=sa.bindparam("b_size")))


# The statements of the batch path are built once (they run for every 500 recipients).

@functools.cache
def _batches_query(*, vanished: bool, emergency_only: bool) -> sa.Select:
    """The next batches to claim, locked: the ids are chosen (and locked) by a narrow subquery, then their rows
    are read. Sorting whole rows let PostgreSQL sort every due batch with its listed residents on each claim
    (megabytes for a million residents) whenever its statistics had the table small."""
    chosen = sa.select(DeliveryBatch.id).limit(sa.bindparam("count")).with_for_update(skip_locked=True)
    if emergency_only:
        chosen = chosen.where(DeliveryBatch.kind.in_(ANYTIME_KINDS))
    if vanished:
        order = (DeliveryBatch.claimed_until, DeliveryBatch.id)
        chosen = chosen.where(DeliveryBatch.status == SENDING, DeliveryBatch.claimed_until <= sa.bindparam("now"))
    else:
        order = (DeliveryBatch.next_attempt_at, DeliveryBatch.id)
        chosen = chosen.where(DeliveryBatch.status == PENDING, DeliveryBatch.next_attempt_at <= sa.bindparam("now"))
    return (sa.select(DeliveryBatch.id, DeliveryBatch.retry_key, DeliveryBatch.content_hash, DeliveryBatch.attempts,
                      DeliveryBatch.first_attempt_at, DeliveryBatch.last_error, DeliveryBatch.resident_ids,
                      DeliveryBatch.recipients, DeliveryBatch.size, DeliveryBatch.broadcast_id)
            .where(DeliveryBatch.id.in_(chosen.order_by(*order).scalar_subquery())).order_by(*order))


def _members(postgres: bool) -> sa.ColumnElement[bool]:
    """The claimed batches' rows not finished: they stay pending while the batch is tried (the batch is locked
    by the claim; cancelling locks it too, see ``push.outbox.lock_batches``)."""
    return db.one_of(Delivery.batch_id, "batches", postgres=postgres) & (Delivery.status == PENDING)


@functools.cache
def _members_query(postgres: bool) -> sa.Select:
    return (sa.select(Delivery.batch_id, Delivery.id, Delivery.line_user_id).where(_members(postgres))
            .order_by(Delivery.batch_id, Delivery.id))


@functools.cache
def _inactive_query(postgres: bool) -> sa.Select:
    """The claimed batches' rows whose resident is not active (blocked, or gone: status None). The status is
    looked up row by row through the resident's unique index (see ``_resident_status``): a join let
    PostgreSQL hash the whole resident table on every claim."""
    status = _resident_status()
    rows = (sa.select(Delivery.batch_id, Delivery.id, status, sa.null().label("first_attempt_at"))
            .where(_members(postgres)).subquery())
    return sa.select(rows).where(sa.func.coalesce(rows.c.resident_status, "") != ResidentStatus.ACTIVE.value)


@functools.cache
def _batches_claimed(postgres: bool) -> sa.Update:
    return (sa.update(DeliveryBatch).where(db.one_of(DeliveryBatch.id, "batches", postgres=postgres))
            .values(status=SENDING, claimed_until=sa.bindparam("v_claimed_until"), attempts=DeliveryBatch.attempts + 1,
                    first_attempt_at=sa.func.coalesce(DeliveryBatch.first_attempt_at,
                                                      sa.bindparam("now", type_=db.UTCDateTime()))))


def _drop_unsendable(connection: sa.Connection, rows: list, now: datetime, report: SendReport, *,
                     window: bool = True) -> list:
    """Cancel rows of blocked or unknown residents and, with ``window``, fail rows past the retry-key window;
    keep the rest."""
    keep, closing = [], {}
    active = ResidentStatus.ACTIVE.value
    for row in rows:
        reason = None if row.resident_status == active else skip_reason(
            None if row.resident_status is None else ResidentStatus(row.resident_status))
        if reason is not None:
            closing.setdefault((DeliveryStatus.CANCELLED, reason), []).append(row.id)
            report.skipped[reason] += 1
        elif window and row.first_attempt_at is not None and now - row.first_attempt_at >= RETRY_KEY_WINDOW:
            closing.setdefault((DeliveryStatus.FAILED, "retry-window-over"), []).append(row.id)
            report.failed += 1
            report.failures["retry-window-over"] += 1
        else:
            keep.append(row)
    for (status, reason), ids in closing.items():
        connection.execute(sa.update(Delivery).where(_id_in(connection, ids))
                           .values(status=status, last_error=reason, claimed_until=None))
    return keep


def _attach_messages(connection: sa.Connection, jobs: Iterable[_Job],
                     cache: OrderedDict[str, Messages | LineApiError]) -> None:
    """Give each job its messages, read and parsed once per content (a small cache spans the pass)."""
    jobs = list(jobs)
    missing = {job.content_hash for job in jobs} - cache.keys()
    if missing:
        stored = dict(connection.execute(
            sa.select(DeliveryContent.content_hash, DeliveryContent.messages)
            .where(DeliveryContent.content_hash.in_(missing))
        ).all())
        for digest in missing:
            cache[digest] = _parse(stored.get(digest))
    for job in jobs:
        job.messages = cache[job.content_hash]
        cache.move_to_end(job.content_hash)
    while len(cache) > CONTENT_CACHE:
        cache.popitem(last=False)


def _parse(stored: list[dict] | None) -> Messages | LineApiError:
    if stored is None:
        return LineApiError(None, "stored messages missing", retryable=False)
    try:
        return build.prepared(build.from_stored(stored))
    except (TypeError, ValueError) as error:
        return LineApiError(None, f"stored messages unreadable: {error}", retryable=False)


# --- sending and recording -------------------------------------------------------------------------


def _send(line: LineClient, job: _Job) -> LineApiError | None:
    """Make one request; None when LINE accepted it now or before (409), else the error."""
    if isinstance(job.messages, LineApiError):
        return job.messages
    try:
        if job.endpoint == "push":
            line.push(job.recipients[0], job.messages, retry_key=job.retry_key)
        else:
            line.multicast(job.recipients, job.messages, retry_key=job.retry_key,
                           aggregation_unit=job.aggregation_unit)
    except LineApiError as error:
        return error
    return None


def _record(connection: sa.Connection, outcomes: Sequence[tuple[_Job, Outcome]], now: datetime,
            backoff: Backoff, rng: random.Random, report: SendReport) -> bool:
    """Write outcomes and release jobs not tried; rows another worker took are left alone.

    Returns True when no job was tried because their deadline had passed (the lease is too short for
    even one request: claiming again would spin).
    """
    sent_singles, sent_batches = [], []
    tried = expired = 0
    for job, outcome in outcomes:
        size = len(job.recipients)
        if outcome is NOT_TRIED:
            report.released += size
            expired += 1
            _release(connection, job, now)
            continue
        tried += 1
        if job.endpoint == "push":
            report.pushes += 1
        else:
            report.multicasts += 1
        if outcome is None:
            report.sent += size
            if job.batch_id is None:
                sent_singles += job.delivery_ids
            else:
                sent_batches.append(job.batch_id)
            continue
        error = outcome
        assert isinstance(error, LineApiError)
        if error.retryable and not monthly_limit(error) and now - job.first_attempt_at < RETRY_KEY_WINDOW:
            report.retried += size
            report.retry_reasons[_reason(error)] += size
            _retry(connection, job, now + backoff.delay(job.attempts, rng, error.retry_after), str(error))
            continue
        reason = ("monthly-limit" if monthly_limit(error)
                  else _reason(error) if not error.retryable else "retry-window-over")
        report.failed += size
        report.failures[reason] += size
        log.warning("push.failed", extra={"endpoint": job.endpoint, "status": error.status,
                                          "reason": reason, "n_recipients": size})
        message = str(error) if not error.retryable or monthly_limit(error) else f"retry-window-over: {error}"
        if job.batch_id is None:
            _finish_single(connection, job.delivery_ids, DeliveryStatus.FAILED, now, message)
        else:
            _finish_batch(connection, job.batch_id, DeliveryStatus.FAILED, now, message)
    if sent_singles:
        _finish_single(connection, sent_singles, DeliveryStatus.SENT, now, None)
    if sent_batches:
        _finish_batches(connection, sent_batches, DeliveryStatus.SENT, now, None)
    return expired > 0 and tried == 0


def monthly_limit(error: LineApiError) -> bool:
    """True for LINE's 429 "You have reached your monthly limit.": retrying cannot help until the quota grows."""
    return error.status == 429 and "monthly limit" in (error.message or "").lower()


def _reason(error: LineApiError) -> str:
    """A short reason for counting: the HTTP status, or "no-answer"."""
    return "no-answer" if error.status is None else str(error.status)


def _finish_single(connection: sa.Connection, ids: list[int], status: DeliveryStatus, now: datetime,
                   error: str | None) -> None:
    values: dict = {"status": status, "claimed_until": None, "last_error": error}
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    connection.execute(sa.update(Delivery).where(_id_in(connection, ids), sending_single()).values(**values))


def _finish_batch(connection: sa.Connection, batch_id: int, status: DeliveryStatus, now: datetime,
                  error: str | None) -> None:
    _finish_batches(connection, [batch_id], status, now, error)


def _finish_batches(connection: sa.Connection, batch_ids: list[int], status: DeliveryStatus, now: datetime,
                    error: str | None) -> None:
    """End these batches still open with ``status``, in one statement; their rows follow them
    (``Delivery.effective_status``)."""
    values = {"batches": batch_ids, "v_status": status, "v_last_error": error,
              "v_sent_at": now if status == DeliveryStatus.SENT else None}
    connection.execute(_batches_finished(connection.dialect.name == "postgresql"), values)


@functools.cache
def _batches_finished(postgres: bool) -> sa.Update:
    return (sa.update(DeliveryBatch)
            .where(db.one_of(DeliveryBatch.id, "batches", postgres=postgres), DeliveryBatch.status.in_(OPEN))
            .values(status=sa.bindparam("v_status"), claimed_until=None, last_error=sa.bindparam("v_last_error"),
                    sent_at=sa.bindparam("v_sent_at"), recipients=None))


def _retry(connection: sa.Connection, job: _Job, at: datetime, error: str) -> None:
    """Back to pending until ``at``; the next attempt repeats the same request under the same key.

    Guarded by the attempt count of this claim, as in ``_release``: a claim another worker has taken since
    is not ended by this one's answer.
    """
    values = {"status": PENDING, "next_attempt_at": at, "claimed_until": None, "last_error": error}
    if job.batch_id is None:
        connection.execute(sa.update(Delivery).where(Delivery.id == job.delivery_ids[0], sending_single(),
                                                     Delivery.attempts == job.attempts)
                           .values(**values))
    else:
        connection.execute(sa.update(DeliveryBatch)
                           .where(DeliveryBatch.id == job.batch_id, DeliveryBatch.status == SENDING,
                                  DeliveryBatch.attempts == job.attempts)
                           .values(**values))


def _release(connection: sa.Connection, job: _Job, now: datetime) -> None:
    """Give back a claimed job that was not tried, as it was before the claim (a batch never tried may still
    lose recipients who cancel, and one listing its residents reads them again).

    Each change is guarded by the attempt count of this claim, so a job another worker has claimed since
    (after the lease ran out) is left alone.
    """
    first = job.attempts == 1
    if job.batch_id is None:
        connection.execute(
            sa.update(Delivery).where(Delivery.id == job.delivery_ids[0], sending_single(),
                                      Delivery.attempts == job.attempts)
            .values(status=PENDING, claimed_until=None, attempts=job.attempts - 1,
                    first_attempt_at=None if first else Delivery.first_attempt_at))
        return
    connection.execute(
        sa.update(DeliveryBatch)
        .where(DeliveryBatch.id == job.batch_id, DeliveryBatch.status == SENDING,
               DeliveryBatch.attempts == job.attempts)
        .values(status=PENDING, claimed_until=None, next_attempt_at=now, attempts=job.attempts - 1,
                first_attempt_at=None if first else DeliveryBatch.first_attempt_at,
                recipients=None if first else DeliveryBatch.recipients))


def _renew(connection: sa.Connection, jobs: Iterable[_Job], until: datetime) -> list[_Job]:
    """Extend to ``until`` the lease of the claims these jobs still hold; returns the jobs whose claim was renewed.

    Each change is guarded by the attempt count of the job's claim, as in ``_release``: a row or batch another
    worker has claimed since (after the lease ran out) is left alone, and its job is not returned. One
    statement per attempt count and kind (rows pushed alone, batches), so a heartbeat stays small.
    """
    singles: dict[int, dict[int, _Job]] = {}
    batches: dict[int, dict[int, _Job]] = {}
    for job in jobs:
        if job.batch_id is None:
            singles.setdefault(job.attempts, {})[job.delivery_ids[0]] = job
        else:
            batches.setdefault(job.attempts, {})[job.batch_id] = job
    renewed: list[_Job] = []
    for attempts, by_id in singles.items():
        ids = connection.scalars(
            sa.update(Delivery)
            .where(_id_in(connection, list(by_id)), sending_single(), Delivery.attempts == attempts)
            .values(claimed_until=until).returning(Delivery.id))
        renewed += [by_id[i] for i in ids]
    for attempts, by_id in batches.items():
        ids = connection.scalars(
            sa.update(DeliveryBatch)
            .where(DeliveryBatch.id.in_(list(by_id)), DeliveryBatch.status == SENDING,
                   DeliveryBatch.attempts == attempts)
            .values(claimed_until=until).returning(DeliveryBatch.id))
        renewed += [by_id[i] for i in ids]
    return renewed

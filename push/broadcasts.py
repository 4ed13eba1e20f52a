"""Broadcasts: a text staff send to a segment of residents at a set time, after approval.

Life of a broadcast: ``create`` makes a draft; ``approve`` records one person's approval, and once there
are enough the broadcast is ``approved`` (``scheduled`` while its time is still ahead); ``plan_broadcasts``
(run by ``push plan`` and continuously by ``push worker``) puts every due one into the outbox, as
batches of up to 500 recipients that list their residents (one multicast each; see ``push.models``), and
marks it ``sending``; once none of its batches is waiting it is ``done``. ``cancel`` stops it at any
point before ``done`` (batches already tried go out with the recipients of their first request).

Planning never holds the database for long: the broadcast is first marked ``planning`` with a lease, then
its residents are planned ``PLAN_CHUNK`` at a time in id order, each chunk in its own short transaction
that also records how far planning has come (``planned_through``) and renews the lease; on SQLite the
planner pauses briefly between chunks so that writers waiting for the lock go first. A webhook thus
waits at most about one chunk behind it, and the sender claims the first batches as soon as their chunk is
committed. A planner that dies mid-way stops renewing; once its lease runs out the next run resumes from
the recorded resident on. Every chunk first checks that the cursor it read is still the broadcast's and
moves it on in the same transaction as its batches, so a resumed or raced planner never plans a resident
twice.

Approval rule: a broadcast to everyone (its segment uses the term ``all``) or an emergency broadcast needs
two different approvers; any other needs one. Approvers are people other than the creator: the creator
may never approve their own broadcast (``approve`` refuses), and an approval the creator gave before
this rule counts for nothing. Names are compared as ``same_person`` does: after Unicode NFKC
(full-width and half-width variants of one name are one name), trimming spaces, collapsing runs of
spaces and ignoring letter case; the same person approving twice counts once. A broadcast created
without a name (``created_by`` empty) has no known creator: it may be approved, and still needs the
required number of different approvers. Approving locks the broadcast's row, so approvals given at the
same moment in two processes are both counted.

Before a broadcast starts, its reach is checked against the month's quota left (LINE's quota minus its
consumption; no limit when LINE reports none). A broadcast that would exceed it is not started: it stays
approved with the reason in ``note`` (shown by ``push broadcast show``) and is tried again on the next run.
Non-emergency broadcasts due in quiet hours are planned for the end of them; emergencies go at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import db
from japanese.normalize import person
from japanese.normalize import same_person
from messaging.client import LineClient
from messaging.errors import LineApiError
from push import messages as push_messages
from push import quiet as quiet_hours
from push import segments
from push.models import Broadcast
from push.models import BroadcastApproval
from push.models import BroadcastStatus
from push.models import Delivery
from push.models import DeliveryBatch
from push.models import DeliveryStatus
from push.models import cancellable
from push.outbox import enqueue_residents
from push.outbox import lock_batches
from push.outbox import unfinished
from residents import service as residents

log = logging.getLogger(__name__)

BROADCAST_KIND = "broadcast"
MAX_TEXT = 5000  # LINE's limit for one text message, in characters (longer texts are split by replies)
OPEN = (BroadcastStatus.DRAFT, BroadcastStatus.APPROVED, BroadcastStatus.SCHEDULED)
DUE = (BroadcastStatus.APPROVED, BroadcastStatus.SCHEDULED)
PLANNING = BroadcastStatus.PLANNING
PLAN_CHUNK = 10_000  # residents read per planning transaction, written as 20 batch rows (a few ms)
PLAN_LEASE = timedelta(seconds=60)  # a planner that commits no chunk for this long is taken over
# On SQLite (one write lock for the whole database), seconds the planner waits after each chunk so that a
# writer waiting for the lock (a webhook, the sender) takes it first: such a writer tries again every
# ``db.SQLITE_LOCK_POLL``, so it waits at most about one chunk. PostgreSQL locks rows: no pause there.
PLAN_PAUSE = 0.004

QuotaCheck = Callable[[], int | None]  # messages left this month; None: no limit


class BroadcastError(ValueError):
    """A broadcast request that cannot be carried out (unknown id, wrong state, bad input)."""


@dataclass(frozen=True)
class PlanOutcome:
    """What ``plan_broadcasts`` did with one due broadcast: ``started`` with ``reach`` recipients, or not."""

    broadcast_id: int
    started: bool
    reach: int
    note: str | None = None


def is_all_residents(segment: segments.Segment) -> bool:
    """True when the segment uses the term ``all`` anywhere (treated as a send to every resident)."""
    if segment.is_all:
        return True
    if isinstance(segment, segments.Not):
        return is_all_residents(segment.inner)
    if isinstance(segment, segments.And | segments.Or):
        return any(is_all_residents(part) for part in segment.parts)
    return False


def required_approvals(broadcast: Broadcast) -> int:
    """Two different approvers for all-resident or emergency broadcasts, one otherwise."""
    return 2 if broadcast.emergency or is_all_residents(segments.parse(broadcast.segment)) else 1


def get(session: Session, broadcast_id: int, *, lock: bool = False) -> Broadcast:
    """The broadcast, or BroadcastError when there is none with this id; with ``lock``, its row is locked
    (``FOR UPDATE`` on PostgreSQL) and read afresh."""
    broadcast = (session.get(Broadcast, broadcast_id, with_for_update=True, populate_existing=True) if lock
                 else session.get(Broadcast, broadcast_id))
    if broadcast is None:
        raise BroadcastError(f"no broadcast {broadcast_id}")
    return broadcast


def create(session: Session, *, text: str, segment: str = "all", scheduled_at: datetime, now: datetime,
           emergency: bool = False, created_by: str | None = None) -> Broadcast:
    """A new draft broadcast; raises SegmentError for a bad segment, BroadcastError for bad text or time."""
    text = text.strip()
    if not text:
        raise BroadcastError("the text is empty")
    if len(text) > MAX_TEXT:
        raise BroadcastError(f"the text is longer than {MAX_TEXT} characters")
    if scheduled_at.tzinfo is None:
        raise BroadcastError("scheduled_at must be timezone-aware")
    parsed = segments.parse(segment)
    broadcast = Broadcast(text=text, segment=segment.strip() or str(parsed), scheduled_at=scheduled_at,
                          emergency=emergency, status=BroadcastStatus.DRAFT,
                          created_by=person(created_by) or None, created_at=now)
    session.add(broadcast)
    session.flush()
    return broadcast


def approve(session: Session, broadcast_id: int, approver: str, now: datetime) -> Broadcast:
    """Record ``approver``'s approval (once per person); the broadcast is approved when enough people other
    than its creator have approved it.

    Raises BroadcastError for an empty name, for the broadcast's creator and for a broadcast no longer open.
    """
    name = person(approver)
    if not name:
        raise BroadcastError("the approver's name is empty")
    broadcast = get(session, broadcast_id, lock=True)
    if broadcast.status not in OPEN:
        raise BroadcastError(f"broadcast {broadcast_id} is {broadcast.status.value}; it can no longer be approved")
    if same_person(name, broadcast.created_by):
        raise BroadcastError(f"{name} created broadcast {broadcast_id} and may not approve it; "
                             f"approvals must come from other people")
    if not any(same_person(name, earlier) for earlier in approvers(broadcast)):
        broadcast.approvals.append(BroadcastApproval(approver=name, at=now))
        session.flush()
    if len(approvers(broadcast)) >= required_approvals(broadcast):
        broadcast.status = BroadcastStatus.SCHEDULED if broadcast.scheduled_at > now else BroadcastStatus.APPROVED
    session.flush()
    return broadcast


def approvers(broadcast: Broadcast) -> list[str]:
    """The different people who approved the broadcast, in order, its creator left out (an approval the
    creator gave before creators were refused counts for nothing)."""
    names: list[str] = []
    for approval in broadcast.approvals:
        if not same_person(approval.approver, broadcast.created_by) and not any(
                same_person(approval.approver, name) for name in names):
            names.append(approval.approver)
    return names


def cancel(session: Session, broadcast_id: int, now: datetime) -> int:
    """Cancel the broadcast and its deliveries no worker holds; returns how many deliveries were cancelled."""
    broadcast = get(session, broadcast_id, lock=True)  # waits for a planning chunk in progress to commit
    if broadcast.status not in (*OPEN, PLANNING, BroadcastStatus.SENDING):
        raise BroadcastError(f"broadcast {broadcast_id} is {broadcast.status.value}; it cannot be cancelled")
    lock_batches(session, _deliveries_of(broadcast_id))  # rows planned one per resident (before batches listed them)
    cancelled = session.execute(
        sa.update(Delivery)
        .where(_deliveries_of(broadcast_id), cancellable())
        .values(status=DeliveryStatus.CANCELLED, last_error="broadcast-cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    # Batches never tried; on PostgreSQL the update waits for a claim in progress and then skips its batch.
    cancelled += sum(session.scalars(
        sa.update(DeliveryBatch)
        .where(DeliveryBatch.broadcast_id == broadcast_id, DeliveryBatch.status == DeliveryStatus.PENDING,
               DeliveryBatch.attempts == 0)
        .values(status=DeliveryStatus.CANCELLED, last_error="broadcast-cancelled")
        .returning(DeliveryBatch.size).execution_options(synchronize_session=False)
    ))
    broadcast.status = BroadcastStatus.CANCELLED
    broadcast.finished_at = now
    session.flush()
    return cancelled


def delivery_counts(session: Session, broadcast_id: int) -> dict[str, int]:
    """The broadcast's deliveries counted by status: the recipients of its batches, and its rows if it was
    planned one row per resident (before batches listed their residents)."""
    counts: dict[str, int] = {}
    status = Delivery.effective_status
    rows = session.execute(sa.select(status, sa.func.count()).where(_deliveries_of(broadcast_id))
                           .group_by(status)).all()
    batches = session.execute(sa.select(DeliveryBatch.status, sa.func.sum(DeliveryBatch.size))
                              .where(DeliveryBatch.broadcast_id == broadcast_id)
                              .group_by(DeliveryBatch.status)).all()
    for status, count in (*rows, *batches):
        value = DeliveryStatus(status).value
        counts[value] = counts.get(value, 0) + (count or 0)
    return counts


def failures(session: Session, broadcast_id: int) -> list[tuple[str, int]]:
    """Why the broadcast's failed deliveries failed: each reason LINE or the sender gave, with how many
    recipients it cost, the most first."""
    counts: dict[str, int] = {}
    rows = session.execute(sa.select(Delivery.last_error, sa.func.count())
                           .where(_deliveries_of(broadcast_id), Delivery.status == DeliveryStatus.FAILED)
                           .group_by(Delivery.last_error)).all()
    batches = session.execute(sa.select(DeliveryBatch.last_error, sa.func.sum(DeliveryBatch.size))
                              .where(DeliveryBatch.broadcast_id == broadcast_id,
                                     DeliveryBatch.status == DeliveryStatus.FAILED)
                              .group_by(DeliveryBatch.last_error)).all()
    for reason, count in (*rows, *batches):
        counts[reason or ""] = counts.get(reason or "", 0) + (count or 0)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def listing(session: Session, *, limit: int = 100) -> list[Broadcast]:
    """The latest broadcasts, newest first."""
    return list(session.scalars(sa.select(Broadcast).order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
                                .limit(limit)))


def quota_left(session: Session, line: LineClient) -> int | None:
    """Messages this month's quota still allows once what is queued is sent (None: no limit); raises
    LineApiError when LINE cannot be asked."""
    left = line_quota(line)()
    return None if left is None else left - queued(session)


def recipients(session: Session, segment: segments.Segment, today) -> list[str]:
    """The LINE user ids of the consenting, following residents in the segment on ``today``."""
    return [profile.line_user_id
            for profile in segments.members(segments.profiles_for(session, segment), segment, today)]


def line_quota(line: LineClient) -> QuotaCheck:
    """A quota check through the LINE client: the month's quota minus its consumption (None: no limit)."""

    def remaining() -> int | None:
        quota = line.get_quota()
        return None if quota is None else quota - line.get_quota_consumption()

    return remaining


def queued(session: Session) -> int:
    """Deliveries planned but not yet sent (each will count against the month's quota)."""
    return unfinished(session)


def plan_broadcasts(factory: sessionmaker[Session], now: datetime, *, timezone: ZoneInfo,
                    quota: QuotaCheck | None = None, quiet: quiet_hours.QuietHours | None = None,
                    chunk: int = PLAN_CHUNK, lease: timedelta = PLAN_LEASE, finish: bool = True,
                    pause: float = PLAN_PAUSE, monotonic: Callable[[], float] = time.monotonic) -> list[PlanOutcome]:
    """Put every approved broadcast due at ``now`` into the outbox, unless the month's quota forbids it, and
    take over the planning of any whose planner stopped renewing its lease.

    With ``finish``, also marks sending broadcasts with nothing left waiting as done. ``quota`` is asked at
    most once per run, and only when a new broadcast is due; each broadcast started uses up its reach from
    what it said. Later times in the run are ``now`` plus the seconds elapsed on ``monotonic``.

    Each broadcast is planned ``chunk`` residents per transaction (see the module docstring), with a
    ``pause`` in seconds between them on SQLite, so writers never wait long behind it and its first batches
    can be sent while the rest is planned.
    """
    started = monotonic()

    def at() -> datetime:
        return now + timedelta(seconds=monotonic() - started)

    if finish:
        with factory.begin() as session:
            _finish_sent(session, now)
    reader = db.read_only(factory)
    with reader.begin() as session:
        due = session.execute(
            sa.select(Broadcast.id, Broadcast.status, Broadcast.segment)
            .where((Broadcast.status.in_(DUE) & (Broadcast.scheduled_at <= now))
                   | ((Broadcast.status == PLANNING) & (Broadcast.planning_until <= now)))
            .order_by(Broadcast.status != PLANNING, Broadcast.scheduled_at, Broadcast.id)
        ).all()
    outcomes: list[PlanOutcome] = []
    left: int | None = None
    asked = False
    today = now.astimezone(timezone).date()
    for number, (broadcast_id, status, segment) in enumerate(due):
        resuming = status == PLANNING
        if not resuming and quota is not None:
            if not asked:
                asked = True
                try:
                    left = quota()
                    if left is not None:
                        with reader.begin() as session:
                            left -= queued(session)  # messages already waiting will use the quota too
                except LineApiError as error:
                    note = f"quota check failed: {error}"
                    waiting = [row.id for row in due[number:]]
                    _note(factory, waiting, note)
                    outcomes += [PlanOutcome(waiting_id, False, 0, note) for waiting_id in waiting]
                    log.warning("push.broadcast.quota_check_failed", extra={"reason": str(error)})
                    break
            if left is not None:
                with reader.begin() as session:
                    reach = segments.reach(session, segments.parse(segment), today)
                if reach > left:
                    note = (f"not started: reach {reach} would exceed the {max(left, 0)} messages "
                            f"left in this month's quota")
                    _note(factory, [broadcast_id], note)
                    log.warning("push.broadcast.over_quota",
                                extra={"broadcast": broadcast_id, "reach": reach, "left": left})
                    outcomes.append(PlanOutcome(broadcast_id, False, reach, note))
                    continue
        sqlite = factory.kw["bind"].dialect.name == "sqlite"
        outcome = _plan(factory, broadcast_id, now, at, resuming=resuming, chunk=chunk, lease=lease,
                        pause=pause if sqlite else 0.0, timezone=timezone, quiet=quiet, today=today)
        if outcome is None:  # another planner took it, or it was cancelled meanwhile
            continue
        outcomes.append(outcome)
        if left is not None and not resuming:
            left -= outcome.reach
    return outcomes


def _note(factory: sessionmaker[Session], broadcast_ids: list[int], note: str) -> None:
    """Record why these due broadcasts were not started (they are tried again on the next run)."""
    with factory.begin() as session:
        session.execute(sa.update(Broadcast).where(Broadcast.id.in_(broadcast_ids), Broadcast.status.in_(DUE))
                        .values(note=note))


def _plan(factory: sessionmaker[Session], broadcast_id: int, now: datetime, at: Callable[[], datetime], *,
          resuming: bool, chunk: int, pause: float, lease: timedelta, timezone: ZoneInfo,
          quiet: quiet_hours.QuietHours | None, today) -> PlanOutcome | None:
    """Plan one broadcast into the outbox, ``chunk`` residents per transaction, from where it stands.

    Starting takes the broadcast (``planning``, with a lease); each chunk then checks that it still holds
    it (its status and the cursor it last wrote), adds the deliveries of the next residents in id order
    and moves the cursor on, all in one short transaction. None when the broadcast was no longer due or
    planned by another (taken, cancelled); else the outcome once every resident is planned.
    """
    with factory.begin() as session:
        broadcast = get(session, broadcast_id, lock=True)
        if resuming:
            if (broadcast.status != PLANNING or broadcast.planning_until is None
                    or broadcast.planning_until > at()):
                return None
            log.warning("push.broadcast.planning_resumed",
                        extra={"broadcast": broadcast_id, "planned_through": broadcast.planned_through})
        else:
            if broadcast.status not in DUE or broadcast.scheduled_at > now:
                return None
            broadcast.status, broadcast.planned_at = PLANNING, now
            broadcast.planned_through, broadcast.reach, broadcast.note = 0, 0, None
        broadcast.planning_until = at() + lease
        cursor, planned_at = broadcast.planned_through or 0, broadcast.planned_at or now
        segment, emergency = segments.parse(broadcast.segment), broadcast.emergency
        messages = push_messages.stored(broadcast.text)
    kind = quiet_hours.EMERGENCY_KIND if emergency else BROADCAST_KIND
    send_after = planned_at if emergency else quiet_hours.next_allowed(planned_at, quiet, timezone)
    holds = (Broadcast.id == broadcast_id) & (Broadcast.status == PLANNING)
    first = True
    while True:
        if not first and pause:
            time.sleep(pause)  # let a writer waiting for SQLite's lock in first
        first = False
        with factory.begin() as session:
            # Compare and set: a planner that lost the broadcast (cancelled, or taken over after its lease
            # ran out) changes nothing. On PostgreSQL this also locks the row until the chunk commits.
            taken = session.execute(sa.update(Broadcast).where(holds, Broadcast.planned_through == cursor)
                                    .values(planning_until=at() + lease)).rowcount
            if taken != 1:
                log.warning("push.broadcast.planning_lost", extra={"broadcast": broadcast_id})
                return None
            if segment.is_all:  # every resident push may reach: no profile needs reading
                read = members = residents.push_member_ids(session, after=cursor, limit=chunk)
            else:
                page = residents.push_profile_page(session, after=cursor, limit=chunk, details=segment.needs_details)
                read = [profile.resident_id for profile in page]
                members = [profile.resident_id for profile in segments.members(page, segment, today)]
            enqueue_residents(session, members, broadcast_id=broadcast_id, kind=kind, messages=messages,
                              send_after=send_after)
            if read:
                cursor = read[-1]
                session.execute(sa.update(Broadcast).where(holds).values(
                    planned_through=cursor, reach=Broadcast.reach + len(members)))
                continue
            broadcast = session.get(Broadcast, broadcast_id, populate_existing=True)
            broadcast.planning_until = None
            if not broadcast.reach:
                broadcast.status, broadcast.finished_at = BroadcastStatus.DONE, at()
                broadcast.note = "no recipients in the segment"
                return PlanOutcome(broadcast_id, False, 0, broadcast.note)
            broadcast.status = BroadcastStatus.SENDING
            broadcast.note = (None if send_after <= planned_at
                              else f"held for quiet hours until {send_after.isoformat()}")
            log.info("push.broadcast.started", extra={"broadcast": broadcast_id, "reach": broadcast.reach})
            return PlanOutcome(broadcast_id, True, broadcast.reach)


def _finish_sent(session: Session, now: datetime) -> None:
    """Mark sending broadcasts whose deliveries are all finished as done."""
    for broadcast in session.scalars(sa.select(Broadcast).where(Broadcast.status == BroadcastStatus.SENDING)):
        if not unfinished(session, key_prefix=_key_prefix(broadcast.id), broadcast_id=broadcast.id):
            broadcast.status, broadcast.finished_at = BroadcastStatus.DONE, now


def _key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


def _deliveries_of(broadcast_id: int):
    return Delivery.key.startswith(_key_prefix(broadcast_id), autoescape=True)

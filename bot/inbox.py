"""The durable inbox of webhook events: stored by the webhook, claimed one at a time per chat, finished.

The webhook only calls ``accept`` (through ``GroupAccept``, which stores the webhooks of one process that
arrive together in one transaction): one short transaction that inserts the new events (``INSERT … ON
CONFLICT DO NOTHING`` on ``webhookEventId``, so a redelivery is a duplicate) and nothing else. Processors
(``bot.processor``) then ``claim`` events: a chat's events (a resident, or a group or room) are handed out
in event-timestamp order, and never two at once: an event is claimable only when no earlier event of its
chat is open and none is being delivered. The rule holds across processes: on SQLite the claim runs under
the one writer lock; on PostgreSQL it takes a transaction-level advisory lock on the chat before it looks
again, in a fresh statement, and locks the row with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from collections.abc import Sequence
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import db
from bot.models import CLOSED
from bot.models import OPEN
from bot.models import OPEN_SQL
from bot.models import InboundEvent
from bot.models import InboundStatus

log = logging.getLogger(__name__)

# LINE redelivers within about a day; event ids are kept a little longer, then purged.
KEEP_EVENT_IDS = timedelta(days=2)
CANDIDATES = 8  # claimable events looked at per claim at least (others may be taken by other processors meanwhile)


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` did with a webhook's events."""

    new: int
    duplicates: int
    skipped: int  # events without a usable webhookEventId


def accept(session: Session | sa.Connection, raw_events: Sequence[object], now: datetime) -> Accepted:
    """Store the events not seen before (one statement); ``raw_events`` are the event objects of the body.

    The webhook passes a bare connection (``db.statement_connection``): an ORM session would cost more than
    the insert itself."""
    rows, skipped = [], 0
    for raw in raw_events:
        row = _row(raw, now)
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    if not rows:
        return Accepted(0, 0, skipped)
    bind = session.get_bind() if isinstance(session, Session) else session
    new = len(session.execute(_INSERT_NEW[bind.dialect.name == "postgresql"], rows).all())
    return Accepted(new, len(rows) - new, skipped)


class GroupAccept:
    """``accept`` for the webhooks of one process, several in one transaction: a group commit.

    A request thread hands its events over and waits. When no transaction is under way, the thread that
    arrives runs one for every event handed over by then (its own included), commits, and hands each waiting
    thread its own result; events handed over meanwhile go in the next transaction, run by the first of their
    threads. Under load a process so takes the write lock once for many webhooks instead of once each (on
    SQLite the webhooks of a process would otherwise queue for it one by one); alone, a webhook waits for
    nobody. Each request still answers 200 only after its events are committed, and a failed transaction
    fails every request in it.
    """

    def __init__(self, transaction: Callable[[], ContextManager[sa.Connection]]) -> None:
        self._transaction = transaction
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[_Handed] = []
        self._running = False

    def accept(self, raw_events: Sequence[object], now: datetime) -> Accepted:
        """Store the events not seen before, together with other threads' (see the class); returns what was
        done with these."""
        handed = _Handed(raw_events, now)
        with self._lock:
            self._waiting.append(handed)
            lead = not self._running
            if lead:
                self._running = True
        if not lead:
            handed.done.wait()
            if not handed.lead:
                return handed.result()
        self._run()
        return handed.result()

    def _run(self) -> None:
        """Store everything handed over so far in one transaction; then let the next waiting thread lead."""
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            with self._transaction() as connection:
                stored = _accept_many(connection, [handed.rows for handed in batch])
            for handed, accepted in zip(batch, stored, strict=True):
                handed.accepted = accepted
        except BaseException as error:
            for handed in batch:
                handed.error = error
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting[0].lead = True  # it runs the next transaction when it wakes
                else:
                    self._running = False
                for handed in batch:
                    handed.done.set()
                if self._waiting:
                    self._waiting[0].done.set()


class _Handed:
    """One request's events waiting in a ``GroupAccept``, and what became of them."""

    def __init__(self, raw_events: Sequence[object], now: datetime) -> None:
        self.rows, self.skipped = [], 0
        for raw in raw_events:
            row = _row(raw, now)
            if row is None:
                self.skipped += 1
            else:
                self.rows.append(row)
        self.done = threading.Event()
        self.lead = False  # woken to run the next transaction rather than with its result
        self.accepted: tuple[int, int] | None = None  # (new, duplicates)
        self.error: BaseException | None = None

    def result(self) -> Accepted:
        if self.error is not None:
            raise self.error
        new, duplicates = self.accepted or (0, 0)
        return Accepted(new, duplicates, self.skipped)


def _accept_many(connection: sa.Connection, requests: list[list[dict]]) -> list[tuple[int, int]]:
    """Insert the rows of several requests in one statement; (new, duplicates) per request. An event two of
    them carry (LINE redelivering while the first is stored) counts as new for the first only.

    One statement commits by itself on PostgreSQL (``db.statement_connection``). More rows than SQLAlchemy
    puts in one (1,000) are inserted by several, each committed: when a later one fails, every request of
    the group fails and LINE sends them again, and the events stored already are duplicates then."""
    rows = [row for request_rows in requests for row in request_rows]
    new_ids = set()
    if rows:
        postgres = connection.dialect.name == "postgresql"
        new_ids = {event_id for (event_id,) in connection.execute(_INSERT_NEW[postgres], rows)}
    results = []
    for request_rows in requests:
        new = 0
        for row in request_rows:
            if row["webhook_event_id"] in new_ids:
                new_ids.discard(row["webhook_event_id"])
                new += 1
        results.append((new, len(request_rows) - new))
    return results


# The insert of ``accept`` on SQLite and on PostgreSQL (by "is PostgreSQL"), built once.
_INSERT_NEW = {postgres: (postgresql.insert if postgres else sqlite.insert)(InboundEvent.__table__)
               .on_conflict_do_nothing(index_elements=["webhook_event_id"])
               .returning(InboundEvent.__table__.c.webhook_event_id) for postgres in (False, True)}


def _row(raw: object, now: datetime) -> dict | None:
    """The inbox row of one event object, or None when it has no webhookEventId to dedupe it by."""
    if not isinstance(raw, dict):
        return None
    event_id = raw.get("webhookEventId")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
        return None
    return {
        "webhook_event_id": event_id,
        "line_user_id": chat_of(raw),
        "event_type": str(raw.get("type") or "")[:32],
        "event_time": _event_time(raw.get("timestamp"), now),
        "received_at": now,
        "status": InboundStatus.PENDING.value,
        "attempts": 0,
        "payload": raw,
    }


def chat_of(raw: dict) -> str:
    """The id events are ordered by: the user's, else the group's or room's ("" when the event has none)."""
    source = raw.get("source")
    if not isinstance(source, dict):
        return ""
    for key in ("userId", "groupId", "roomId"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value[:64]
    return ""


def _event_time(timestamp: object, now: datetime) -> datetime:
    """The event's time (LINE gives milliseconds since the epoch); the receipt time if it has none."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return now
    try:
        return datetime.fromtimestamp(timestamp / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return now


# --- claiming -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """An event a processor holds: new (``pending``, to be answered) or taken over (``answered``, to be
    delivered again: the processor that held it stopped renewing its lease, so it may have sent it)."""

    id: int
    webhook_event_id: str
    chat: str
    status: InboundStatus
    received_at: datetime
    event_time: datetime
    attempts: int  # claims before this one
    payload: dict | None  # the event as LINE sent it
    messages: list[dict] | None  # the stored answer of an answered event


def _claimable() -> sa.ColumnElement[bool]:
    """Events a processor may claim at the bound parameter ``now``.

    A pending event that no processor holds under a live lease (one is routing it), whose chat has no
    earlier open event and no event being delivered under a live lease, or an answered event whose lease
    ran out (its processor died or hung). Built once (Core, not ORM): the
    claim runs for every event, and building the expression anew cost more than running it.
    """
    this, other = InboundEvent.__table__, InboundEvent.__table__.alias("other_event")
    now = sa.bindparam("now", type_=this.c.claimed_until.type)
    earlier = (other.c.event_time < this.c.event_time) | (
        (other.c.event_time == this.c.event_time) & (other.c.id < this.c.id))
    held = (other.c.status == InboundStatus.ANSWERED) & (other.c.claimed_until > now)
    blocked = sa.exists().where(other.c.line_user_id == this.c.line_user_id, other.c.id != this.c.id,
                                other.c.status.in_(OPEN), earlier | held)
    # The open-status test is written as the partial indexes' own SQL (with literals, not parameters): only
    # then may the database read the open events through ``ix_inbound_event_open_id`` instead of every row.
    free = this.c.claimed_until.is_(None) | (this.c.claimed_until <= now)
    return sa.text(OPEN_SQL) & free & (((this.c.status == InboundStatus.PENDING) & ~blocked) | (
        this.c.status == InboundStatus.ANSWERED))


_EVENTS = InboundEvent.__table__
_ROW = (_EVENTS.c.id, _EVENTS.c.webhook_event_id, _EVENTS.c.line_user_id, _EVENTS.c.status, _EVENTS.c.received_at,
        _EVENTS.c.event_time, _EVENTS.c.attempts, _EVENTS.c.payload, _EVENTS.c.messages)
_CANDIDATES = sa.select(*_ROW).where(_claimable()).order_by(_EVENTS.c.id).limit(sa.bindparam("candidates"))
# PostgreSQL reads the rows again under lock (``_CLAIM_ROWS``): its candidates need only their ids and chats.
_CANDIDATE_KEYS = (sa.select(_EVENTS.c.id, _EVENTS.c.line_user_id).where(_claimable()).order_by(_EVENTS.c.id)
                   .limit(sa.bindparam("candidates")))
# Before either reads candidates, PostgreSQL is told for the rest of the transaction to walk the open events in
# id order and stop at the limit: left to its estimate of how many events pass the filter (a guess, and stale
# while a backlog builds up), its planner tests every open event and sorts those that pass, 3 ms per claim
# with 1,600 events open and 57 ms with 20,000 (0.7 ms walking), so that claims slow down as the backlog grows.
_WALK_IN_ORDER = sa.text("SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)")
_CLAIM_ROWS = (sa.select(*_ROW)
               .where(_EVENTS.c.id.in_(sa.bindparam("event_ids", expanding=True)), _claimable())
               .order_by(_EVENTS.c.id)
               .with_for_update(skip_locked=True, of=_EVENTS))
_LOCKING = (sa.func.unnest(sa.bindparam("chats", type_=postgresql.ARRAY(sa.String)))
            .table_valued("chat").render_derived())
_CHAT_LOCKS = sa.select(_LOCKING.c.chat, sa.func.pg_try_advisory_xact_lock(
    sa.func.hashtext(sa.literal("inbox:") + _LOCKING.c.chat)))


def claim(session: Session, now: datetime, limit: int = 1) -> list[Claim]:
    """Up to ``limit`` claimable events, at most one per chat, locked for this transaction (oldest first).

    The caller holds them in the same transaction (``hold``: a lease under its name) so that the claim is
    visible to every other processor once it commits. On SQLite the write transaction keeps every other
    writer out, so the first read is the claim. On PostgreSQL the chats are locked (advisory locks, taken in
    one statement; a chat another processor is claiming in is skipped) and the events read again, in a fresh
    statement, with ``FOR UPDATE SKIP LOCKED``.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    picked: dict[str, sa.Row] = {}
    if postgres:
        session.execute(_WALK_IN_ORDER)
    for row in session.execute(_CANDIDATE_KEYS if postgres else _CANDIDATES,
                               {"now": now, "candidates": max(CANDIDATES, 2 * limit)}):
        if len(picked) >= limit:
            break
        picked.setdefault(row.line_user_id, row)
    rows = list(picked.values())
    if rows and postgres:
        locked = {chat for chat, ok in session.execute(_CHAT_LOCKS, {"chats": list(picked)}) if ok}
        rows = session.execute(_CLAIM_ROWS, {"now": now, "event_ids": [row.id for chat, row in picked.items()
                                                                        if chat in locked]}).all() if locked else []
    return [Claim(row.id, row.webhook_event_id, row.line_user_id, InboundStatus(row.status), row.received_at,
                  row.event_time, row.attempts, row.payload, row.messages) for row in rows]


def claimable(session: Session, now: datetime) -> bool:
    """Whether any event is claimable at ``now`` (a read: in a read transaction it takes no lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_WALK_IN_ORDER)
    return session.execute(_CANDIDATES, {"now": now, "candidates": 1}).first() is not None


def hold(session: Session, event_ids: Sequence[int], *, lease_until: datetime, claimer: str) -> None:
    """Hold claimed events under this processor's name until ``lease_until`` (one more attempt each): new ones
    while they are answered, answered ones taken over while they are delivered. Others leave them alone."""
    if event_ids:
        session.execute(_HOLD, {"b_event_ids": list(event_ids), "b_lease_until": lease_until, "b_claimer": claimer})


_HOLD = (sa.update(_EVENTS).where(_EVENTS.c.id.in_(sa.bindparam("b_event_ids", expanding=True)))
         .values(claimed_until=sa.bindparam("b_lease_until"), claimer=sa.bindparam("b_claimer"),
                 attempts=_EVENTS.c.attempts + 1))


def mark_answered(session: Session, claim_: Claim, messages: list[dict], *, lease_until: datetime,
                  claimer: str) -> bool:
    """Store the answer and hold the event for delivery until ``lease_until``, while this processor still
    holds it (same transaction as the route's writes); returns whether it did."""
    result = session.execute(_MARK_ANSWERED, {"b_event_id": claim_.id, "b_claimer": claimer, "b_messages": messages,
                                              "b_lease_until": lease_until})
    return bool(result.rowcount)


def store_answers(session: Session, answers: Sequence[tuple[Claim, list[dict] | None]], *, lease_until: datetime,
                  claimer: str, silent: str) -> set[int]:
    """``mark_answered`` for a batch, in three statements: each event this processor still holds is held for
    delivery until ``lease_until`` with its answer, or, with None (nothing to send), closed as done with
    outcome ``silent``; returns the ids of those (the others went to another processor and are left alone)."""
    held = still_held(session, [claim_.id for claim_, _messages in answers], claimer, (InboundStatus.PENDING,))
    marks = [{"b_event_id": claim_.id, "b_claimer": claimer, "b_messages": messages, "b_lease_until": lease_until}
             for claim_, messages in answers if claim_.id in held and messages is not None]
    silents = [(claim_.id, silent) for claim_, messages in answers if claim_.id in held and messages is None]
    if marks:
        session.execute(_MARK_ANSWERED, marks)
    finish_all(session, silents, InboundStatus.DONE, claimer=claimer, held=held)
    return held


def still_held(session: Session, event_ids: Sequence[int], claimer: str,
               statuses: Sequence[InboundStatus] = OPEN) -> set[int]:
    """Those of the events ``claimer`` holds in one of ``statuses``, locked until the transaction ends on
    PostgreSQL (on SQLite the write transaction locks them all)."""
    if not event_ids:
        return set()
    return set(session.scalars(_STILL_HELD, {"b_event_ids": list(event_ids), "b_claimer": claimer,
                                             "b_statuses": list(statuses)}))


def finish_all(session: Session, outcomes: Sequence[tuple[int, str]], status: InboundStatus, *, claimer: str,
               held: set[int] | None = None) -> set[int]:
    """``finish`` for several events, each with its outcome, in one statement (two without ``held``, the ids
    of those this processor is known to hold, locked in this transaction); returns the ids closed."""
    if status not in CLOSED:
        raise ValueError(f"{status} does not close an event")
    if held is None:
        held = still_held(session, [event_id for event_id, _outcome in outcomes], claimer)
    rows = [{"b_event_id": event_id, "b_status": status, "b_outcome": outcome[:32], "b_claimer": claimer}
            for event_id, outcome in outcomes if event_id in held]
    if rows:
        session.execute(_FINISH_HELD, rows)
    return {row["b_event_id"] for row in rows}


# Core statements built once (the ORM's bulk UPDATE path costs more than the statement itself).
_STILL_HELD = (sa.select(_EVENTS.c.id)
               .where(_EVENTS.c.id.in_(sa.bindparam("b_event_ids", expanding=True)),
                      _EVENTS.c.claimer == sa.bindparam("b_claimer"),
                      _EVENTS.c.status.in_(sa.bindparam("b_statuses", expanding=True)))
               .with_for_update(of=_EVENTS))
_MARK_ANSWERED = (sa.update(_EVENTS)
                  .where(_EVENTS.c.id == sa.bindparam("b_event_id"), _EVENTS.c.claimer == sa.bindparam("b_claimer"),
                         _EVENTS.c.status == InboundStatus.PENDING)
                  .values(status=InboundStatus.ANSWERED, messages=sa.bindparam("b_messages"),
                          claimed_until=sa.bindparam("b_lease_until")))


def finish(session: Session, event_id: int, status: InboundStatus, outcome: str, *, claimer: str | None = None
           ) -> bool:
    """Close an event (done or failed) and forget what the resident wrote and what was answered.

    With ``claimer``, only while that processor still holds it; returns whether the row was closed.
    """
    if status not in CLOSED:
        raise ValueError(f"{status} does not close an event")
    statement = _FINISH if claimer is None else _FINISH_HELD
    result = session.execute(statement, {"b_event_id": event_id, "b_status": status, "b_outcome": outcome[:32],
                                         "b_claimer": claimer})
    return bool(result.rowcount)


_FINISH = (sa.update(_EVENTS)  # the open statuses spelled out: executemany (``finish_all``) takes no expanding IN
           .where(_EVENTS.c.id == sa.bindparam("b_event_id"), sa.or_(*(_EVENTS.c.status == status for status in OPEN)))
           .values(status=sa.bindparam("b_status", type_=_EVENTS.c.status.type), outcome=sa.bindparam("b_outcome"),
                   payload=None, messages=None, claimed_until=None))
_FINISH_HELD = _FINISH.where(_EVENTS.c.claimer == sa.bindparam("b_claimer"))


PURGE_CHUNK = 1000  # finished events deleted per transaction by ``purge``


def purge(factory: sessionmaker[Session], before: datetime, *, chunk: int = PURGE_CHUNK) -> int:
    """Delete finished events received before ``before``; returns how many. Open events are never touched.

    ``chunk`` events per short transaction of its own (``db.write_chunks``): a day's backlog of events never
    holds the database for long. Several processes may purge at once (a deleted event is not counted twice).
    """
    old = (InboundEvent.received_at < before) & InboundEvent.status.in_(CLOSED)
    deleted = 0

    def step(session: Session) -> bool:
        nonlocal deleted
        ids = list(session.scalars(sa.select(InboundEvent.id).where(old).order_by(InboundEvent.received_at)
                                   .limit(chunk)))
        if ids:
            postgres = session.get_bind().dialect.name == "postgresql"
            chosen = db.one_of(InboundEvent.id, "ids", postgres=postgres, values=ids)
            deleted += session.execute(sa.delete(InboundEvent).where(chosen, old)
                                       .execution_options(synchronize_session=False)).rowcount or 0
        return len(ids) == chunk

    db.write_chunks(factory, step)
    return deleted


def backlog(session: Session) -> int:
    """How many events are accepted but not finished."""
    return session.scalar(sa.select(sa.func.count()).select_from(InboundEvent)
                          .where(InboundEvent.status.in_(OPEN))) or 0


FLOOD_WINDOW = timedelta(minutes=1)


def burst(session: Session, claim_: Claim) -> int:
    """How many messages the claimed event's chat sent in the minute up to it, this one included (flood
    control).

    Counted by event time, so that a resident's burst is ranked the same whichever processor answers it.
    """
    return session.scalar(_BURST, {"chat": claim_.chat, "event_id": claim_.id, "event_time": claim_.event_time,
                                   "since": claim_.event_time - FLOOD_WINDOW}) or 0


def bursts(session: Session, claims: Sequence[Claim]) -> dict[int, int]:
    """``burst`` of each claimed event, by event id, from one statement for them all."""
    if not claims:
        return {}
    chats = {claim_.chat for claim_ in claims}
    since = min(claim_.event_time for claim_ in claims) - FLOOD_WINDOW
    until = max(claim_.event_time for claim_ in claims)
    sent: dict[str, list[tuple[datetime, int]]] = {}
    for chat, event_time, event_id in session.execute(_RECENT, {"chats": list(chats), "since": since,
                                                                "until": until}):
        sent.setdefault(chat, []).append((event_time, event_id))
    return {claim_.id: sum(1 for event_time, event_id in sent.get(claim_.chat, ())
                           if event_time > claim_.event_time - FLOOD_WINDOW
                           and (event_time, event_id) <= (claim_.event_time, claim_.id))
            for claim_ in claims}


_RECENT = sa.select(_EVENTS.c.line_user_id, _EVENTS.c.event_time, _EVENTS.c.id).where(
    _EVENTS.c.line_user_id.in_(sa.bindparam("chats", expanding=True)), _EVENTS.c.event_type == "message",
    _EVENTS.c.event_time > sa.bindparam("since", type_=_EVENTS.c.event_time.type),
    _EVENTS.c.event_time <= sa.bindparam("until", type_=_EVENTS.c.event_time.type))
_TIME = sa.bindparam("event_time", type_=_EVENTS.c.event_time.type)
_BURST = sa.select(sa.func.count()).select_from(_EVENTS).where(
    _EVENTS.c.line_user_id == sa.bindparam("chat"), _EVENTS.c.event_type == "message",
    _EVENTS.c.event_time > sa.bindparam("since", type_=_EVENTS.c.event_time.type),
    (_EVENTS.c.event_time < _TIME) | ((_EVENTS.c.event_time == _TIME) & (_EVENTS.c.id <= sa.bindparam("event_id"))))

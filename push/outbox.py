"""Putting deliveries into the outbox, idempotently, and taking a resident's pending ones out again.

Planning may run twice, or in two processes at once: a row is keyed by what it is (resident, rule or
broadcast, due date), and inserting an existing key does nothing (``INSERT … ON CONFLICT DO NOTHING`` on
SQLite and PostgreSQL). The retry key is drawn here, once, and never changes afterwards. Identical,
impersonal content goes into batches of up to 500 residents here too (one multicast each), so that sending
works batch by batch; the messages themselves are stored once per content (``DeliveryContent``).

A broadcast is planned differently (``enqueue_residents``): straight into batches that list their residents,
one row per 500 residents. Their residents are not cancelled one by one: a batch's first attempt leaves out
every resident who is no longer active, withdrew consent or was deleted (``push.sender``), which covers what
``cancel_for_resident`` does for rows.

A row may carry the push ``category`` it was planned under and ``tags`` (labels such as "baby" or a garbage
category), so that a resident's settings change cancels exactly the queued rows it made unwanted
(``cancel_queued``), in the transaction that changes the setting.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import db
from db import utcnow
from push.models import FINISHED
from push.models import OPEN
from push.models import Delivery
from push.models import DeliveryBatch
from push.models import DeliveryContent
from push.models import DeliveryStatus
from push.models import cancellable
from push.models import id_list
from push.models import in_open_tried_batch
from push.models import sending_single
from push.models import waiting_single

INSERT_CHUNK = 1000
MAX_MULTICAST = 500  # LINE's limit of user ids per multicast
MAX_REMEMBERED_CONTENTS = 10_000


@dataclass(frozen=True)
class PlannedDelivery:
    """What a planner wants sent: ``messages`` are LINE message dicts (``Message.to_dict()``).

    ``personal`` content (it names the resident, their child…) is pushed alone; other deliveries whose
    messages are identical may go together in one multicast.
    """

    key: str
    line_user_id: str
    kind: str
    messages: Sequence[dict]
    send_after: datetime
    personal: bool = False
    category: str | None = None  # the push category it was planned under (cancelled when switched off)
    tags: str | None = None  # labels to cancel it by, written by ``tag_text``


TAG_SEPARATOR = "|"


def tag_text(labels: Iterable[str]) -> str | None:
    """The ``tags`` value for ``labels`` ("|a|b|"), or None without any; "|" inside a label becomes "¦"."""
    cleaned = sorted({label.replace(TAG_SEPARATOR, "¦") for label in labels})
    return f"{TAG_SEPARATOR}{TAG_SEPARATOR.join(cleaned)}{TAG_SEPARATOR}" if cleaned else None


def content_hash(messages: Sequence[dict]) -> str:
    """A fingerprint of the messages: equal for identical content, whatever the dict order."""
    canonical = json.dumps(list(messages), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def enqueue(session: Session, items: Iterable[PlannedDelivery], *, batches: OpenBatches | None = None) -> int:
    """Insert the deliveries whose key is new, their content once, and the batches they go out in.

    Impersonal rows with the same content, kind and time fill batches of up to 500 different residents
    (one multicast each); personal rows stay alone (one push each). Returns how many rows were added.
    ``batches`` carries the open batches from one call to the next (a plan made in chunks of transactions).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = postgresql.insert if postgres else sqlite.insert
    connection = session.connection()
    # Content already stored is touched (created_at), so that a purge running meanwhile keeps it.
    new_content = insert(DeliveryContent.__table__)
    new_content = new_content.on_conflict_do_update(index_elements=["content_hash"],
                                                    set_={"created_at": new_content.excluded.created_at})
    # SQLite: executemany without RETURNING; the driver counts the rows really inserted (SQLAlchemy keeps the
    # count only when asked to). A key inserted meanwhile by another planner is skipped here too.
    new_rows = (insert(Delivery.__table__).on_conflict_do_nothing(index_elements=["key"])
                .execution_options(preserve_rowcount=True))
    known_keys = sa.select(Delivery.key).where(db.one_of(Delivery.key, "keys", postgres=postgres))
    stored: set[str] = set()  # contents inserted by this call
    batches = batches if batches is not None else OpenBatches()
    batches.begin(connection)
    added = 0
    iterator = iter(items)
    while chunk := list(islice(iterator, INSERT_CHUNK)):
        for item in chunk:
            if item.send_after.tzinfo is None:
                raise ValueError(f"{item.key}: send_after must be timezone-aware")
        existing = set(connection.scalars(known_keys, {"keys": [item.key for item in chunk]}))
        rows, contents = [], []
        hashes: dict[int, str] = {}  # id(messages) -> hash: planners pass the same list for identical content
        retry_keys = _retry_keys(len(chunk))
        for item in chunk:
            if item.key in existing:
                continue
            existing.add(item.key)  # the same key twice in one call: the first wins
            digest = hashes.get(id(item.messages))
            if digest is None:
                digest = hashes[id(item.messages)] = content_hash(item.messages)
            if digest not in stored:
                stored.add(digest)
                contents.append({"content_hash": digest, "messages": list(item.messages), "created_at": utcnow()})
            rows.append({
                "key": item.key,
                "line_user_id": item.line_user_id,
                "kind": item.kind,
                "content_hash": digest,
                "personal": item.personal,
                "category": item.category,
                "tags": item.tags,
                "retry_key": next(retry_keys),
                "send_after": item.send_after,
                "next_attempt_at": item.send_after,
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "batch_id": None if item.personal else batches.place(item, digest),
            })
        if contents:
            connection.execute(new_content, contents)
        if rows:
            added += _copy_rows(connection, rows) if postgres else connection.execute(new_rows, rows).rowcount
        if len(stored) > MAX_REMEMBERED_CONTENTS:  # personal content: one per row; keep memory flat
            stored.clear()
    return added


def enqueue_residents(session: Session, resident_ids: Sequence[int], *, broadcast_id: int, kind: str,
                      messages: Sequence[dict], send_after: datetime) -> int:
    """Plan ``messages`` for these residents (ascending ids) as batches of up to 500 that list their residents
    (a broadcast's: see ``push.models``); returns how many recipients were planned.

    One row per 500 residents and no delivery row per resident: a million residents are planned in a few
    seconds on either database. The batches are not keyed: the broadcast planner commits them with the
    cursor that says how far planning has come, so a resumed planner never plans a resident twice.
    """
    if send_after.tzinfo is None:
        raise ValueError("send_after must be timezone-aware")
    if not resident_ids:
        return 0
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = postgresql.insert if postgres else sqlite.insert
    connection = session.connection()
    digest = content_hash(messages)
    now = utcnow()
    new_content = insert(DeliveryContent.__table__)
    connection.execute(new_content.on_conflict_do_update(index_elements=["content_hash"],
                                                         set_={"created_at": new_content.excluded.created_at}),
                       {"content_hash": digest, "messages": list(messages), "created_at": now})
    ids = list(resident_ids)
    groups = [ids[start:start + MAX_MULTICAST] for start in range(0, len(ids), MAX_MULTICAST)]
    connection.execute(sa.insert(DeliveryBatch), [
        {"retry_key": key, "content_hash": digest, "kind": kind, "broadcast_id": broadcast_id,
         "resident_ids": id_list(group), "size": len(group), "status": DeliveryStatus.PENDING, "attempts": 0,
         "next_attempt_at": send_after, "created_at": now}
        for key, group in zip(_retry_keys(len(groups)), groups, strict=True)])
    return len(ids)


ROW_COLUMNS = ("key", "line_user_id", "kind", "content_hash", "personal", "category", "tags", "retry_key",
               "send_after", "next_attempt_at", "status", "attempts", "batch_id")


def _copy_rows(connection: sa.Connection, rows: list[dict]) -> int:
    """PostgreSQL: the rows through ``COPY`` into a temporary table, then inserted unless their key exists
    (another planner may have added it meanwhile); returns how many were inserted.

    COPY is PostgreSQL's bulk path: a million rows go in several times faster than by ``executemany``.
    """
    columns = ", ".join((*ROW_COLUMNS, "created_at"))
    now = utcnow()
    with connection.connection.driver_connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS delivery_stage "
                       "(LIKE delivery INCLUDING DEFAULTS) ON COMMIT DROP")
        with cursor.copy(f"COPY delivery_stage ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*(row[name] for name in ROW_COLUMNS), now))
        cursor.execute(f"INSERT INTO delivery ({columns}) SELECT {columns} FROM delivery_stage "
                       "ON CONFLICT (key) DO NOTHING")
        added = cursor.rowcount
        cursor.execute("TRUNCATE delivery_stage")
    return added


def _retry_keys(count: int) -> Iterator[uuid.UUID]:
    """``count`` random (version 4) UUIDs from one read of the system's random source."""
    pool = os.urandom(16 * count)
    return (uuid.UUID(bytes=pool[i:i + 16], version=4) for i in range(0, 16 * count, 16))


CARRY_MARGIN = timedelta(minutes=10)  # a batch from an earlier transaction is filled only this long before it is due


class OpenBatches:
    """The batches being filled: one open batch per (content, kind, time), across ``enqueue`` calls.

    A plan made in chunks (``push.planning.plan_day``: 500 residents per transaction) would otherwise start
    new batches in every chunk, and an area's reminder would go out in many small multicasts. A batch
    committed by an earlier call is filled further only while it is due more than ``CARRY_MARGIN`` after
    ``now`` (when the plan runs): the sender takes a batch once it is due, and a row added to a batch it has
    taken would not be sent.
    """

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now
        self._open: dict[tuple[str, str, datetime], tuple[int, set[str], int]] = {}
        self._call = 0
        self._connection: sa.Connection | None = None

    def begin(self, connection: sa.Connection) -> None:
        """Start an ``enqueue`` call on ``connection`` (its transaction)."""
        self._connection = connection
        self._call += 1

    def place(self, item: PlannedDelivery, digest: str) -> int:
        """The id of the batch ``item`` goes in; a new batch when the open one is full, has this resident, or
        was committed earlier and is due too soon to be filled further."""
        group = (digest, item.kind, item.send_after)
        current = self._open.get(group)
        if current is None or len(current[1]) >= MAX_MULTICAST or item.line_user_id in current[1] or (
                current[2] != self._call and not self._may_carry(item.send_after)):
            batch_id = self._connection.execute(
                sa.insert(DeliveryBatch).values(retry_key=uuid.uuid4(), content_hash=digest, kind=item.kind,
                                                status=DeliveryStatus.PENDING, attempts=0,
                                                next_attempt_at=item.send_after, created_at=utcnow())
            ).inserted_primary_key[0]
            current = self._open[group] = (batch_id, set(), self._call)
        current[1].add(item.line_user_id)
        return current[0]

    def _may_carry(self, send_after: datetime) -> bool:
        return self._now is not None and send_after - self._now > CARRY_MARGIN


def cancel_for_resident(session: Session, line_user_id: str, reason: str = "resident-stopped") -> int:
    """Cancel the resident's deliveries that no worker holds (unfollow, 配信停止, data deletion).

    Rows of a multicast batch that was tried stay in it: the batch is retried with the same recipients and
    body under its retry key, or LINE could accept the resident twice. Returns how many rows were cancelled.
    A broadcast's batches hold no rows: they leave the resident out when first tried, as the resident's
    status, consent or row (changed in the same transaction as this call) then says.
    """
    return cancel_queued(session, line_user_id, reason=reason)


def cancel_queued(session: Session, line_user_id: str, *, kind: str | None = None, category: str | None = None,
                  tags: Iterable[str] | None = None, key_part: str | None = None,
                  reason: str = "resident-stopped") -> int:
    """Cancel the resident's rows not yet tried that match every filter given; returns the count.

    ``kind`` and ``category`` must equal the row's; ``tags``: the row carries at least one of them (none
    given: nothing matches); ``key_part``: the key holds it between two colons (``lifestage:r:child-7:day``
    matches "child-7", not "child-70"). As in ``cancel_for_resident``, rows of a batch already tried and
    rows a worker is sending are left alone (``push.models.cancellable``).
    """
    where = [Delivery.line_user_id == line_user_id]
    if kind is not None:
        where.append(Delivery.kind == kind)
    if category is not None:
        where.append(Delivery.category == category)
    if tags is not None:
        labels = [tag_text([tag]) for tag in tags]
        if not labels:
            return 0
        where.append(sa.or_(*(Delivery.tags.contains(label, autoescape=True) for label in labels)))
    if key_part is not None:
        where.append(Delivery.key.contains(f":{key_part}:", autoescape=True))
    lock_batches(session, sa.and_(*where))
    result = session.execute(
        sa.update(Delivery)
        .where(*where, cancellable())
        .values(status=DeliveryStatus.CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def lock_batches(session: Session, rows: sa.ColumnElement[bool]) -> None:
    """On PostgreSQL, share-lock the open batches of these rows before they are cancelled or deleted.

    A worker claims a batch with ``FOR UPDATE``: the lock waits for a claim in progress, and the next
    statement then sees the batch as tried and leaves its rows alone; a batch locked here is skipped by
    claims until this transaction ends. SQLite runs one writer at a time and needs nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    batches = sa.select(Delivery.batch_id).where(rows, Delivery.batch_id.is_not(None)).distinct().scalar_subquery()
    session.execute(sa.select(DeliveryBatch.id).where(DeliveryBatch.id.in_(batches),
                                                      DeliveryBatch.status.in_(OPEN)).with_for_update(read=True))


def forget_resident(session: Session, line_user_id: str) -> int:
    """Delete the resident's rows that no worker holds and no batch needs (「データ削除」); returns the count.

    Rows of a tried batch that may still be retried are kept until the batch is finished. Content no other
    row uses (a personal message naming the resident's child) goes with the rows. A broadcast's batch holds
    the resident's LINE user id only from its first attempt until it is finished (its retries repeat it);
    before that it lists only their resident id, which names nobody once the resident row is deleted.
    """
    lock_batches(session, Delivery.line_user_id == line_user_id)
    ours = (Delivery.line_user_id == line_user_id) & (Delivery.status != DeliveryStatus.SENDING) & ~(
        (Delivery.status == DeliveryStatus.PENDING) & in_open_tried_batch())
    contents = set(session.scalars(sa.select(Delivery.content_hash).where(ours).distinct()))
    result = session.execute(sa.delete(Delivery).where(ours).execution_options(synchronize_session=False))
    if contents:
        _delete_unused_content(session, DeliveryContent.content_hash.in_(contents))
    return result.rowcount


def unfinished(session: Session, *, key_prefix: str | None = None, broadcast_id: int | None = None) -> int:
    """How many deliveries are planned but not finished (pending or being sent): all, or those of rows keyed
    ``key_prefix…`` and of the batches of ``broadcast_id`` (when either is given).

    Rows are counted in three parts that each use one partial index: rows waiting alone, rows being pushed
    alone, and rows of batches still open; then the recipients of open batches that list their residents.
    """
    def keyed(query: sa.Select) -> sa.Select:
        if key_prefix is None:
            return query if broadcast_id is None else query.where(sa.false())
        return query.where(Delivery.key.startswith(key_prefix, autoescape=True))

    count = sa.select(sa.func.count()).select_from(Delivery)
    total = 0
    for condition in (waiting_single(), sending_single()):
        total += session.scalar(keyed(count.where(condition))) or 0
    total += session.scalar(keyed(
        count.join(DeliveryBatch, Delivery.batch_id == DeliveryBatch.id)
        .where(DeliveryBatch.status.in_(OPEN), Delivery.status == DeliveryStatus.PENDING)
    )) or 0
    listed = (sa.select(sa.func.coalesce(sa.func.sum(DeliveryBatch.size), 0))
              .where(DeliveryBatch.status.in_(OPEN), DeliveryBatch.resident_ids.is_not(None)))
    if broadcast_id is not None:
        listed = listed.where(DeliveryBatch.broadcast_id == broadcast_id)
    elif key_prefix is not None:
        listed = listed.where(sa.false())
    total += session.scalar(listed) or 0
    return total


PURGE_CHUNK = 2000  # deliveries, batches or contents deleted per transaction by ``purge_finished``


def purge_finished(factory: sessionmaker[Session], before: datetime, *, chunk: int = PURGE_CHUNK) -> int:
    """Delete finished deliveries due before ``before`` (sent, failed or cancelled, themselves or through
    their batch), the batches left unused, finished batches listing their residents due before ``before``,
    and content left unused; returns how many deliveries (rows, and residents of such batches) were deleted.

    Deliveries still waiting or being sent are never touched. Content is deleted only when last stored
    before ``before``: a planner storing it again touches it. Works ``chunk`` rows per short transaction of
    its own (``db.write_chunks``), each chosen by id and deleted under the same condition again, so that a
    row that changed in between (a batch retried) stays and several processes may purge at once.
    """
    in_finished_batch = sa.exists().where(DeliveryBatch.id == Delivery.batch_id, DeliveryBatch.status.in_(FINISHED))
    old_rows = (Delivery.send_after < before) & (
        Delivery.status.in_(FINISHED) | ((Delivery.status == DeliveryStatus.PENDING) & in_finished_batch))
    listed = (DeliveryBatch.status.in_(FINISHED) & DeliveryBatch.resident_ids.is_not(None)
              & (DeliveryBatch.next_attempt_at < before))
    old_batches = DeliveryBatch.status.in_(FINISHED) & sa.or_(
        listed, DeliveryBatch.resident_ids.is_(None) & ~sa.exists().where(Delivery.batch_id == DeliveryBatch.id))
    deleted = 0

    def rows(session: Session) -> bool:
        nonlocal deleted
        ids = _chosen(session, Delivery.id, old_rows, chunk)
        deleted += _delete_chosen(session, Delivery, ids, old_rows)
        return len(ids) == chunk

    def batches(session: Session) -> bool:
        nonlocal deleted
        ids = _chosen(session, DeliveryBatch.id, old_batches, chunk)
        chosen = _one_of(session, DeliveryBatch.id, ids)
        deleted += session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DeliveryBatch.size), 0))
                                  .where(chosen, listed)) or 0
        _delete_chosen(session, DeliveryBatch, ids, old_batches)
        return len(ids) == chunk

    def contents(session: Session) -> bool:
        hashes = _chosen(session, DeliveryContent.content_hash, _unused_content(DeliveryContent.created_at < before),
                         chunk)
        _delete_unused_content(session, _one_of(session, DeliveryContent.content_hash, hashes)
                               & (DeliveryContent.created_at < before))
        return len(hashes) == chunk

    for step in (rows, batches, contents):
        db.write_chunks(factory, step)
    return deleted


def _chosen(session: Session, column: sa.ColumnElement, which: sa.ColumnElement[bool], chunk: int) -> list:
    """The next ``chunk`` values of ``column`` (a key) among the rows ``which`` selects, in key order."""
    return list(session.scalars(sa.select(column).where(which).order_by(column).limit(chunk)))


def _one_of(session: Session, column: sa.ColumnElement, values: list) -> sa.ColumnElement[bool]:
    return db.one_of(column, "chosen", postgres=session.get_bind().dialect.name == "postgresql", values=values)


def _delete_chosen(session: Session, model: type, ids: list[int], which: sa.ColumnElement[bool]) -> int:
    """Delete the rows with these ids that ``which`` still selects; returns how many."""
    if not ids:
        return 0
    return session.execute(sa.delete(model).where(_one_of(session, model.id, ids), which)
                           .execution_options(synchronize_session=False)).rowcount or 0


def _unused_content(which: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """The content ``which`` selects that no row and no batch uses (a broadcast's batches have no rows)."""
    return sa.and_(which, ~sa.exists().where(Delivery.content_hash == DeliveryContent.content_hash),
                   ~sa.exists().where(DeliveryBatch.content_hash == DeliveryContent.content_hash))


def _delete_unused_content(session: Session, which: sa.ColumnElement[bool]) -> None:
    """Delete the content ``which`` selects that no row and no batch uses."""
    session.execute(sa.delete(DeliveryContent).where(_unused_content(which))
                    .execution_options(synchronize_session=False))

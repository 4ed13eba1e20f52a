"""Outbox rows: one ``Delivery`` per (resident, rule or broadcast, due date), ``DeliveryContent`` for the
messages (stored once per distinct content, however many residents get it), and ``DeliveryBatch`` for a
multicast request that carries several deliveries with identical content.

Rows of identical, impersonal content are put into batches of up to 500 recipients when they are planned
(``push.outbox.enqueue``); personal rows are pushed alone. A delivery's ``retry_key`` (or its batch's) is
fixed when it is planned; every retry reuses the key with the same recipients and body, so LINE accepts
each at most once (a repeat answers 409). Until a batch is first tried its rows may still be cancelled;
from then on its recipients are fixed. A batch is the unit of sending: it holds the attempts, the lease,
the outcome and the error, and its rows stay ``pending`` (a row cancelled before the first attempt says
so itself); ``Delivery.effective_status`` reads a row's status through its batch. Sending 500 residents
then writes one row, not 500. ``next_attempt_at``
is when a pending row or batch may be claimed; ``claimed_until`` is the lease of one being sent, after
which another worker may claim it again.

The outbox keeps weeks of finished rows, so its indexes are partial: the claim index holds only pending
rows outside a batch, the lease index only rows being pushed, the batch index only batched rows. A
status change then touches small indexes, and a query uses them only when it states their condition
literally: build such queries with ``waiting_single`` and ``sending_single`` below (the batch index
serves ``batch_id = …``, which implies its condition).

A broadcast is planned straight into batches that list their residents (``DeliveryBatch.resident_ids``),
without a delivery row per resident: a million residents are 2,000 rows, not a million. Such a batch is
cancelled as a whole (``push.broadcasts.cancel``); a resident who unfollows, stops pushes or deletes their
data is left out when the batch is first tried, which reads every recipient's current state anyway. When its
first request goes to every listed resident (the usual case) a retry reads their LINE user ids again by
resident id, whatever their state now, and sends the same request (a resident whose data was deleted since is
gone and left out); otherwise the first attempt fixes the request's LINE user ids in ``recipients`` for the
retries, and finishing the batch clears them. Either way no user id stays in the outbox once it is sent, and
the usual first attempt writes none: 500 user ids per batch were a third of PostgreSQL's work in sending.

``batch_id`` and ``content_hash`` carry no foreign keys: on PostgreSQL their per-row checks doubled the
time to plan a million rows. Nothing deletes a batch or a content that rows still use: the purge and
「データ削除」 delete only what no row refers to (in the same statement), and a planner reusing a content
touches it first, so a purge running meanwhile keeps it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from db import Base
from db import UTCDateTime
from db import enum_column
from db import utcnow


class DeliveryStatus(enum.StrEnum):
    """Where a delivery or batch stands: waiting, claimed by a worker, or finished one way or another."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
FINISHED = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)


class DeliveryBatch(Base):
    """One multicast request: its recipients are either the deliveries pointing at it, or (a broadcast's
    batch) the residents listed in ``resident_ids``; its body is the content's messages."""

    __tablename__ = "delivery_batch"
    __table_args__ = (
        # Claims read batches in these orders (``push.sender``): with the id in the index, the first few come
        # straight off it; without, PostgreSQL sorted every due batch on every claim (2,000 for a broadcast
        # to a million residents).
        sa.Index("ix_delivery_batch_due", "status", "next_attempt_at", "id"),
        sa.Index("ix_delivery_batch_lease", "status", "claimed_until", "id"),
        sa.Index("ix_delivery_batch_content_hash", "content_hash"),  # content still used (purge)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retry_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), unique=True, default=uuid.uuid4)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str | None] = mapped_column(sa.String(32))  # the kind of its deliveries (one per batch)
    # A broadcast's batch carries its recipients itself (no delivery rows; see ``RECIPIENT_BATCHES`` above):
    # the broadcast, the ids of the residents it was planned for (``resident_id_text``, ascending), and how
    # many recipients it has (planned, then those of the request once it is first tried).
    broadcast_id: Mapped[int | None] = mapped_column(index=True)
    resident_ids: Mapped[str | None] = mapped_column(sa.Text)
    size: Mapped[int | None] = mapped_column()
    # The LINE user ids of the request (``id_list``) when they are not every listed resident, fixed by its
    # first attempt and kept while it may be retried; cleared when the batch is finished.
    recipients: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="batch", order_by="Delivery.id", primaryjoin="DeliveryBatch.id == foreign(Delivery.batch_id)")


def id_list(values: Iterable[object]) -> str:
    """Ids (resident ids, LINE user ids) as one text column holds them: separated by commas."""
    return ",".join(map(str, values))


def split_ids(text: str | None) -> list[str]:
    """The ids ``id_list`` wrote (none for None or an empty text)."""
    return text.split(",") if text else []


class DeliveryContent(Base):
    """The messages of one content: LINE message objects as dicts (``Message.to_dict()``), keyed by their hash."""

    __tablename__ = "delivery_content"

    content_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    messages: Mapped[list[dict]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Conditions of the partial indexes, as SQL text so that both databases see the literal values.
WAITING_SINGLE_SQL = "status = 'pending' AND batch_id IS NULL"
SENDING_SINGLE_SQL = "status = 'sending' AND batch_id IS NULL"
IN_BATCH_SQL = "batch_id IS NOT NULL"  # implied by any batch_id = … condition


def _partial(name: str, condition: str, *columns: str) -> sa.Index:
    where = sa.text(condition)
    return sa.Index(name, *columns, sqlite_where=where, postgresql_where=where)


class Delivery(Base):
    """A message planned for one resident; ``key`` makes planning idempotent.

    ``personal`` content is pushed alone; other rows with the same ``content_hash`` may share a multicast.
    The messages are in ``DeliveryContent`` (``messages`` reads them through ``content``).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        # Claims read pending rows in this order: due first, identical content together (fuller multicasts).
        _partial("ix_delivery_due", WAITING_SINGLE_SQL, "next_attempt_at", "content_hash", "id"),
        _partial("ix_delivery_lease", SENDING_SINGLE_SQL, "claimed_until"),
        _partial("ix_delivery_batch_id", IN_BATCH_SQL, "batch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    line_user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)  # DeliveryContent's key
    personal: Mapped[bool] = mapped_column(default=False)
    # Random (version 4), so unique without a unique index: an index would cost every row update on PostgreSQL.
    retry_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), default=uuid.uuid4)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    batch_id: Mapped[int | None] = mapped_column()  # DeliveryBatch's id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What a resident's settings change may cancel the row by (``push.outbox.cancel_queued``): the push
    # category it was planned under, and labels as ``push.outbox.tag_text`` writes them ("|baby|").
    category: Mapped[str | None] = mapped_column(sa.String(32))
    tags: Mapped[str | None] = mapped_column(sa.Text)

    batch: Mapped[DeliveryBatch | None] = relationship(
        back_populates="deliveries", primaryjoin="foreign(Delivery.batch_id) == DeliveryBatch.id")
    content: Mapped[DeliveryContent] = relationship(
        primaryjoin="foreign(Delivery.content_hash) == DeliveryContent.content_hash")

    @property
    def messages(self) -> list[dict]:
        """The stored LINE message dicts of this delivery."""
        return self.content.messages

    @hybrid_property
    def effective_status(self) -> DeliveryStatus:
        """Where the delivery stands: its own status, or its batch's while it is a pending row of a batch."""
        if self.batch_id is not None and self.status == DeliveryStatus.PENDING:
            return self.batch.status
        return self.status

    @effective_status.inplace.expression
    @classmethod
    def _effective_status_expression(cls) -> sa.ColumnElement[DeliveryStatus]:
        batch_status = (sa.select(DeliveryBatch.status).where(DeliveryBatch.id == cls.batch_id)
                        .correlate_except(DeliveryBatch).scalar_subquery())
        return sa.case((cls.batch_id.is_not(None) & (cls.status == DeliveryStatus.PENDING), batch_status),
                       else_=cls.status)


def _status_is(status: DeliveryStatus) -> sa.ColumnElement[bool]:
    return Delivery.__table__.c.status == sa.literal_column(f"'{status.value}'")


def waiting_single() -> sa.ColumnElement[bool]:
    """Pending rows outside any batch (the claim index's condition, ``WAITING_SINGLE_SQL``)."""
    return _status_is(DeliveryStatus.PENDING) & Delivery.batch_id.is_(None)


def sending_single() -> sa.ColumnElement[bool]:
    """Rows being pushed alone (the lease index's condition, ``SENDING_SINGLE_SQL``)."""
    return _status_is(DeliveryStatus.SENDING) & Delivery.batch_id.is_(None)


def cancellable() -> sa.ColumnElement[bool]:
    """Rows that may still be cancelled: pending, and either pushed alone or in a batch never tried.

    A batch once tried keeps its recipients: its retries repeat the same request under its retry key. Its
    rows stay ``pending`` while it is being sent (the batch carries the attempt), so the batch decides.
    On PostgreSQL, lock the batches first (``push.outbox.lock_batches``) so that a claim in progress is seen.
    """
    return _status_is(DeliveryStatus.PENDING) & (Delivery.batch_id.is_(None) | in_untried_batch())


def in_untried_batch() -> sa.ColumnElement[bool]:
    """Rows of a batch that was never tried."""
    return sa.exists().where(DeliveryBatch.id == Delivery.batch_id, DeliveryBatch.attempts == 0)


def in_open_tried_batch() -> sa.ColumnElement[bool]:
    """Rows of a batch tried at least once and not finished: they must stay for its retries."""
    return sa.exists().where(DeliveryBatch.id == Delivery.batch_id, DeliveryBatch.attempts > 0,
                             DeliveryBatch.status.in_(OPEN))


class BroadcastStatus(enum.StrEnum):
    """A broadcast's life: drafted, approved (enough approvals; ``scheduled`` while its time is ahead),
    being planned into the outbox chunk by chunk (its first deliveries are already being sent), being sent
    (every delivery in the outbox), done, or cancelled."""

    DRAFT = "draft"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PLANNING = "planning"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Base):
    """A message staff send to a segment of residents at a set time, once approved (see push.broadcasts)."""

    __tablename__ = "broadcast"
    __table_args__ = (sa.Index("ix_broadcast_due", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    segment: Mapped[str] = mapped_column(sa.String(1000), default="all")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    emergency: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    status: Mapped[BroadcastStatus] = mapped_column(enum_column(BroadcastStatus), default=BroadcastStatus.DRAFT)
    created_by: Mapped[str | None] = mapped_column(sa.String(100))
    reach: Mapped[int | None] = mapped_column()  # recipients when it was planned into the outbox
    note: Mapped[str | None] = mapped_column(sa.Text)  # why a due broadcast was not started (quota…)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # While ``planning``: the id of the last resident whose delivery is in the outbox, and the lease of the
    # planner at work (a planner that died is taken over once it runs out, from ``planned_through`` on).
    planned_through: Mapped[int | None] = mapped_column()
    planning_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    approvals: Mapped[list[BroadcastApproval]] = relationship(
        back_populates="broadcast", order_by="BroadcastApproval.id", cascade="all, delete-orphan")


class BroadcastApproval(Base):
    """One person's approval of a broadcast; the same person approving twice counts once."""

    __tablename__ = "broadcast_approval"
    __table_args__ = (sa.UniqueConstraint("broadcast_id", "approver"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(sa.ForeignKey("broadcast.id", ondelete="CASCADE"), index=True)
    approver: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    broadcast: Mapped[Broadcast] = relationship(back_populates="approvals")


class WorkerHeartbeat(Base):
    """The last sign of life of one push worker (host and process), written every few seconds while it runs.

    ``/readyz`` reads the most recent one; rows of workers gone for a day are deleted by the next beat.
    """

    __tablename__ = "worker_heartbeat"

    worker: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())
class RateLimitSlot(Base):
    """The next free send slot of one LINE endpoint, shared by every sending process (``push.ratelimit``)."""

    __tablename__ = "rate_limit_slot"

    endpoint: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    # Seconds since the epoch on the database's clock (PostgreSQL) or the host's (SQLite).
    next_at: Mapped[float] = mapped_column(sa.Double)

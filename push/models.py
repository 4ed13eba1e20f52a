"""Outbox rows: one ``Delivery`` per (resident, rule or broadcast, due date), and ``DeliveryBatch`` for a
multicast request that carries several deliveries with identical content.

A delivery's ``retry_key`` is fixed when it is planned and a batch's when the batch is formed, before its
first request; every retry reuses the key with the same recipients and body, so LINE accepts each at most
once (a repeat answers 409). ``next_attempt_at`` is when a pending row may be claimed; ``claimed_until`` is
the lease of a row being sent, after which another worker may claim it again.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
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


class DeliveryBatch(Base):
    """One multicast request: the deliveries pointing at it are its recipients, their messages its body."""

    __tablename__ = "delivery_batch"
    __table_args__ = (
        sa.Index("ix_delivery_batch_due", "status", "next_attempt_at"),
        sa.Index("ix_delivery_batch_lease", "status", "claimed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retry_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), unique=True, default=uuid.uuid4)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.SENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="batch", order_by="Delivery.id")


class Delivery(Base):
    """A message planned for one resident; ``key`` makes planning idempotent.

    ``personal`` content is pushed alone; other rows with the same ``content_hash`` may share a multicast.
    ``messages`` holds the LINE message objects as dicts (``Message.to_dict()``).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        sa.Index("ix_delivery_due", "status", "next_attempt_at"),
        sa.Index("ix_delivery_lease", "status", "claimed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    line_user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    messages: Mapped[list[dict]] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    personal: Mapped[bool] = mapped_column(default=False)
    retry_key: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), unique=True, default=uuid.uuid4)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delivery_batch.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    batch: Mapped[DeliveryBatch | None] = relationship(back_populates="deliveries")

"""Webhook bookkeeping: the inbox of accepted LINE events, and residents' open dialogue steps."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base
from db import UTCDateTime
from db import enum_column


class InboundStatus(enum.StrEnum):
    """Where an accepted webhook event stands.

    ``pending`` (stored, waiting) → ``answered`` (claimed, the route ran and its answer is stored: one
    transaction, so a processor that dies before it commits leaves the event pending) → ``done`` (replied,
    handed to the outbox as a push, or nothing to send); ``failed`` when its delivery was taken over
    ``MAX_ATTEMPTS`` times without finishing. An ``answered`` event carries the lease of the processor
    delivering it (``claimed_until``, ``claimer``); when the lease runs out any processor takes it over.
    """

    PENDING = "pending"
    ANSWERED = "answered"
    DONE = "done"
    FAILED = "failed"


OPEN = (InboundStatus.PENDING, InboundStatus.ANSWERED)
CLOSED = (InboundStatus.DONE, InboundStatus.FAILED)
OPEN_SQL = "status IN ('pending', 'answered')"


class InboundEvent(Base):
    """A webhook event accepted into the durable inbox, keyed by its ``webhookEventId`` (a redelivery is a
    duplicate). Events of one resident (``line_user_id``, or the group or room) are processed one at a time,
    in event-timestamp order, and ``id`` orders events of the same timestamp.

    ``payload`` (the event as LINE sent it) and ``messages`` (the answer as LINE message dicts) are emptied
    when the event is finished: what residents wrote is kept only until it is answered. The row itself stays
    for the dedup window (``bot.inbox.KEEP_EVENT_IDS``).
    """

    __tablename__ = "inbound_event"
    __table_args__ = (
        # Open events by chat, in processing order: the claim looks up each chat's first open event here.
        sa.Index("ix_inbound_event_open", "line_user_id", "event_time", "id",
                 sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL)),
        # Open events in arrival order: a claim walks these only, not the finished rows kept for dedup.
        sa.Index("ix_inbound_event_open_id", "id", sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL)),
        sa.Index("ix_inbound_event_received_at", "received_at"),
        # A chat's messages by time, finished ones included: flood control counts the last minute's here.
        sa.Index("ix_inbound_event_chat_time", "line_user_id", "event_time"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    webhook_event_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    line_user_id: Mapped[str] = mapped_column(sa.String(64))  # the chat's id: user, group or room ("" if none)
    event_type: Mapped[str] = mapped_column(sa.String(32))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[InboundStatus] = mapped_column(enum_column(InboundStatus), default=InboundStatus.PENDING)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimer: Mapped[str | None] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict | None] = mapped_column(sa.JSON)
    messages: Mapped[list[dict] | None] = mapped_column(sa.JSON)
    outcome: Mapped[str | None] = mapped_column(sa.String(32))  # replied, pushed, silent, reply-failed, ...


class Conversation(Base):
    """A resident's open dialogue step (one per user), e.g. waiting for the name of their area."""

    __tablename__ = "conversation"

    line_user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    step: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

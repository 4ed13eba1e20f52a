"""Webhook bookkeeping: which LINE events were already handled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base
from db import UTCDateTime
from db import utcnow


class ProcessedEvent(Base):
    """A ``webhookEventId`` seen once; a redelivered or duplicated event with the same id is skipped."""

    __tablename__ = "processed_event"

    webhook_event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Conversation(Base):
    """A resident's open dialogue step (one per user), e.g. waiting for the name of their area."""

    __tablename__ = "conversation"

    line_user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    step: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

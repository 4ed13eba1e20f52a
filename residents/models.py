"""Resident rows: one per LINE user who has ever followed the account."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base
from db import UTCDateTime
from db import enum_column
from db import utcnow


class ResidentStatus(enum.StrEnum):
    """Whether the resident currently follows the account."""

    ACTIVE = "active"
    BLOCKED = "blocked"


class Resident(Base):
    """A LINE user of the account; nothing is ever sent to a blocked resident."""

    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[ResidentStatus] = mapped_column(
        enum_column(ResidentStatus), default=ResidentStatus.ACTIVE
    )
    followed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    area: Mapped[str | None] = mapped_column(sa.String(100))
    language: Mapped[str] = mapped_column(sa.String(8), default="ja")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GarbageReminder(Base):
    """A resident's wish to be reminded the evening before one garbage category is collected."""

    __tablename__ = "garbage_reminder"
    __table_args__ = (sa.UniqueConstraint("resident_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(100))

"""Resident rows: one per LINE user who has ever followed the account."""

from __future__ import annotations

import enum
from datetime import date
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
    # SQLite would give a deleted last resident's id to the next newcomer; a broadcast's batches list residents
    # by id (``push.outbox``), so ids are never used twice (PostgreSQL's sequences never do).
    __table_args__ = {"sqlite_autoincrement": True}

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
    # When the resident agreed to receive push messages; None means no push of any kind.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The resident's own birth date, kept only while they receive 高齢者 messages (65歳, 75歳).
    birth_date: Mapped[date | None] = mapped_column(sa.Date())
    # The quiet stop of pregnancy and baby messages (no reason asked); children stay registered.
    stop_baby: Mapped[bool] = mapped_column(sa.Boolean(), default=False, server_default=sa.false())


class GarbageReminder(Base):
    """A resident's wish to be reminded the evening before one garbage category is collected."""

    __tablename__ = "garbage_reminder"
    __table_args__ = (sa.UniqueConstraint("resident_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(100))


class Subscription(Base):
    """A push category (one of ``residents.categories.CATEGORIES``) the resident chose to receive."""

    __tablename__ = "subscription"
    # By category first too: a broadcast segment's ``category:…`` terms look residents up by it (push.segments).
    __table_args__ = (sa.UniqueConstraint("resident_id", "category"),
                      sa.Index("ix_subscription_category", "category", "resident_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(32))


class Child(Base):
    """A child of the resident, known by due date until the birth is registered, then by birth date.

    Only dates are kept: no name (``label`` is a short nickname the parent may choose, e.g. 第1子).
    """

    __tablename__ = "child"
    __table_args__ = (
        sa.CheckConstraint("due_date IS NOT NULL OR birth_date IS NOT NULL", name="has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(sa.String(20))
    due_date: Mapped[date | None] = mapped_column(sa.Date())
    birth_date: Mapped[date | None] = mapped_column(sa.Date())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

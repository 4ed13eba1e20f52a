"""Staff accounts, failed logins (for throttling) and the console's audit log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base
from db import UTCDateTime
from db import enum_column


class Role(enum.StrEnum):
    """What a staff member may do; each role may do everything the ones before it may."""

    EDITOR = "editor"  # edit drafts (FAQ, synonyms, broadcasts)
    APPROVER = "approver"  # also approve and publish what others drafted
    ADMIN = "admin"  # also manage accounts and the console's rules

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank


class StaffUser(Base):
    """A staff member's console account. Never deleted (the audit log names it); disabled instead."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Changed whenever the password is set: a login made before it is no longer valid (``session_token``).
    password_set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """One failed login, kept only as long as the throttling window looks back (``admin.accounts``)."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_account", "account", "failed_at"),
        sa.Index("ix_login_failure_address", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(sa.String(64))  # the name typed (lower case), whether it exists or not
    address: Mapped[str] = mapped_column(sa.String(64))  # the client's address
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """One change made through the console or the staff commands: who, when, what, before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(sa.String(64))  # a staff name, or "(command line)"
    action: Mapped[str] = mapped_column(sa.String(64))  # e.g. "user.create"
    target: Mapped[str] = mapped_column(sa.String(200))  # what was changed, e.g. "user:sato"
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)


class ConsoleRule(Base):
    """One of the console's rules that admins set (``admin.rules``), by name, with its value as JSON."""

    __tablename__ = "console_rule"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(sa.JSON)

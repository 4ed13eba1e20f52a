"""The console's audit log: every change staff make, with who made it, when, and what it was before and after."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from admin.models import AuditEntry

COMMAND_LINE = "(command line)"  # the actor of changes made with ``flask users …``


def record(session: Session, *, actor: str, action: str, target: str, now: datetime,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Add one entry to the log in the caller's transaction (it is kept only if the change is)."""
    entry = AuditEntry(at=now, actor=actor, action=action, target=target, before=before, after=after)
    session.add(entry)
    return entry


def latest(session: Session, limit: int = 100) -> list[AuditEntry]:
    """The newest entries first."""
    return list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                .limit(limit)))

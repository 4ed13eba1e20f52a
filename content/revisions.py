"""Bumping and reading the revision counters (each process checks them before using what it derived)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from content.models import ContentRevision


def bump_revision(session: Session, kind: str) -> None:
    """Mark ``kind`` content as changed, so every process rebuilds what it derived from it."""
    row = session.get(ContentRevision, kind, with_for_update=True)
    if row is None:
        session.add(ContentRevision(kind=kind, revision=1))
    else:
        row.revision += 1


def revisions(session: Session) -> dict[str, int]:
    """Every content revision counter, by kind, in one query (each process checks them per message)."""
    return dict(session.execute(sa.select(ContentRevision.kind, ContentRevision.revision)).all())

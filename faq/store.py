"""Reading and writing FAQ entries, and the per-process matcher cache kept fresh across processes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from faq.importers import FaqRecord
from faq.matcher import FaqDoc
from faq.matcher import FuzzyMatcher
from faq.matcher import Matcher
from faq.models import ContentRevision
from faq.models import FaqAlias
from faq.models import FaqEntry
from faq.models import FaqStatus

FAQ = "faq"


@dataclass(frozen=True)
class SaveReport:
    """How many entries a save added, changed, left alone and removed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


def save_records(session: Session, records: Sequence[FaqRecord], *, replace: bool = False) -> SaveReport:
    """Insert or update ``records`` by their file id; with ``replace``, delete entries not among them.

    Runs inside the caller's transaction, so a failure leaves the store as it was.
    """
    existing = {
        entry.faq_id: entry
        for entry in session.scalars(sa.select(FaqEntry).options(selectinload(FaqEntry.aliases)))
    }
    added = updated = unchanged = removed = 0
    for record in records:
        entry = existing.pop(record.faq_id, None)
        if entry is None:
            entry = FaqEntry(faq_id=record.faq_id)
            _fill(entry, record)
            session.add(entry)
            added += 1
        elif _differs(entry, record):
            _fill(entry, record)
            entry.version += 1
            updated += 1
        else:
            unchanged += 1
    if replace:
        for entry in existing.values():
            session.delete(entry)
            removed += 1
    if added or updated or removed:
        bump_revision(session, FAQ)
    session.flush()
    return SaveReport(added, updated, unchanged, removed)


def _fill(entry: FaqEntry, record: FaqRecord) -> None:
    entry.question = record.question
    entry.answer = record.answer
    entry.category = record.category
    entry.url = record.url
    entry.department = record.department
    entry.phone = record.phone
    entry.status = FaqStatus.PUBLISHED
    entry.aliases = [FaqAlias(text=text) for text in record.aliases]


def _differs(entry: FaqEntry, record: FaqRecord) -> bool:
    current = (
        entry.question, entry.answer, entry.category, entry.url, entry.department, entry.phone,
        tuple(alias.text for alias in entry.aliases), entry.status,
    )
    wanted = (
        record.question, record.answer, record.category, record.url, record.department, record.phone,
        record.aliases, FaqStatus.PUBLISHED,
    )
    return current != wanted


def bump_revision(session: Session, kind: str) -> None:
    """Mark ``kind`` content as changed, so every process rebuilds what it derived from it."""
    row = session.get(ContentRevision, kind, with_for_update=True)
    if row is None:
        session.add(ContentRevision(kind=kind, revision=1))
    else:
        row.revision += 1


def current_revision(session: Session, kind: str) -> int:
    """The revision counter of ``kind`` (0 before anything was saved)."""
    return session.scalar(sa.select(ContentRevision.revision).where(ContentRevision.kind == kind)) or 0


def load_docs(session: Session) -> list[FaqDoc]:
    """Every published entry as matcher input."""
    entries = session.scalars(
        sa.select(FaqEntry)
        .where(FaqEntry.status == FaqStatus.PUBLISHED)
        .options(selectinload(FaqEntry.aliases))
        .order_by(FaqEntry.id)
    )
    return [FaqDoc(e.faq_id, e.question, tuple(a.text for a in e.aliases)) for e in entries]


def get_entries(session: Session, faq_ids: Sequence[str]) -> dict[str, FaqEntry]:
    """The entries with the given file ids, by id."""
    if not faq_ids:
        return {}
    rows = session.scalars(sa.select(FaqEntry).where(FaqEntry.faq_id.in_(list(faq_ids))))
    return {entry.faq_id: entry for entry in rows}


def count_entries(session: Session) -> int:
    """How many FAQ entries the store holds."""
    return session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) or 0


class MatcherCache:
    """Keeps one matcher per process and rebuilds it when another process changed the FAQ."""

    def __init__(self, build: Callable[[Sequence[FaqDoc]], Matcher] = FuzzyMatcher):
        self._build = build
        self._lock = threading.Lock()
        self._revision = -1
        self._matcher: Matcher = build([])

    def get(self, session: Session) -> Matcher:
        """The matcher for the store's current revision (one cheap query when nothing changed)."""
        revision = current_revision(session, FAQ)
        if revision != self._revision:
            with self._lock:
                if revision != self._revision:
                    self._matcher = self._build(load_docs(session))
                    self._revision = revision
        return self._matcher

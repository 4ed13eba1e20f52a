"""Reading and writing FAQ entries, and the per-process matcher cache kept fresh across processes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from content.revisions import bump_revision
from content.revisions import revisions
from faq.importers import FaqRecord
from faq.models import FaqAlias
from faq.models import FaqEntry
from faq.models import FaqStatus
from faq.models import Synonym
from japanese.synonyms import SynonymGroup
from japanese.synonyms import Synonyms
from search.docs import FaqDoc
from search.docs import Matcher
from search.engine import Analyzer
from search.engine import HybridMatcher

FAQ = "faq"
SYNONYMS = "synonyms"


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


def load_docs(session: Session) -> list[FaqDoc]:
    """Every published entry as matcher input."""
    entries = session.scalars(
        sa.select(FaqEntry)
        .where(FaqEntry.status == FaqStatus.PUBLISHED)
        .options(selectinload(FaqEntry.aliases))
        .order_by(FaqEntry.id)
    )
    return [FaqDoc(e.faq_id, e.question, tuple(a.text for a in e.aliases), e.answer) for e in entries]


def get_entries(session: Session, faq_ids: Sequence[str]) -> dict[str, FaqEntry]:
    """The entries with the given file ids, by id."""
    if not faq_ids:
        return {}
    rows = session.scalars(sa.select(FaqEntry).where(FaqEntry.faq_id.in_(list(faq_ids))))
    return {entry.faq_id: entry for entry in rows}


def save_synonyms(session: Session, groups: Sequence[SynonymGroup]) -> int:
    """Replace the city's synonym table with ``groups``; returns how many groups it now holds."""
    session.execute(sa.delete(Synonym))
    session.add_all(Synonym(term=g.term, synonyms="|".join(g.synonyms)) for g in groups)
    bump_revision(session, SYNONYMS)
    session.flush()
    return len(groups)


def load_synonyms(session: Session) -> list[SynonymGroup]:
    """The city's synonym table."""
    rows = session.scalars(sa.select(Synonym).order_by(Synonym.id))
    return [SynonymGroup(row.term, tuple(s for s in row.synonyms.split("|") if s)) for row in rows]


def load_versions(session: Session) -> dict[str, int]:
    """The version of every published entry, by file id (cheap: two columns)."""
    rows = session.execute(
        sa.select(FaqEntry.faq_id, FaqEntry.version).where(FaqEntry.status == FaqStatus.PUBLISHED)
    )
    return dict(rows.all())


def load_docs_by_id(session: Session, faq_ids: Sequence[str]) -> list[FaqDoc]:
    """Matcher input for the given entries."""
    entries = session.scalars(
        sa.select(FaqEntry).where(FaqEntry.faq_id.in_(list(faq_ids))).options(selectinload(FaqEntry.aliases))
    )
    return [FaqDoc(e.faq_id, e.question, tuple(a.text for a in e.aliases), e.answer) for e in entries]


def build_matcher(session: Session) -> HybridMatcher:
    """A matcher over every published entry, with the city's synonyms."""
    analyzer = Analyzer(Synonyms(load_synonyms(session)))
    return HybridMatcher(load_docs(session), analyzer=analyzer)


class MatcherCache:
    """Keeps one matcher per process and brings it up to date when any process changed the FAQ.

    A changed synonym table rebuilds the matcher; changed entries are applied one by one (only the
    matcher's small delta segment is rebuilt), found by comparing entry versions.
    """

    def __init__(self, build: Callable[[Session], Matcher] = build_matcher):
        self._build = build
        self._lock = threading.Lock()
        self._revisions: tuple[int, int] | None = None
        self._versions: dict[str, int] = {}
        self._matcher: Matcher | None = None

    def get(self, session: Session, counters: dict[str, int] | None = None) -> Matcher:
        """The matcher for the store's current revision (one cheap query, or none with ``counters`` given)."""
        counters = revisions(session) if counters is None else counters
        current = (counters.get(FAQ, 0), counters.get(SYNONYMS, 0))
        if current != self._revisions:
            with self._lock:
                if current != self._revisions:
                    self._refresh(session, current)
        return self._matcher

    def _refresh(self, session: Session, revisions: tuple[int, int]) -> None:
        versions = load_versions(session)
        same_synonyms = self._revisions is not None and revisions[1] == self._revisions[1]
        changed = [faq_id for faq_id, version in versions.items() if self._versions.get(faq_id) != version]
        removed = [faq_id for faq_id in self._versions if faq_id not in versions]
        incremental = hasattr(self._matcher, "upsert") and same_synonyms
        if incremental and len(changed) + len(removed) <= max(50, len(versions) // 20):
            for doc in load_docs_by_id(session, changed):
                self._matcher.upsert(doc)
            for faq_id in removed:
                self._matcher.remove(faq_id)
        else:
            self._matcher = self._build(session)
        self._versions = versions
        self._revisions = revisions

"""Reading and writing FAQ entries and the city's synonym table; each change bumps its content revision.

Every content an entry is published with is kept in its history (``FaqVersion``), whether it came from a file, a
pack or a console draft (``faq.drafts``); the history outlives a deleted entry, and an entry made again with the
same id goes on from its last version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from content.revisions import bump_revision
from db import utcnow
from faq.importers import FaqRecord
from faq.models import FaqAlias
from faq.models import FaqEntry
from faq.models import FaqStatus
from faq.models import FaqVersion
from faq.models import Synonym
from japanese.synonyms import SynonymGroup
from search.docs import FaqDoc

FAQ = "faq"
SYNONYMS = "synonyms"
IMPORTED = "(import)"  # who published a version that came from a file or a pack


@dataclass(frozen=True)
class SaveReport:
    """How many entries a save added, changed, left alone and removed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def line(self, what: str) -> str:
        """The counts as one line for the terminal, naming ``what`` was saved."""
        return (f"  {what}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.removed} removed")


def save_records(session: Session, records: Sequence[FaqRecord], *, replace: bool = False,
                 now: datetime | None = None) -> SaveReport:
    """Insert or update ``records`` by their file id; with ``replace``, delete entries not among them. Each entry
    added or changed gets its next version in the history (published by ``IMPORTED`` at ``now``), and a
    changed entry's content before it is kept too if the history did not hold it yet.

    Runs inside the caller's transaction, so a failure leaves the store as it was.
    """
    now = now or utcnow()
    existing = {
        entry.faq_id: entry
        for entry in session.scalars(sa.select(FaqEntry).options(selectinload(FaqEntry.aliases)))
    }
    kept = kept_versions(session)
    added = updated = unchanged = removed = 0
    for record in records:
        entry = existing.pop(record.faq_id, None)
        if entry is None:
            entry = FaqEntry(faq_id=record.faq_id, version=kept.get(record.faq_id, 0) + 1)
            session.add(entry)
            added += 1
        elif _differs(entry, record):
            if kept.get(entry.faq_id, 0) < entry.version:
                keep(session, entry, by=IMPORTED, at=entry.updated_at)
            entry.version += 1
            updated += 1
        else:
            unchanged += 1
            continue
        _fill(entry, record)
        entry.updated_at = now
        keep(session, entry, by=IMPORTED, at=now)
    if replace:
        for entry in existing.values():
            session.delete(entry)
            removed += 1
    if added or updated or removed:
        bump_revision(session, FAQ)
    session.flush()
    return SaveReport(added, updated, unchanged, removed)


def content_of(entry: FaqEntry) -> dict:
    """An entry's content as drafts and versions keep it."""
    return {"question": entry.question, "aliases": [alias.text for alias in entry.aliases], "answer": entry.answer,
            "category": entry.category, "department": entry.department, "phone": entry.phone, "url": entry.url}


def keep(session: Session, entry: FaqEntry, *, by: str, at: datetime) -> None:
    """Keep ``entry``'s content at its version in the history, published by ``by`` at ``at``."""
    session.add(FaqVersion(faq_id=entry.faq_id, version=entry.version, content=content_of(entry), published_at=at,
                           published_by=by))


def kept_versions(session: Session, faq_ids: Sequence[str] | None = None) -> dict[str, int]:
    """The highest version the history holds for each entry id (of ``faq_ids``, when given)."""
    statement = sa.select(FaqVersion.faq_id, sa.func.max(FaqVersion.version)).group_by(FaqVersion.faq_id)
    if faq_ids is not None:
        statement = statement.where(FaqVersion.faq_id.in_(list(faq_ids)))
    return dict(session.execute(statement).all())


def first_version(session: Session, faq_id: str) -> int:
    """The version a new entry with this id starts at: 1, or the one after its id's last in the history."""
    return kept_versions(session, [faq_id]).get(faq_id, 0) + 1


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


def containing(words: str) -> sa.ColumnElement[bool]:
    """Entries holding ``words`` (any case) in their id, question, answer, category, department or an alias."""
    return sa.or_(
        *(column.icontains(words, autoescape=True) for column in (
            FaqEntry.faq_id, FaqEntry.question, FaqEntry.answer, FaqEntry.category, FaqEntry.department)),
        FaqEntry.id.in_(sa.select(FaqAlias.entry_id).where(FaqAlias.text.icontains(words, autoescape=True))))


def doc_of(faq_id: str, content: dict) -> FaqDoc:
    """What the matcher needs of an entry with this content (``content_of``'s keys)."""
    about = f"{content.get('category', '')} {content.get('department', '')}".strip()
    return FaqDoc(faq_id, content["question"], tuple(content["aliases"]), content["answer"], about)


def _doc(entry: FaqEntry) -> FaqDoc:
    """What the matcher needs of a stored entry."""
    return doc_of(entry.faq_id, content_of(entry))


def load_docs(session: Session) -> list[FaqDoc]:
    """Every published entry as matcher input."""
    entries = session.scalars(
        sa.select(FaqEntry)
        .where(FaqEntry.status == FaqStatus.PUBLISHED)
        .options(selectinload(FaqEntry.aliases))
        .order_by(FaqEntry.id)
    )
    return [_doc(e) for e in entries]


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


def load_published(session: Session, faq_ids: Sequence[str] | None = None) -> list[FaqEntry]:
    """The published entries (only those with these file ids, when given), as rows."""
    statement = sa.select(FaqEntry).where(FaqEntry.status == FaqStatus.PUBLISHED)
    if faq_ids is not None:
        statement = statement.where(FaqEntry.faq_id.in_(list(faq_ids)))
    return list(session.scalars(statement))


def load_docs_by_id(session: Session, faq_ids: Sequence[str]) -> list[FaqDoc]:
    """Matcher input for the given entries."""
    entries = session.scalars(
        sa.select(FaqEntry).where(FaqEntry.faq_id.in_(list(faq_ids))).options(selectinload(FaqEntry.aliases))
    )
    return [_doc(e) for e in entries]

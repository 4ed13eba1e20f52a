"""FAQ files uploaded by staff: what they would change (a dry run), kept for approval, applied in one go.

An upload is read with ``faq.importers`` (every bad row reported, nothing kept when there is one) and held
as an ``FaqImport``: the file's records and whether entries missing from it are removed. Its plan is worked
out against the published entries whenever it is shown, so what an approver sees is what publishing does:
entries added, changed (field by field) and removed. It goes through the same steps as a draft (approved by
someone other than the uploader while the two-person rule holds, then published); publishing applies the
plan in one transaction, each added or changed entry getting its next version in the history, and moves the
FAQ's revision so every process's matcher follows. An upload made before the FAQ last changed is refused
at publishing (its plan was approved against entries that are no longer there): it is uploaded again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from content.revisions import bump_revision
from content.revisions import revisions
from faq import drafts
from faq import store
from faq.drafts import DraftError
from faq.importers import FaqRecord
from faq.models import DraftStatus
from faq.models import FaqEntry
from faq.models import FaqImport
from faq.models import FaqStatus


@dataclass(frozen=True)
class Planned:
    """One entry the file adds or changes: its id, its content after, and how each field changes."""

    faq_id: str
    content: dict
    changes: tuple[drafts.Change, ...]


@dataclass
class Plan:
    """What publishing a file would do to the published entries."""

    added: list[Planned] = field(default_factory=list)
    changed: list[Planned] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (id, question)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def content_of_record(record: FaqRecord) -> dict:
    """A file's record as drafts and versions keep an entry's content."""
    return {"question": record.question, "aliases": list(record.aliases), "answer": record.answer,
            "category": record.category, "department": record.department, "phone": record.phone, "url": record.url}


def upload(session: Session, records: Sequence[FaqRecord], *, file_name: str, replace: bool, author: str,
           now: datetime) -> FaqImport:
    """Keep the records of an uploaded file for approval (nothing published yet)."""
    held = FaqImport(file_name=file_name[:200], records=[content_of_record(r) | {"faq_id": r.faq_id} for r in records],
                     replace=replace, base_revision=revisions(session).get(store.FAQ, 0), author=author,
                     created_at=now, updated_at=now, status=DraftStatus.OPEN)
    session.add(held)
    session.flush()
    return held


def open_uploads(session: Session) -> list[FaqImport]:
    """Every upload waiting for approval or publishing, oldest first."""
    return list(session.scalars(sa.select(FaqImport).where(FaqImport.status.in_(drafts.OPEN_STATES))
                                .order_by(FaqImport.created_at, FaqImport.id)))


def plan(session: Session, held: FaqImport) -> Plan:
    """What publishing ``held`` would do now, entry by entry."""
    current = {entry.faq_id: entry for entry in session.scalars(
        sa.select(FaqEntry).options(selectinload(FaqEntry.aliases)).order_by(FaqEntry.id))}
    result = Plan()
    for record in held.records:
        content = {name: record[name] for name in drafts.FIELDS}
        entry = current.pop(record["faq_id"], None)
        if entry is None:
            result.added.append(Planned(record["faq_id"], content, tuple(drafts.changes(None, content))))
            continue
        before = drafts.content_of(entry)
        if before == content and entry.status == FaqStatus.PUBLISHED:
            result.unchanged += 1
        else:
            result.changed.append(Planned(record["faq_id"], content, tuple(drafts.changes(before, content))))
    if held.replace:
        result.removed = [(entry.faq_id, entry.question) for entry in current.values()]
    return result


def stale(session: Session, held: FaqImport) -> bool:
    """Whether the FAQ changed since ``held`` was uploaded (its approval no longer holds for what it does)."""
    return revisions(session).get(store.FAQ, 0) != held.base_revision


def approve(session: Session, held: FaqImport, *, approver: str, now: datetime, two_person: bool = True) -> None:
    """Approve an upload as it stands; while ``two_person`` holds, its uploader cannot."""
    if held.status != DraftStatus.OPEN:
        raise DraftError("not_open")
    if two_person and approver == held.author:
        raise DraftError("own_draft")
    if stale(session, held):
        raise DraftError("stale")
    held.status, held.approved_by, held.approved_at, held.updated_at = DraftStatus.APPROVED, approver, now, now


def publish(session: Session, held: FaqImport, *, publisher: str, now: datetime) -> Plan:
    """Apply an approved upload in the caller's transaction; returns what it did. DraftError if it is not
    approved or the FAQ changed since it was uploaded."""
    if held.status != DraftStatus.APPROVED:
        raise DraftError("not_approved")
    if stale(session, held):
        raise DraftError("stale")
    done = plan(session, held)
    entries = {entry.faq_id: entry for entry in session.scalars(
        sa.select(FaqEntry).where(FaqEntry.faq_id.in_([p.faq_id for p in done.changed]
                                                      + [faq_id for faq_id, _q in done.removed]))
        .options(selectinload(FaqEntry.aliases)))}
    for planned in done.added:
        entry = FaqEntry(faq_id=planned.faq_id, version=store.first_version(session, planned.faq_id))
        session.add(entry)
        drafts.apply(session, entry, planned.content, publisher=publisher, now=now)
    for planned in done.changed:
        entry = entries[planned.faq_id]
        drafts.keep_imported(session, entry)
        entry.version += 1
        drafts.apply(session, entry, planned.content, publisher=publisher, now=now)
    for faq_id, _question in done.removed:
        session.delete(entries[faq_id])
    held.status, held.published_by, held.published_at, held.updated_at = DraftStatus.PUBLISHED, publisher, now, now
    if not done.empty:
        bump_revision(session, store.FAQ)
    session.flush()
    return done

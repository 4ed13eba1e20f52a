"""Changing the FAQ with care: drafts, approval by a second person, publishing, and each entry's history.

A change is written as a draft holding the entry's whole content as it would be published. An approver
approves it (not its own author while the two-person rule holds), and publishing applies it in one short
transaction: the entry gets the content and its next version, the version is kept in the history, and the
FAQ's content revision moves, so that every process's matcher takes it in (``faq.index``). A draft written
against an older version than the entry's is refused at publishing (someone published meanwhile): it is
written again on top of the new one. Restoring an old version is a draft of that version's content.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from content.revisions import bump_revision
from faq import store
from faq.models import DraftStatus
from faq.models import FaqAlias
from faq.models import FaqDraft
from faq.models import FaqEntry
from faq.models import FaqStatus
from faq.models import FaqVersion
from faq.store import IMPORTED
from faq.store import content_of

FIELDS = ("question", "aliases", "answer", "category", "department", "phone", "url")
LIMITS = {"question": 500, "answer": 5000, "category": 200, "department": 200, "phone": 50, "url": 1000}
MAX_ALIASES, MAX_ALIAS = 50, 500
FAQ_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
OPEN_STATES = (DraftStatus.OPEN, DraftStatus.APPROVED)


class DraftError(ValueError):
    """A draft that cannot be saved, approved or published as asked; ``reason`` names why, ``field`` where."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(f"{reason}{f' ({field})' if field else ''}")
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Change:
    """How one field differs between two contents: its text before and after, and the pieces that
    differ (``parts``: (kind, text) with kind "same", "removed" or "added"), character by character."""

    field: str
    before: str
    after: str
    parts: tuple[tuple[str, str], ...]


def clean(content: dict) -> dict:
    """``content`` with its text trimmed and its aliases one per item, without blanks or repeats; DraftError
    naming the first field that will not do (a question and an answer are needed; lengths; an http(s) URL)."""
    cleaned = {field: str(content.get(field) or "").strip() for field in FIELDS if field != "aliases"}
    aliases = content.get("aliases") or []
    if isinstance(aliases, str):
        aliases = aliases.splitlines()
    seen: list[str] = []
    for alias in (str(text).strip() for text in aliases):
        if alias and alias not in seen and alias != cleaned["question"]:
            seen.append(alias)
    cleaned["aliases"] = seen
    for field in ("question", "answer"):
        if not cleaned[field]:
            raise DraftError("required", field)
    for field, limit in LIMITS.items():
        if len(cleaned[field]) > limit:
            raise DraftError("too_long", field)
    if len(seen) > MAX_ALIASES or any(len(alias) > MAX_ALIAS for alias in seen):
        raise DraftError("too_long", "aliases")
    if cleaned["url"] and not re.fullmatch(r"https?://[^\s<>\"]+", cleaned["url"]):
        raise DraftError("url", "url")
    return {field: cleaned[field] for field in FIELDS}


def entry(session: Session, faq_id: str) -> FaqEntry | None:
    return session.scalar(sa.select(FaqEntry).where(FaqEntry.faq_id == faq_id)
                          .options(selectinload(FaqEntry.aliases)))


def open_draft(session: Session, faq_id: str) -> FaqDraft | None:
    """The entry's draft that is not published or discarded yet (at most one at a time)."""
    return session.scalar(sa.select(FaqDraft).where(FaqDraft.faq_id == faq_id, FaqDraft.status.in_(OPEN_STATES)))


def open_drafts(session: Session) -> list[FaqDraft]:
    """Every draft waiting for approval or publishing, oldest first."""
    return list(session.scalars(sa.select(FaqDraft).where(FaqDraft.status.in_(OPEN_STATES))
                                .order_by(FaqDraft.created_at, FaqDraft.id)))


def save(session: Session, faq_id: str, content: dict, *, author: str, now: datetime, new: bool = False) -> FaqDraft:
    """Write ``content`` as the entry's draft: the open draft is changed (and needs approving again), or a new
    one is started against the entry's current version. ``new``: a new entry, whose id must be free (its draft
    is then changed without ``new``)."""
    content = clean(content)
    current, draft = entry(session, faq_id), open_draft(session, faq_id)
    if new:
        if not FAQ_ID.fullmatch(faq_id):
            raise DraftError("faq_id", "faq_id")
        if current is not None or draft is not None:
            raise DraftError("faq_id_taken", "faq_id")
    elif current is None and (draft is None or draft.base_version is not None):
        raise DraftError("no_entry")  # neither an entry nor a new entry's draft
    if current is not None and content == content_of(current):
        raise DraftError("unchanged")  # nothing to propose (a draft that went back to it can be discarded)
    if draft is None:
        draft = FaqDraft(faq_id=faq_id, base_version=None if current is None else current.version, author=author,
                         created_at=now, status=DraftStatus.OPEN)
        session.add(draft)
    draft.content = content
    draft.updated_at = now
    draft.status, draft.approved_by, draft.approved_at = DraftStatus.OPEN, None, None
    session.flush()
    return draft


def approve(session: Session, draft: FaqDraft, *, approver: str, now: datetime, two_person: bool = True) -> None:
    """Approve an open draft; while ``two_person`` holds, its author cannot."""
    if draft.status != DraftStatus.OPEN:
        raise DraftError("not_open")
    if two_person and approver == draft.author:
        raise DraftError("own_draft")
    draft.status, draft.approved_by, draft.approved_at = DraftStatus.APPROVED, approver, now


def publish(session: Session, draft: FaqDraft, *, publisher: str, now: datetime) -> FaqEntry:
    """Apply an approved draft: the entry takes its content and next version, kept in the history, and every
    process's matcher follows (the FAQ's revision moves). DraftError if it is not approved, or if the entry
    was published again since the draft was written."""
    if draft.status != DraftStatus.APPROVED:
        raise DraftError("not_approved")
    current = entry(session, draft.faq_id)
    if (current.version if current is not None else None) != draft.base_version:
        raise DraftError("stale")
    if current is None:
        current = FaqEntry(faq_id=draft.faq_id, version=store.first_version(session, draft.faq_id),
                           status=FaqStatus.PUBLISHED)
        session.add(current)
    else:
        keep_imported(session, current)
        current.version += 1
    apply(session, current, draft.content, publisher=publisher, now=now)
    draft.status, draft.published_by, draft.published_at = DraftStatus.PUBLISHED, publisher, now
    bump_revision(session, store.FAQ)
    session.flush()
    return current


def discard(session: Session, draft: FaqDraft, *, now: datetime) -> None:
    """Drop a draft that is not published."""
    if draft.status not in OPEN_STATES:
        raise DraftError("not_open")
    draft.status, draft.updated_at = DraftStatus.DISCARDED, now


def history(session: Session, faq_id: str) -> list[FaqVersion]:
    """The entry's published versions, newest first (a version that came from a file appears once it has
    been changed in the console)."""
    return list(session.scalars(sa.select(FaqVersion).where(FaqVersion.faq_id == faq_id)
                                .order_by(FaqVersion.version.desc())))


def restore(session: Session, faq_id: str, version: int, *, author: str, now: datetime) -> FaqDraft:
    """A draft that brings back the content of an earlier version (approved and published like any)."""
    kept = session.scalar(sa.select(FaqVersion).where(FaqVersion.faq_id == faq_id, FaqVersion.version == version))
    if kept is None:
        raise DraftError("no_version")
    return save(session, faq_id, dict(kept.content), author=author, now=now)


def changes(before: dict | None, after: dict) -> list[Change]:
    """The fields that differ from ``before`` (None: a new entry, every field that is filled) to ``after``."""
    found = []
    for field in FIELDS:
        old, new = _text((before or {}).get(field)), _text(after.get(field))
        if old == new:
            continue
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        parts: list[tuple[str, str]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                parts.append(("same", old[i1:i2]))
            else:
                if i2 > i1:
                    parts.append(("removed", old[i1:i2]))
                if j2 > j1:
                    parts.append(("added", new[j1:j2]))
        found.append(Change(field, old, new, tuple(parts)))
    return found


def _text(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value or "")


def apply(session: Session, current: FaqEntry, content: dict, *, publisher: str, now: datetime) -> None:
    """Give ``current`` (its version already set) ``content``, published, and keep that version in the history."""
    current.question, current.answer = content["question"], content["answer"]
    current.category, current.department = content["category"], content["department"]
    current.phone, current.url = content["phone"], content["url"]
    current.aliases = [FaqAlias(text=text) for text in content["aliases"]]
    current.status = FaqStatus.PUBLISHED
    current.updated_at = now
    session.add(FaqVersion(faq_id=current.faq_id, version=current.version, content=content, published_at=now,
                           published_by=publisher))


def keep_imported(session: Session, current: FaqEntry) -> None:
    """Keep the entry's current content in the history before it first changes here (it came from a file)."""
    known = session.scalar(sa.select(FaqVersion.id).where(FaqVersion.faq_id == current.faq_id,
                                                          FaqVersion.version == current.version))
    if known is None:
        store.keep(session, current, by=IMPORTED, at=current.updated_at)

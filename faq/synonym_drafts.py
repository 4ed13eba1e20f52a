"""Changing the city's synonym table with the same care as the FAQ: a group's draft, approved by another
person (``faq.drafts.approve``), published into every process's matcher (the synonyms' revision moves, and each
process rebuilds its index beside the old one). A draft with no words removes its group. A draft written when
the group held other words than it does now is refused at publishing, as an FAQ draft is.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from content.revisions import bump_revision
from faq import store
from faq.drafts import OPEN_STATES
from faq.drafts import DraftError
from faq.models import DraftStatus
from faq.models import Synonym
from faq.models import SynonymDraft

MAX_TERM, MAX_WORDS, MAX_WORD = 200, 100, 100


def words_of(row: Synonym | None) -> list[str] | None:
    return None if row is None else [word for word in row.synonyms.split("|") if word]


def group(session: Session, term: str) -> Synonym | None:
    return session.scalar(sa.select(Synonym).where(Synonym.term == term))


def groups(session: Session, query: str = "") -> list[Synonym]:
    """The table's groups (those whose term or words contain ``query``), by term."""
    statement = sa.select(Synonym).order_by(Synonym.term)
    if query:
        statement = statement.where(sa.or_(Synonym.term.contains(query, autoescape=True),
                                           Synonym.synonyms.contains(query, autoescape=True)))
    return list(session.scalars(statement))


def open_draft(session: Session, term: str) -> SynonymDraft | None:
    return session.scalar(sa.select(SynonymDraft).where(SynonymDraft.term == term,
                                                        SynonymDraft.status.in_(OPEN_STATES)))


def open_drafts(session: Session) -> list[SynonymDraft]:
    return list(session.scalars(sa.select(SynonymDraft).where(SynonymDraft.status.in_(OPEN_STATES))
                                .order_by(SynonymDraft.created_at, SynonymDraft.id)))


def clean(term: str, words: list[str] | str) -> tuple[str, list[str]]:
    """The term and its words trimmed, one per item, without blanks, repeats or the term itself."""
    term = term.strip()
    if isinstance(words, str):
        words = words.replace("|", "\n").splitlines()
    kept = list(dict.fromkeys(word.strip() for word in words if word.strip() and word.strip() != term))
    if not term:
        raise DraftError("required", "term")
    if len(term) > MAX_TERM or len(kept) > MAX_WORDS or any(len(word) > MAX_WORD for word in kept):
        raise DraftError("too_long", "synonyms")
    return term, kept


def save(session: Session, term: str, words: list[str] | str, *, author: str, now: datetime) -> SynonymDraft:
    """Write the group's draft (no words: remove the group); the open draft is changed and needs approving
    again. DraftError when it changes nothing."""
    term, words = clean(term, words)
    current = words_of(group(session, term))
    if words == (current or []) and (current is not None or not words):
        raise DraftError("unchanged")
    draft = open_draft(session, term)
    if draft is None:
        draft = SynonymDraft(term=term, base=current, author=author, created_at=now, status=DraftStatus.OPEN)
        session.add(draft)
    draft.synonyms, draft.updated_at = words, now
    draft.status, draft.approved_by, draft.approved_at = DraftStatus.OPEN, None, None
    session.flush()
    return draft


def publish(session: Session, draft: SynonymDraft, *, publisher: str, now: datetime) -> None:
    """Apply an approved draft to the table; every process's matcher is rebuilt with it."""
    if draft.status != DraftStatus.APPROVED:
        raise DraftError("not_approved")
    row = group(session, draft.term)
    if words_of(row) != draft.base:
        raise DraftError("stale")
    if not draft.synonyms:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Synonym(term=draft.term, synonyms="|".join(draft.synonyms)))
    else:
        row.synonyms = "|".join(draft.synonyms)
    draft.status, draft.published_by, draft.published_at = DraftStatus.PUBLISHED, publisher, now
    bump_revision(session, store.SYNONYMS)
    session.flush()

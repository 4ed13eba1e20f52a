"""How long residents' questions are kept: the text, the pseudonym, and a resident's rows on request.

The query log serves the staff's unanswered queue, which needs the (masked) text of recent questions.
After ``keep`` the text is deleted but the row stays, without text and without pseudonym: outcome,
intent, FAQ id, score and time are not about anyone, and the staff's monthly figures (how often each
entry answered, how many questions went unanswered) are counted from them. The pseudonym, which links
one resident's questions and feedback, is dropped sooner (after ``pseudonym``); from then on a row can
no longer be tied to anyone, not even for 「データ削除」, which is why it is dropped early.

Wordings staff dealt with in the unanswered queue (``faq.unanswered.decide``) hold residents' masked words too:
they are deleted after ``keep`` as well (the same wording asked again later is shown to staff again).

Expiry runs in chunks, each in its own short transaction (``db.write_chunks``), so a large backlog never
holds the database's write lock for long; several processes may run it at once (each chunk's update is idempotent).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import db
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueueDecided

CHUNK = 1000


@dataclass(frozen=True)
class Expired:
    """What one expiry pass changed: texts deleted, and pseudonyms dropped from query rows and feedback."""

    texts: int = 0
    pseudonyms: int = 0
    feedback_pseudonyms: int = 0
    decided: int = 0  # wordings of the unanswered queue that staff dealt with, deleted


def expire(session_factory: sessionmaker[Session], now: datetime, *, keep: timedelta, pseudonym: timedelta,
           chunk: int = CHUNK) -> Expired:
    """Delete texts older than ``keep`` and pseudonyms older than ``pseudonym`` (or than ``keep``, if shorter).

    Each chunk of ``chunk`` rows is updated and committed on its own. Raises ValueError for a negative period.
    """
    if keep < timedelta(0) or pseudonym < timedelta(0):
        raise ValueError("retention periods cannot be negative")
    pseudonym = min(pseudonym, keep)
    texts = _in_chunks(session_factory, QueryLog, (QueryLog.created_at < now - keep) & (QueryLog.normalized_text != ""),
                       {"normalized_text": "", "resident_hash": None, "missed": False}, chunk)
    pseudonyms = _in_chunks(session_factory, QueryLog,
                            (QueryLog.created_at < now - pseudonym) & QueryLog.resident_hash.is_not(None),
                            {"resident_hash": None}, chunk)
    feedback = _in_chunks(session_factory, Feedback,
                          (Feedback.created_at < now - pseudonym) & Feedback.resident_hash.is_not(None),
                          {"resident_hash": None}, chunk)
    decided = _deleted_in_chunks(session_factory, QueueDecided, QueueDecided.decided_at < now - keep, chunk)
    return Expired(texts, pseudonyms, feedback, decided)


def _in_chunks(session_factory: sessionmaker[Session], model: type[QueryLog] | type[Feedback],
               which: sa.ColumnElement[bool], values: dict[str, object], chunk: int) -> int:
    changed = 0

    def step(session: Session) -> bool:
        nonlocal changed
        ids = list(session.scalars(sa.select(model.id).where(which).order_by(model.id).limit(chunk)))
        if ids:
            postgres = session.get_bind().dialect.name == "postgresql"
            chosen = db.one_of(model.id, "ids", postgres=postgres, values=ids)
            session.execute(sa.update(model).where(chosen).values(values)
                            .execution_options(synchronize_session=False))
        changed += len(ids)
        return len(ids) == chunk

    db.write_chunks(session_factory, step)
    return changed


def _deleted_in_chunks(session_factory: sessionmaker[Session], model: type[QueueDecided],
                       which: sa.ColumnElement[bool], chunk: int) -> int:
    deleted = 0

    def step(session: Session) -> bool:
        nonlocal deleted
        ids = list(session.scalars(sa.select(model.id).where(which).order_by(model.id).limit(chunk)))
        if ids:
            session.execute(sa.delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False))
        deleted += len(ids)
        return len(ids) == chunk

    db.write_chunks(session_factory, step)
    return deleted


def forget(session: Session, pseudonyms: Collection[str]) -> int:
    """Delete every query row and feedback of these pseudonyms, in the caller's transaction; returns rows deleted."""
    deleted = 0
    names = list(pseudonyms)
    for start in range(0, len(names), 500):
        part = names[start:start + 500]
        for model in (Feedback, QueryLog):
            deleted += session.execute(
                sa.delete(model).where(model.resident_hash.in_(part)).execution_options(synchronize_session=False)
            ).rowcount or 0
    return deleted

"""The FAQ's sentence vectors kept in the database, so that a restart encodes only the texts that changed.

Building the index encodes every question, alias and question with its answer's lead (``search.engine.meanings``):
about 27 s for 10,000 entries, 6 minutes for 100,000. The vectors are kept by a digest of the encoder's name and
the text as it reads it (``search.semantic.text_key``), in half precision: a stored text is read, not encoded.
New vectors are stored when the index is built on a connection that may write beside it (warming up before
a process takes traffic: ``db.writer_beside``), in short transactions. A build for a request, or a cache's
background rebuild (which a request holding SQLite's write lock may be waiting for), stores nothing: the next
warm-up does. When new vectors are stored, those of texts no entry holds any more are deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import db
from faq.models import SentenceVector
from search.semantic import DIMENSIONS
from search.semantic import MODEL
from search.semantic import sentence_encoder
from search.semantic import text_key

CHUNK = 500  # vectors read or written per statement (500 KB)


def digest(text: str) -> str:
    """The key a text's vector is kept under: the encoder's name and the text as it reads it, hashed."""
    return hashlib.sha256(f"{MODEL}\n{text_key(text)}".encode()).hexdigest()


def vectors_for(session: Session, texts: Sequence[str]) -> np.ndarray:
    """The sentence vector of each text (one float32 row each): read when stored, else encoded — and then
    stored when ``session`` allows a write beside it. Stored or not, each is rounded to half precision, so that
    an index built from stored vectors scores exactly as one built by encoding. Rows are filled as they are
    read: no second copy of every vector is held."""
    rows_of: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        rows_of.setdefault(digest(text), []).append(row)
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    found = _read_into(session, rows_of, out)
    missing = [d for d in rows_of if d not in found]
    if missing:
        fresh = sentence_encoder().encode([texts[rows_of[d][0]] for d in missing], remember=True).astype(np.float16)
        for d, vector in zip(missing, fresh, strict=True):
            out[rows_of[d]] = vector
        _store(session, dict(zip(missing, fresh, strict=True)), keep=set(rows_of))
    return out


def _read_into(session: Session, rows_of: Mapping[str, list[int]], out: np.ndarray) -> set[str]:
    """Write each stored vector into its texts' rows of ``out``; the digests found."""
    digests = sorted(rows_of)
    found: set[str] = set()
    for start in range(0, len(digests), CHUNK):
        rows = session.execute(sa.select(SentenceVector.digest, SentenceVector.vector)
                               .where(SentenceVector.digest.in_(digests[start:start + CHUNK])))
        for d, blob in rows:
            vector = np.frombuffer(blob, dtype=np.float16)
            if len(vector) == DIMENSIONS:
                out[rows_of[d]] = vector
                found.add(d)
    return found


def _store(session: Session, new: Mapping[str, np.ndarray], *, keep: set[str]) -> int:
    """Store ``new`` (half-precision vectors by digest) in short transactions and delete the vectors no text in
    ``keep`` needs, when ``session`` allows a write beside it; how many transactions were committed (0: none)."""
    engine = db.writer_beside(session)
    if engine is None or not new:
        return 0
    insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(SentenceVector.__table__)
    # A row already there is replaced: it was unreadable (``_read_into`` skipped it), or the same vector.
    replaced = {"vector": insert.excluded.vector, "stored_at": insert.excluded.stored_at}
    insert = insert.on_conflict_do_update(index_elements=["digest"], set_=replaced)
    now = db.utcnow()
    rows = [{"digest": d, "vector": vector.tobytes(), "stored_at": now} for d, vector in new.items()]
    pending = [rows[start:start + CHUNK] for start in range(0, len(rows), CHUNK)]

    def step(write: Session) -> bool:
        write.execute(insert, pending.pop(0))
        return bool(pending)

    committed = db.write_chunks(sessionmaker(bind=engine), step)
    return committed + _forget_others(session, engine, keep)


def _forget_others(session: Session, engine: sa.Engine, keep: set[str]) -> int:
    """Delete the stored vectors that no text of the index needs (entries edited or removed since)."""
    stale = [d for (d,) in session.execute(sa.select(SentenceVector.digest)) if d not in keep]
    pending = [stale[start:start + CHUNK] for start in range(0, len(stale), CHUNK)]

    def step(write: Session) -> bool:
        write.execute(sa.delete(SentenceVector).where(SentenceVector.digest.in_(pending.pop(0))))
        return bool(pending)

    return db.write_chunks(sessionmaker(bind=engine), step) if pending else 0

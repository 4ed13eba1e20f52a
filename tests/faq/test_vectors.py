"""The FAQ's sentence vectors are kept in the database: a restart reads them instead of encoding again, a
build inside a request writes nothing, and vectors no entry needs any more are deleted."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

import db
from faq import index
from faq import store
from faq import vectors
from faq.importers import FaqRecord
from faq.models import SentenceVector
from japanese.synonyms import SynonymGroup
from search.engine import meanings
from search.semantic import sentence_encoder
from search.sentence_model import TokenMemo
from tests.conftest import SAMPLE_FAQ

QUESTIONS = ["住民票の写しを取りたい", "粗大ごみの手数料", "引っ越してきた"]


class Counting:
    """The process's encoder, counting the texts it is asked to encode."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts, *, remember=False):
        self.texts += list(texts)
        return sentence_encoder().encode(texts, remember=remember)


def build_beside(app):
    """The index as warming builds it: on an autocommit connection, which may write beside it."""
    with db.autocommit(app) as connection, Session(bind=connection) as session:
        return index.build_matcher(session)


def stored(app) -> set[str]:
    with db.session_factory(app)() as session:
        return set(session.scalars(sa.select(SentenceVector.digest)))


def texts_of(app) -> list[str]:
    with db.session_factory(app)() as session:
        return [text for doc in store.load_docs(session) for text in meanings(doc)]


def test_a_second_build_encodes_nothing_and_scores_the_same(app, faq, monkeypatch):
    """Built once, every text's vector is kept; built again (a restart), none is encoded and every score is
    the same."""
    first = build_beside(app)
    assert stored(app) == {vectors.digest(text) for text in texts_of(app)}
    counting = Counting()
    monkeypatch.setattr(vectors, "sentence_encoder", lambda: counting)
    again = build_beside(app)
    assert counting.texts == []
    assert [again.search(q) for q in QUESTIONS] == [first.search(q) for q in QUESTIONS]


def test_a_build_from_kept_vectors_readies_the_encoder_for_the_words_of_its_entries(app, faq, monkeypatch):
    """A restart encodes none of the entries' texts, yet their tokens' work is done before the first question."""
    build_beside(app)
    model = sentence_encoder()._model
    monkeypatch.setattr(model, "memo", TokenMemo(model))  # as a fresh process has it
    build_beside(app)
    computed = []
    token_rows = model.token_rows
    monkeypatch.setattr(model, "token_rows", lambda ids: computed.extend(ids.tolist()) or token_rows(ids))
    model.encode(texts_of(app))
    assert len(model.memo) > 0 and computed == []


def test_a_build_inside_a_transaction_stores_nothing(app, faq):
    """A request's own transaction (which on SQLite holds the write lock) never waits on a write beside it."""
    with db.transaction(app) as session:
        index.build_matcher(session)
    assert stored(app) == set()


def test_vectors_no_entry_needs_are_deleted_when_new_ones_are_stored(app, faq):
    """An entry replaced by another: its texts' vectors go, the new entry's come."""
    build_beside(app)
    before = stored(app)
    with db.transaction(app) as session:
        store.save_records(session, [*SAMPLE_FAQ[:3], FaqRecord("105", "犬の登録をしたい。", "保健所で登録します。")],
                           replace=True)
    build_beside(app)
    after = stored(app)
    assert after == {vectors.digest(text) for text in texts_of(app)}
    assert before - after and after - before


def test_a_background_rebuild_stores_nothing_and_never_waits_on_its_callers_lock(app, faq):
    """A request holding the write lock waits for the rebuild: the rebuild only reads, so it is done in time
    (storing would wait for that very lock), and the next warm-up stores the vectors."""
    cache = index.index_cache()
    with db.session_factory(app)() as session:
        cache.get(session)
    with db.transaction(app) as session:  # a new synonym table: the whole index is built again
        store.save_synonyms(session, [SynonymGroup("粗大ごみ", ("でかいごみ",))])
    with db.transaction(app) as session:  # on SQLite: holds the write lock from here
        rebuilt = cache.get(session, wait=30)
    assert rebuilt.matcher.search("でかいごみ")[0].faq_id == "103"
    assert stored(app) == set()


def test_a_stored_vector_that_is_not_one_is_encoded_again(app, faq, monkeypatch):
    """A kept row of the wrong size (cut short, another encoder) is not used: its text is encoded, and the row
    is replaced."""
    build_beside(app)
    broken = sorted(stored(app))[0]
    with db.transaction(app) as session:
        session.execute(sa.update(SentenceVector).where(SentenceVector.digest == broken).values(vector=b"\x00\x01"))
    counting = Counting()
    monkeypatch.setattr(vectors, "sentence_encoder", lambda: counting)
    build_beside(app)
    assert [vectors.digest(text) for text in counting.texts] == [broken]
    build_beside(app)
    assert len(counting.texts) == 1

"""The FAQ index of this process: a matcher over every published entry, kept in step with the database.

A changed synonym table rebuilds the matcher; changed entries are applied one by one (only the matcher's
small delta segment is rebuilt), found by comparing entry versions. Either way the result is a new matcher:
an edit is applied to a copy (``HybridMatcher.copy``), never to the matcher other threads are reading, and
``content.cache.RevisionCache`` swaps it in once it is complete (deciding when, from the ``faq`` and
``synonyms`` revisions).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

import metrics
from content.cache import RevisionCache
from faq import store
from faq import vectors
from faq.answers import Entry
from faq.policy import fusion_weights
from japanese.synonyms import SynonymGroup
from japanese.synonyms import Synonyms
from search.docs import Matcher
from search.engine import Analyzer
from search.engine import HybridMatcher
from search.engine import meanings
from search.semantic import sentence_encoder

KEY = "faq.index"  # its cache in the runtime
INCREMENTAL_AT_LEAST = 50  # entries applied one by one before a rebuild is cheaper (or 5 % of the store)


@dataclass
class FaqIndex:
    """The matcher, the version of each entry it holds, and the entries as replies show them (an answer
    reads its entry here, not from the database)."""

    matcher: Matcher
    versions: dict[str, int]
    entries: dict[str, Entry]


def _entries(session: Session, faq_ids: Sequence[str] | None = None) -> dict[str, Entry]:
    """The published entries as replies show them, by file id (only these, when given)."""
    return {row.faq_id: Entry(row.faq_id, row.question, row.answer, row.url, row.department, row.phone)
            for row in store.load_published(session, faq_ids)}


def build_matcher(session: Session) -> HybridMatcher:
    """The process's matcher over every published entry, with the city's synonyms; the encoder is primed with
    the entries' commonest tokens (the words residents will type are mostly the entries')."""
    started = time.perf_counter()
    matcher = matcher_with(session, store.load_synonyms(session), prime=True)
    metrics.MATCHER_BUILD_SECONDS.observe(time.perf_counter() - started)
    return matcher


def matcher_with(session: Session, synonyms: Sequence[SynonymGroup], *, prime: bool = False) -> HybridMatcher:
    """A matcher over every published entry with ``synonyms`` as the city's table (one being changed); the
    entries' sentence vectors are read where they were kept (``faq.vectors``), encoded where not. ``prime``:
    the encoder's token memo too (``SentenceEncoder.prime``; not for a draft's matcher in a console request)."""
    docs = store.load_docs(session)
    texts = [text for doc in docs for text in meanings(doc)]
    kept = vectors.vectors_for(session, texts)
    encoder = sentence_encoder()
    matcher = HybridMatcher(docs, analyzer=Analyzer(Synonyms(synonyms)), weights=fusion_weights(),
                            encoder=encoder, vectors=kept)
    if prime and texts:
        encoder.prime(texts)
    return matcher


def refresh(session: Session, previous: FaqIndex | None, changed: frozenset[str]) -> FaqIndex:
    """The index for the stored FAQ: a copy of ``previous`` with the changed entries when only a few
    changed, else built anew; ``previous`` itself is left as it was (threads may be reading it)."""
    versions = store.load_versions(session)
    metrics.FAQ_ENTRIES.set(len(versions))
    if previous is None or store.SYNONYMS in changed:
        return FaqIndex(build_matcher(session), versions, _entries(session))
    edited = [faq_id for faq_id, version in versions.items() if previous.versions.get(faq_id) != version]
    removed = [faq_id for faq_id in previous.versions if faq_id not in versions]
    if len(edited) + len(removed) > max(INCREMENTAL_AT_LEAST, len(versions) // 20):
        return FaqIndex(build_matcher(session), versions, _entries(session))
    matcher = previous.matcher.copy()
    for doc in store.load_docs_by_id(session, edited):
        matcher.upsert(doc)
    for faq_id in removed:
        matcher.remove(faq_id)
    entries = {faq_id: entry for faq_id, entry in previous.entries.items() if faq_id not in removed}
    entries.update(_entries(session, edited))
    return FaqIndex(matcher, versions, entries)


def index_cache() -> RevisionCache[FaqIndex]:
    """A per-process FAQ index, refreshed when the FAQ or the synonym table changes."""
    return RevisionCache((store.FAQ, store.SYNONYMS), refresh)

"""The hybrid FAQ matcher: three lexical views fused into one score, with fuzzy re-ranking.

Views, each scoring an entry in [0, 1]:

* **ngram** — character 1–3-gram TF-IDF cosine between the query and each of the entry's questions and
  aliases, on the normalised surface key and on the hiragana reading key (the better of the two), so
  hiragana-only and half-width input still match;
* **bm25** — BM25 over Sudachi's normalised content words of question, aliases and answer, with synonyms
  put on one token; divided by the most the query's words could score, so it reads as "how much of what
  the resident asked is covered";
* **fuzzy** — rapidfuzz ``ratio`` against the same questions and aliases (surface and reading keys),
  computed for the best candidates of the first two views only; an exact alias hit scores 1.

The fused score is a weighted sum (weights in ``Weights``). The index is split in segments: a large base
and a small delta that takes edits, so changing one entry does not rebuild everything; entries replaced or
removed are masked until the next compaction.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz import process
from scipy import sparse

from faq.japanese import JapaneseText
from faq.matcher import MAX_QUERY_CHARS
from faq.matcher import FaqDoc
from faq.matcher import Hit
from faq.normalize import normalize
from faq.synonyms import Synonyms

BM25_K1 = 1.2
BM25_B = 0.75
CANDIDATES = 40


@dataclass(frozen=True)
class Weights:
    """How much each view counts in the fused score (they sum to 1, so the score stays in [0, 1]).

    Queries of at most ``short_chars`` characters (item names, 「住民票」) use the ``short`` weights: with so
    few characters, n-grams and words overlap by chance and the edit distance is the better guide.
    """

    ngram: float = 0.4
    bm25: float = 0.5
    fuzzy: float = 0.1
    short_chars: int = 5
    short: tuple[float, float, float] = (0.25, 0.25, 0.5)

    def for_length(self, chars: int) -> tuple[float, float, float]:
        """The (ngram, bm25, fuzzy) weights for a query key of ``chars`` characters."""
        return self.short if chars <= self.short_chars else (self.ngram, self.bm25, self.fuzzy)


@dataclass
class Analysis:
    """What the engine makes of a query (shown by ``ask --explain``)."""

    text: str
    surface: str
    reading: str
    tokens: tuple[str, ...]
    synonyms: list[tuple[str, str]]
    rewritten: str = ""  # the surface key after the city's synonym phrases, when they changed it


@dataclass
class Explained:
    """One candidate with the score of each view."""

    faq_id: str
    score: float
    ngram_surface: float
    ngram_reading: float
    bm25: float
    fuzzy: float


class Analyzer:
    """Turns text into the keys and tokens every view indexes: one pipeline for queries and entries."""

    def __init__(self, synonyms: Synonyms | None = None, japanese: JapaneseText | None = None):
        self.synonyms = synonyms or Synonyms()
        self.japanese = japanese or JapaneseText()

    def surface(self, text: str) -> str:
        """The normalised surface key."""
        return normalize(text)

    def reading(self, text: str) -> str:
        """The hiragana reading key (typo-forgiving)."""
        return self.japanese.reading(text)

    def tokens(self, text: str) -> tuple[str, ...]:
        """Canonical content words for BM25, after the city's synonym phrases are rewritten."""
        rewritten = self.synonyms.rewrite(text)
        return tuple(self.synonyms.token(word) for word in self.japanese.content_words(rewritten))

    def analyse(self, text: str) -> Analysis:
        """Every key of ``text`` at once."""
        text = text[:MAX_QUERY_CHARS]
        surface = self.surface(text)
        applied = self.synonyms.applied(text)
        rewritten = self.surface(self.synonyms.rewrite(text)) if applied else ""
        return Analysis(text, surface, self.reading(text), self.tokens(text), applied,
                        rewritten if rewritten != surface else "")


def ngrams(key: str, low: int = 1, high: int = 3) -> Counter:
    """Character n-grams of ``key`` with their counts."""
    grams: Counter = Counter()
    for n in range(low, high + 1):
        for i in range(len(key) - n + 1):
            grams[key[i:i + n]] += 1
    return grams


class _Vocabulary:
    """An append-only map from feature to column, with document frequencies kept up to date."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.float64)

    def columns(self, features: Iterable[str], *, add: bool) -> list[int]:
        cols = []
        for feature in features:
            col = self.index.get(feature)
            if col is None:
                if not add:
                    continue
                col = self.index[feature] = len(self.index)
                if col >= len(self.df):
                    self.df = np.concatenate([self.df, np.zeros(len(self.df))])
            cols.append(col)
        return cols

    def count(self, cols: Iterable[int], delta: int) -> None:
        for col in cols:
            self.df[col] += delta


@dataclass
class _Entry:
    """What the index keeps of one FAQ entry to score, re-rank, explain and later remove it."""

    doc: FaqDoc
    surface_keys: list[str]
    reading_keys: list[str]
    row_features: list[tuple[Counter, Counter]]
    tokens: Counter
    alive: bool = True


@dataclass
class _Segment:
    """Sparse matrices for a run of entry slots (immutable once built)."""

    row_slot: np.ndarray
    surface: sparse.csc_matrix
    reading: sparse.csc_matrix
    surface_norm: np.ndarray
    reading_norm: np.ndarray
    doc_slot: np.ndarray
    bm25: sparse.csc_matrix
    slots: set[int] = field(default_factory=set)


class HybridMatcher:
    """Ranks FAQ entries for a query by fused n-gram TF-IDF, BM25 and fuzzy scores."""

    def __init__(self, docs: Sequence[FaqDoc], *, analyzer: Analyzer | None = None, weights: Weights = Weights(),
                 delta_limit: int = 500):
        self.analyzer = analyzer or Analyzer()
        self.weights = weights
        self.delta_limit = delta_limit
        self._grams = _Vocabulary()
        self._words = _Vocabulary()
        self._entries: list[_Entry] = []
        self._slot_of: dict[str, int] = {}
        self._exact: dict[str, set[int]] = {}
        self._rows = 0
        self._docs = 0
        self._doc_length_total = 0
        self._base: _Segment | None = None
        self._delta: _Segment | None = None
        self._delta_slots: list[int] = []
        self._add_all(docs)
        self._base = self._build(range(len(self._entries)))

    # ---- size and versions -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def doc(self, faq_id: str) -> FaqDoc | None:
        """The indexed document with this id."""
        slot = self._slot_of.get(faq_id)
        return None if slot is None else self._entries[slot].doc

    # ---- editing ---------------------------------------------------------------------------------------

    def upsert(self, doc: FaqDoc) -> None:
        """Add ``doc`` or replace the entry with its id; only the small delta segment is rebuilt."""
        self._remove(doc.faq_id)
        self._add_all([doc])
        self._delta_slots.append(len(self._entries) - 1)
        self._after_edit()

    def remove(self, faq_id: str) -> None:
        """Remove the entry with this id (masked until the next compaction)."""
        self._remove(faq_id)
        self._after_edit()

    def _after_edit(self) -> None:
        live_delta = [slot for slot in self._delta_slots if self._entries[slot].alive]
        dead = len(self._entries) - len(self._slot_of)
        limit = max(self.delta_limit, len(self._slot_of) // 10)
        if len(live_delta) > limit or dead > max(2 * limit, len(self._slot_of) // 4):
            self.compact()
            return
        self._delta_slots = live_delta
        self._delta = self._build(live_delta) if live_delta else None

    def compact(self) -> None:
        """Rebuild one segment from the live entries (drops masked ones)."""
        docs = [self._entries[slot].doc for slot in sorted(self._slot_of.values())]
        self.__init__(docs, analyzer=self.analyzer, weights=self.weights, delta_limit=self.delta_limit)

    def _remove(self, faq_id: str) -> None:
        slot = self._slot_of.pop(faq_id, None)
        if slot is None:
            return
        entry = self._entries[slot]
        entry.alive = False
        for surface_grams, reading_grams in entry.row_features:
            self._grams.count(self._grams.columns(surface_grams, add=False), -1)
            self._grams.count(self._grams.columns(reading_grams, add=False), -1)
        self._rows -= len(entry.row_features)
        self._words.count(self._words.columns(entry.tokens, add=False), -1)
        self._docs -= 1
        self._doc_length_total -= sum(entry.tokens.values())
        for key in entry.surface_keys + entry.reading_keys:
            self._exact.get(key, set()).discard(slot)

    def _add_all(self, docs: Iterable[FaqDoc]) -> None:
        analyzer = self.analyzer
        for doc in docs:
            texts = [doc.question, *doc.aliases]
            surface_keys = [analyzer.surface(t) for t in texts]
            reading_keys = [analyzer.reading(t) for t in texts]
            rows = [(ngrams(s), ngrams(r)) for s, r in zip(surface_keys, reading_keys, strict=True) if s or r]
            tokens = Counter(analyzer.tokens(" ".join(texts) + "\n" + doc.answer))
            slot = len(self._entries)
            self._entries.append(_Entry(doc, surface_keys, reading_keys, rows, tokens))
            self._slot_of[doc.faq_id] = slot
            for surface_grams, reading_grams in rows:
                self._grams.count(self._grams.columns(surface_grams, add=True), +1)
                self._grams.count(self._grams.columns(reading_grams, add=True), +1)
            self._rows += len(rows)
            self._words.count(self._words.columns(tokens, add=True), +1)
            self._docs += 1
            self._doc_length_total += sum(tokens.values())
            for key in {*surface_keys, *reading_keys} - {""}:
                self._exact.setdefault(key, set()).add(slot)

    # ---- building ------------------------------------------------------------------------------------

    def _idf_grams(self) -> np.ndarray:
        return np.log((1 + self._rows) / (1 + self._grams.df)) + 1.0

    def _idf_words(self) -> np.ndarray:
        n, df = self._docs, self._words.df
        return np.log(1 + (n - df + 0.5) / (df + 0.5))

    def _build(self, slots: Iterable[int]) -> _Segment:
        slots = [s for s in slots if self._entries[s].alive]
        idf = self._idf_grams()
        row_slot, s_rows, s_cols, s_vals, r_rows, r_cols, r_vals = [], [], [], [], [], [], []
        for slot in slots:
            for surface_grams, reading_grams in self._entries[slot].row_features:
                row = len(row_slot)
                row_slot.append(slot)
                for grams, rows, cols, vals in ((surface_grams, s_rows, s_cols, s_vals),
                                                (reading_grams, r_rows, r_cols, r_vals)):
                    for gram, count in grams.items():
                        rows.append(row)
                        cols.append(self._grams.index[gram])
                        vals.append(1.0 + math.log(count))
        width = len(self._grams.index)
        surface = sparse.csc_matrix((np.array(s_vals, np.float32), (s_rows, s_cols)), shape=(len(row_slot), width))
        reading = sparse.csc_matrix((np.array(r_vals, np.float32), (r_rows, r_cols)), shape=(len(row_slot), width))

        avgdl = self._doc_length_total / max(self._docs, 1) or 1.0
        d_rows, d_cols, d_vals = [], [], []
        for position, slot in enumerate(slots):
            tokens = self._entries[slot].tokens
            length = sum(tokens.values())
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avgdl)
            for word, count in tokens.items():
                d_rows.append(position)
                d_cols.append(self._words.index[word])
                d_vals.append(count * (BM25_K1 + 1) / (count + norm))
        bm25 = sparse.csc_matrix(
            (np.array(d_vals, np.float32), (d_rows, d_cols)), shape=(len(slots), len(self._words.index))
        )
        return _Segment(
            row_slot=np.array(row_slot, dtype=np.int64),
            surface=surface,
            reading=reading,
            surface_norm=_row_norms(surface, idf[:width]),
            reading_norm=_row_norms(reading, idf[:width]),
            doc_slot=np.array(slots, dtype=np.int64),
            bm25=bm25,
            slots=set(slots),
        )

    # ---- searching -----------------------------------------------------------------------------------

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The best ``k`` entries for ``query``, best first."""
        return [Hit(e.faq_id, e.score) for e in self.explain(query, k)]

    def explain(self, query: str, k: int = 5, analysis: Analysis | None = None) -> list[Explained]:
        """The best ``k`` entries with the score of every view."""
        a = analysis or self.analyzer.analyse(query)
        if not (a.surface or a.reading) or not self._slot_of:
            return []
        n_slots = len(self._entries)
        surface = np.zeros(n_slots)
        reading = np.zeros(n_slots)
        bm25 = np.zeros(n_slots)
        idf = self._idf_grams()
        word_idf = self._idf_words()
        s_cols, s_weights = self._query_grams(a.surface, idf)
        r_cols, r_weights = self._query_grams(a.reading, idf)
        rw_cols, rw_weights = self._query_grams(a.rewritten, idf) if a.rewritten else ([], None)
        w_cols, w_weights, coverage_max = self._query_words(a.tokens, word_idf)
        for segment in (self._base, self._delta):
            if segment is None:
                continue
            _max_into(surface, segment.row_slot, _cosine(segment.surface, segment.surface_norm, s_cols, s_weights))
            _max_into(reading, segment.row_slot, _cosine(segment.reading, segment.reading_norm, r_cols, r_weights))
            if rw_cols:
                # The query as the city's synonym table words it (ひっこしてきた → 転入) counts as typed.
                _max_into(surface, segment.row_slot,
                          _cosine(segment.surface, segment.surface_norm, rw_cols, rw_weights))
            if w_cols and coverage_max > 0:
                width = segment.bm25.shape[1]
                cols = [c for c in w_cols if c < width]
                if cols:
                    weights = np.array([w for c, w in zip(w_cols, w_weights, strict=True) if c < width])
                    bm25[segment.doc_slot] = (segment.bm25[:, cols] @ weights) / coverage_max
        alive = np.zeros(n_slots, dtype=bool)
        alive[list(self._slot_of.values())] = True
        w_ngram, w_bm25, w_fuzzy = self.weights.for_length(len(a.surface))
        lexical = w_ngram * np.maximum(surface, reading) + w_bm25 * bm25
        lexical[~alive] = -1.0
        pool = min(CANDIDATES, int(alive.sum()))
        candidates = np.argpartition(-lexical, pool - 1)[:pool]
        exact = self._exact.get(a.surface, set()) | self._exact.get(a.reading, set())
        results = []
        for slot in candidates:
            slot = int(slot)
            entry = self._entries[slot]
            if not entry.alive:
                continue
            if slot in exact:
                # The resident typed a question or alias exactly (after normalising): nothing fits better.
                fuzzy, score = 1.0, 1.0
            else:
                fuzzy = self._fuzzy(a, entry)
                score = float(lexical[slot]) + w_fuzzy * fuzzy
            results.append(Explained(entry.doc.faq_id, round(score, 4), round(float(surface[slot]), 4),
                                     round(float(reading[slot]), 4), round(float(bm25[slot]), 4), round(fuzzy, 4)))
        results.sort(key=lambda e: -e.score)
        return [e for e in results[:k] if e.score > 0]

    def _query_grams(self, key: str, idf: np.ndarray) -> tuple[list[int], np.ndarray]:
        grams = ngrams(key)
        cols = self._grams.columns(grams, add=False)
        known = [g for g in grams if g in self._grams.index]
        weights = np.array([(1.0 + math.log(grams[g])) * idf[c] for g, c in zip(known, cols, strict=True)])
        # Unknown n-grams still count in the query's length, so rare words lower the cosine.
        unknown = [(1.0 + math.log(n)) * (math.log(1 + self._rows) + 1.0) for g, n in grams.items()
                   if g not in self._grams.index]
        norm = math.sqrt(float(np.sum(weights ** 2)) + sum(u * u for u in unknown)) or 1.0
        return cols, weights * idf[cols] / norm if cols else weights

    def _query_words(self, tokens: Sequence[str], idf: np.ndarray) -> tuple[list[int], list[float], float]:
        counts = Counter(tokens)
        cols, weights, total = [], [], 0.0
        unknown_idf = math.log(1 + (self._docs + 0.5) / 0.5)
        for word in counts:
            col = self._words.index.get(word)
            if col is None or self._words.df[col] <= 0:
                total += unknown_idf * (BM25_K1 + 1)
                continue
            cols.append(col)
            weights.append(float(idf[col]))
            total += float(idf[col]) * (BM25_K1 + 1)
        return cols, weights, total

    def _fuzzy(self, a: Analysis, entry: _Entry) -> float:
        best = 0.0
        if a.surface:
            match = process.extractOne(a.surface, entry.surface_keys, scorer=fuzz.ratio, processor=None)
            best = max(best, match[1] if match else 0.0)
        if a.reading:
            match = process.extractOne(a.reading, entry.reading_keys, scorer=fuzz.ratio, processor=None)
            best = max(best, match[1] if match else 0.0)
        return best / 100.0


def _row_norms(matrix: sparse.csc_matrix, idf: np.ndarray) -> np.ndarray:
    weighted = matrix.multiply(idf.astype(np.float32)).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return norms


def _cosine(matrix: sparse.csc_matrix, norms: np.ndarray, cols: list[int], weights: np.ndarray) -> np.ndarray:
    width = matrix.shape[1]
    keep = [i for i, c in enumerate(cols) if c < width]
    if not keep:
        return np.zeros(matrix.shape[0])
    sub = matrix[:, [cols[i] for i in keep]]
    return (sub @ weights[keep]) / norms


def _max_into(target: np.ndarray, slots: np.ndarray, values: np.ndarray) -> None:
    if len(values):
        np.maximum.at(target, slots, values)

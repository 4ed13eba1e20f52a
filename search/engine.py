"""The hybrid FAQ matcher: three lexical views fused into one score, with fuzzy re-ranking.

Views, each scoring an entry in [0, 1]:

* **ngram** — character 1–3-gram TF-IDF cosine between the query and each of the entry's questions and
  aliases, on the normalised surface key and on the hiragana reading key (the better of the two), so
  hiragana-only and half-width input still match;
* **bm25** — BM25 over Sudachi's normalised content words of question, aliases and answer, with synonyms
  put on one token; divided by the most the query's words could score, so it reads as "how much of what
  the resident asked is covered";
* **fuzzy** — rapidfuzz ``ratio`` against the same questions and aliases (surface and reading keys),
  computed for the best candidates of the other views only; an exact alias hit scores 1;
* **semantic** — cosine between sentence vectors (``search.semantic``) of the whole message and of each
  question, alias, and question with the answer's first sentence (the best of them), when the matcher has an
  encoder: it meets a question put in other words
  (「赤ちゃんが生まれたらもらえるお金」 and 「出産育児一時金」), which no shared character or word finds.

The fused score is a weighted sum (weights in ``Weights``), lifted for an entry that speaks of what the
message asks about its subject (``japanese.facets``: a loss, money); each hit names what its entry does not speak of.
The index is split in segments: a large base and a small delta that takes edits, so changing one entry does
not rebuild everything; entries replaced or removed are masked until the next compaction.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz import process
from scipy import sparse

from japanese import facets
from japanese.analysis import JapaneseText
from japanese.normalize import normalize
from japanese.phrases import question_focus
from japanese.phrases import without_courtesy
from japanese.synonyms import Synonyms
from search.docs import MAX_QUERY_CHARS
from search.docs import Analysis
from search.docs import Explained
from search.docs import Explanation
from search.docs import FaqDoc
from search.docs import Hit
from search.docs import Matcher
from search.docs import Query
from search.semantic import DIMENSIONS
from search.semantic import Encoder

BM25_K1 = 1.2
BM25_B = 0.75
CANDIDATES = 40
FOCUS_WEIGHT = 0.5  # how much the question's own clause counts against the whole message
FOCUS_DEPTH = 20  # entries scored for each of the two readings before they are fused
# An n-gram found in more than this share of the keys is not read (it is three quarters of the postings a long
# question reads at 10,000 entries); Hit@1 and the answers' tiers stay the same on every evaluation set.
COMMON_GRAM_SHARE = 0.25
COMMON_GRAM_MIN_KEYS = 100  # in a small index every n-gram is read: there 医療証 may be in most keys
# A thing of at least this many characters that no entry speaks of keeps the message from a direct answer
# (``_unheard``): 「電車の時刻表」 is not answered with the bus timetable. One kanji or kana is too often a piece of a
# word Sudachi split.
MIN_UNHEARD_CHARS = 2


@dataclass(frozen=True)
class Weights:
    """How much each view counts in the fused score (they sum to 1, so the score stays in [0, 1]).

    Queries of at most ``short_chars`` characters (item names, 「住民票」) use the ``short`` weights: with so
    few characters, n-grams and words overlap by chance and the edit distance is the better guide; the semantic
    view has its own share for them (``semantic_short``). A message typed in hiragana (「じゅうみんぜい」) gets no
    semantic share at all: a sentence encoder reads kana-only Japanese poorly (top-1 falls to a few percent on
    such input, ``matching.md`` §5), where the reading key of the n-gram view holds.
    """

    ngram: float = 0.4
    bm25: float = 0.5
    fuzzy: float = 0.1
    short_chars: int = 5
    short: tuple[float, float, float] = (0.25, 0.25, 0.5)
    semantic: float = 0.4  # the semantic view's share of the score; the lexical views share the rest
    semantic_short: float = 0.0
    facet: float = 0.0  # an entry that speaks of what the message asks (「なくした」: 再発行) scores × (1 + facet)

    def for_length(self, chars: int) -> tuple[float, float, float]:
        """The (ngram, bm25, fuzzy) weights for a query key of ``chars`` characters."""
        return self.short if chars <= self.short_chars else (self.ngram, self.bm25, self.fuzzy)

    def semantic_for(self, text: str, chars: int) -> float:
        """The semantic view's share for ``text`` whose key has ``chars`` characters (when the matcher has one)."""
        if mostly_hiragana(text):
            return 0.0
        return self.semantic_short if chars <= self.short_chars else self.semantic


_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆]")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KATAKANA = re.compile(r"[\u30a1-\u30ffー\uff66-\uff9f]")


def mostly_hiragana(text: str) -> bool:
    """True for a message written without kanji and mostly in hiragana (「ほいくえん もうしこみ」)."""
    if _KANJI.search(text):
        return False
    hiragana = len(_HIRAGANA.findall(text))
    return hiragana > 0 and hiragana >= len(_KATAKANA.findall(text))


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
        return self._canonical(self.japanese.content_words(self.synonyms.rewrite(text)))

    def _canonical(self, words: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.synonyms.token(word) for word in words)

    def analyse(self, query: Query | str) -> Analysis:
        """Every key of the query at once (its surface key is the one the query carries, when it is long enough)."""
        if isinstance(query, str):
            query = Query.of(query)
        text = without_courtesy(query.text[:MAX_QUERY_CHARS])
        surface = query.key if text == query.text else self.surface(text)
        applied = self.synonyms.applied(text)
        in_terms = self.synonyms.rewrite(text)  # the city's synonym phrases replaced by their terms
        rewritten = self.surface(in_terms) if applied else ""
        return Analysis(text, surface, self.reading(text), self._canonical(self.japanese.content_words(in_terms)),
                        applied, rewritten if rewritten != surface else "", facets.asked(text),
                        query.key if query.key != surface else "", self._canonical(self.japanese.nouns(in_terms)))


def ngrams(key: str, low: int = 1, high: int = 3) -> Counter:
    """Character n-grams of ``key`` with their counts."""
    return Counter(key[i:i + n] for n in range(low, high + 1) for i in range(len(key) - n + 1))


class _Vocabulary:
    """An append-only map from feature to column, with live document frequencies."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.float64)

    def add(self, features: Iterable[str]) -> np.ndarray:
        """Columns of ``features``, new ones appended."""
        cols = []
        for feature in features:
            col = self.index.get(feature)
            if col is None:
                col = self.index[feature] = len(self.index)
            cols.append(col)
        if len(self.index) > len(self.df):
            self.df = np.concatenate([self.df, np.zeros(max(len(self.df), len(self.index) - len(self.df)))])
        return np.array(cols, dtype=np.int32)

    def copy(self) -> _Vocabulary:
        """A vocabulary that can grow without changing this one."""
        other = _Vocabulary.__new__(_Vocabulary)
        other.index = dict(self.index)
        other.df = self.df.copy()
        return other


def _features(vocabulary: _Vocabulary, counts: Counter) -> tuple[np.ndarray, np.ndarray]:
    """(columns, sublinear tf) of one row or document; new features are added to the vocabulary."""
    cols = vocabulary.add(counts)
    values = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float32, count=len(counts))
    return cols, values


@dataclass
class _Entry:
    """What the index keeps of one FAQ entry to score, re-rank, explain and later remove it.

    ``rows`` holds, per question or alias, the n-gram columns and weights of its surface and reading keys;
    ``words`` the BM25 columns and counts of the whole entry; ``vectors`` a sentence vector per question and
    alias and one for the question with the answer's lead (``meanings``; no columns without an encoder).
    Compact numpy arrays, not Python objects.
    """

    doc: FaqDoc
    surface_keys: list[str]
    reading_keys: list[str]
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    words: tuple[np.ndarray, np.ndarray]
    vectors: np.ndarray
    facets: frozenset[str] = frozenset()  # what the entry speaks of (``japanese.facets``)
    alive: bool = True


@dataclass
class _Segment:
    """Sparse matrices for a run of entry slots (immutable once built).

    N-gram and BM25 weights are kept by column: a query reads the columns of its own n-grams and words only.
    """

    row_slot: np.ndarray
    surface: sparse.csc_matrix
    reading: sparse.csc_matrix
    surface_norm: np.ndarray
    reading_norm: np.ndarray
    doc_slot: np.ndarray
    bm25: sparse.csc_matrix
    # Every entry's sentence vectors, by rank: first each entry's first vector, in ``doc_slot`` order, then each
    # entry's second (those that have one), and so on; ``later_vectors`` says, per rank after the first, which
    # rows hold it and whose (positions in ``doc_slot``).
    vectors: np.ndarray
    later_vectors: tuple[tuple[slice, np.ndarray], ...]


@dataclass(frozen=True)
class _Views:
    """A query's lexical scores of every slot: n-gram cosine on the surface and reading keys, BM25 coverage."""

    surface: np.ndarray
    reading: np.ndarray
    bm25: np.ndarray


class HybridMatcher:
    """Ranks FAQ entries for a query by fused n-gram TF-IDF, BM25 and fuzzy scores."""

    def __init__(self, docs: Sequence[FaqDoc], *, analyzer: Analyzer | None = None, weights: Weights = Weights(),
                 delta_limit: int = 500, encoder: Encoder | None = None, vectors: np.ndarray | None = None):
        """An index of ``docs``. With an ``encoder``, ``vectors`` may give the sentence vector of each of their
        ``meanings`` in order (kept from an earlier build, ``faq.vectors``): then none is encoded here."""
        self.analyzer = analyzer or Analyzer()
        self.weights = weights
        self.encoder = encoder
        self.delta_limit = delta_limit
        self._grams = _Vocabulary()
        self._words = _Vocabulary()
        self._entries: list[_Entry] = []
        self._alive = np.zeros(0, dtype=bool)
        self._slot_of: dict[str, int] = {}
        self._exact: dict[str, set[int]] = {}
        self._facet_slots: dict[str, set[int]] = {}  # by facet, the slots of the entries that speak of it
        self._facet_cache: dict[str, np.ndarray] = {}  # the same as arrays, made when a message first asks
        self._rows = 0
        self._docs = 0
        self._doc_length_total = 0.0
        self._idf_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._base: _Segment | None = None
        self._delta: _Segment | None = None
        self._delta_slots: list[int] = []
        self._basis: np.ndarray | None = None
        if vectors is None or self.encoder is None:
            vectors = self._vectors([text for doc in docs for text in meanings(doc)])
        self._basis = _basis(vectors)
        vectors = _projected(vectors, self._basis)
        starts = [0, *itertools.accumulate(len(meanings(doc)) for doc in docs)]
        for doc, start, end in zip(docs, starts, starts[1:], strict=False):
            self._add(doc, vectors[start:end])
        self._base = self._build(range(len(self._entries)))

    # ---- size ----------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def doc(self, faq_id: str) -> FaqDoc | None:
        """The indexed document with this id."""
        slot = self._slot_of.get(faq_id)
        return None if slot is None else self._entries[slot].doc

    # ---- editing ---------------------------------------------------------------------------------------

    def copy(self) -> Matcher:
        """A matcher to edit while this one keeps answering unchanged (copy-on-write).

        The segments' matrices and the entries' features are shared (they are never changed in place); the
        tables that ``upsert`` and ``remove`` change are copied (an entry removed is replaced, never changed, so
        the two matchers can share the list's entries). Far cheaper than building anew: no text is analysed and
        no matrix is built.
        """
        other = HybridMatcher.__new__(HybridMatcher)
        other.__dict__.update(self.__dict__)
        other._grams = self._grams.copy()
        other._words = self._words.copy()
        other._entries = list(self._entries)
        other._alive = self._alive.copy()
        other._slot_of = dict(self._slot_of)
        other._exact = {key: set(slots) for key, slots in self._exact.items()}
        other._facet_slots = {facet: set(slots) for facet, slots in self._facet_slots.items()}
        other._facet_cache = {}
        other._delta_slots = list(self._delta_slots)
        return other

    def upsert(self, doc: FaqDoc) -> None:
        """Add ``doc`` or replace the entry with its id; only the small delta segment is rebuilt."""
        self._remove(doc.faq_id)
        self._delta_slots.append(self._add(doc, self._vectors(meanings(doc))))
        self._after_edit()

    def remove(self, faq_id: str) -> None:
        """Remove the entry with this id (masked until the next compaction)."""
        self._remove(faq_id)
        self._after_edit()

    def _after_edit(self) -> None:
        self._idf_cache = None
        self._facet_cache = {}
        live_delta = [slot for slot in self._delta_slots if self._entries[slot].alive]
        dead = len(self._entries) - len(self._slot_of)
        limit = max(self.delta_limit, len(self._slot_of) // 10)
        if len(live_delta) > limit or dead > max(2 * limit, len(self._slot_of) // 4):
            self.compact()
            return
        self._delta_slots = live_delta
        self._delta = self._build(live_delta) if live_delta else None

    def compact(self) -> None:
        """Rebuild one segment from the live entries' stored features (no text is analysed again)."""
        live = [entry for entry in self._entries if entry.alive]
        self._entries = live
        self._alive = np.ones(len(live), dtype=bool)
        self._slot_of = {entry.doc.faq_id: slot for slot, entry in enumerate(live)}
        self._exact = {}
        self._facet_slots = {}
        for slot, entry in enumerate(live):
            for key in {*entry.surface_keys, *entry.reading_keys} - {""}:
                self._exact.setdefault(key, set()).add(slot)
            for facet in entry.facets:
                self._facet_slots.setdefault(facet, set()).add(slot)
        self._idf_cache = None
        self._facet_cache = {}
        self._delta, self._delta_slots = None, []
        self._base = self._build(range(len(live)))

    def _remove(self, faq_id: str) -> None:
        slot = self._slot_of.pop(faq_id, None)
        if slot is None:
            return
        entry = self._entries[slot]
        self._entries[slot] = dataclasses.replace(entry, alive=False)  # a copy of this matcher may share ``entry``
        self._alive[slot] = False
        for surface_cols, _, reading_cols, _ in entry.rows:
            self._grams.df[surface_cols] -= 1
            self._grams.df[reading_cols] -= 1
        self._rows -= len(entry.rows)
        word_cols, word_counts = entry.words
        self._words.df[word_cols] -= 1
        self._docs -= 1
        self._doc_length_total -= float(word_counts.sum())
        for key in entry.surface_keys + entry.reading_keys:
            self._exact.get(key, set()).discard(slot)
        for facet in entry.facets:
            self._facet_slots.get(facet, set()).discard(slot)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The sentence vector of each text, in the index's reduced basis once it has one (no columns without an
        encoder)."""
        if self.encoder is None:
            return np.zeros((len(texts), 0), dtype=np.float32)
        return _projected(self.encoder.encode(texts, remember=True), self._basis)

    def _add(self, doc: FaqDoc, vectors: np.ndarray) -> int:
        analyzer = self.analyzer
        texts = _texts(doc)
        surface_keys = [analyzer.surface(t) for t in texts]
        reading_keys = [analyzer.reading(t) for t in texts]
        rows = []
        for surface_key, reading_key in zip(surface_keys, reading_keys, strict=True):
            if surface_key or reading_key:
                surface_features = _features(self._grams, ngrams(surface_key))
                rows.append((*surface_features, *_features(self._grams, ngrams(reading_key))))
        tokens = Counter(analyzer.tokens(" ".join(texts) + "\n" + doc.answer + "\n" + doc.about))
        word_cols = self._words.add(tokens)
        word_counts = np.fromiter(tokens.values(), dtype=np.float32, count=len(tokens))
        for surface_cols, _, reading_cols, _ in rows:
            self._grams.df[surface_cols] += 1
            self._grams.df[reading_cols] += 1
        self._rows += len(rows)
        self._words.df[word_cols] += 1
        self._docs += 1
        self._doc_length_total += float(word_counts.sum())
        slot = len(self._entries)
        spoken = facets.spoken("\n".join([*texts, doc.answer]))
        self._entries.append(_Entry(doc, surface_keys, reading_keys, rows, (word_cols, word_counts), vectors, spoken))
        if slot >= len(self._alive):
            self._alive = np.concatenate([self._alive, np.zeros(max(1024, len(self._alive)), dtype=bool)])
        self._alive[slot] = True
        self._slot_of[doc.faq_id] = slot
        for key in {*surface_keys, *reading_keys} - {""}:
            self._exact.setdefault(key, set()).add(slot)
        for facet in spoken:
            self._facet_slots.setdefault(facet, set()).add(slot)
        return slot

    # ---- building ------------------------------------------------------------------------------------

    def _idf(self) -> tuple[np.ndarray, np.ndarray]:
        """IDF of every n-gram column and of every word column, cached until the next edit."""
        if self._idf_cache is None:
            grams = np.log((1 + self._rows) / (1 + self._grams.df)) + 1.0
            n, df = self._docs, self._words.df
            words = np.log(1 + (n - df + 0.5) / (df + 0.5))
            self._idf_cache = (grams, words)
        return self._idf_cache

    def _build(self, slots: Iterable[int]) -> _Segment:
        slots = [s for s in slots if self._entries[s].alive]
        gram_idf, _ = self._idf()
        width = len(self._grams.index)
        rows = [row for slot in slots for row in self._entries[slot].rows]
        row_slot = np.repeat(np.array(slots, dtype=np.int64),
                             [len(self._entries[slot].rows) for slot in slots]).astype(np.int64)
        surface = _matrix([(r[0], r[1]) for r in rows], width)
        reading = _matrix([(r[2], r[3]) for r in rows], width)

        avgdl = self._doc_length_total / max(self._docs, 1) or 1.0
        weighted = []
        for slot in slots:
            cols, counts = self._entries[slot].words
            norm = BM25_K1 * (1 - BM25_B + BM25_B * float(counts.sum()) / avgdl)
            weighted.append((cols, counts * (BM25_K1 + 1) / (counts + norm)))
        bm25 = _matrix(weighted, len(self._words.index))
        vectors, later = _by_rank([self._entries[slot].vectors for slot in slots])
        return _Segment(
            row_slot=row_slot,
            surface=surface.tocsc(),
            reading=reading.tocsc(),
            surface_norm=_row_norms(surface, gram_idf[:width]),
            reading_norm=_row_norms(reading, gram_idf[:width]),
            doc_slot=np.array(slots, dtype=np.int64),
            bm25=bm25.tocsc(),
            vectors=vectors,
            later_vectors=later,
        )

    # ---- searching -----------------------------------------------------------------------------------

    def search(self, query: Query | str, k: int = 5) -> list[Hit]:
        """The best ``k`` entries for ``query``, best first.

        A question after context (「先月引っ越してきたのですが、保育園の申し込みは…」) is also searched on
        its own, and each entry's score is the weighted mean of both (``FOCUS_WEIGHT`` on the question), so
        the context cannot drown the topic, while entries that fit both come first. The semantic view reads the
        whole message either way: a sentence encoder weighs context itself.
        """
        if isinstance(query, str):
            query = Query.of(query)
        focus = question_focus(query.text[:MAX_QUERY_CHARS])
        analysis = self.analyzer.analyse(query)
        semantic = self._semantic(analysis)
        if normalize(focus) == normalize(analysis.text):
            [views] = self._views([analysis])
            unheard = self._unheard(analysis)
            return [self._hit(analysis, e.faq_id, e.score, unheard) for e in self._rank(analysis, k, semantic, views)]
        depth = max(k, FOCUS_DEPTH)
        asked_analysis = self.analyzer.analyse(Query.of(focus))
        unheard = self._unheard(asked_analysis)  # the context may tell of things no entry speaks of (会社, 実家)
        whole_views, asked_views = self._views([analysis, asked_analysis])
        whole = {e.faq_id: e.score for e in self._rank(analysis, depth, semantic, whole_views)}
        asked = {e.faq_id: e.score for e in self._rank(asked_analysis, depth, semantic, asked_views)}
        fused = {faq_id: (1 - FOCUS_WEIGHT) * whole.get(faq_id, 0.0) + FOCUS_WEIGHT * asked.get(faq_id, 0.0)
                 for faq_id in whole.keys() | asked.keys()}
        best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [self._hit(analysis, faq_id, round(score, 4), unheard) for faq_id, score in best if score > 0]

    def _unheard(self, a: Analysis) -> frozenset[str]:
        """The things (nouns) of ``a`` that no entry speaks of in its question, aliases or answer (電車, 株価, or a
        typo): what the message asks about them, the index cannot know (``Hit.unmet``)."""
        index, df = self._words.index, self._words.df
        return frozenset(thing for thing in a.things
                         if len(thing) >= MIN_UNHEARD_CHARS and ((col := index.get(thing)) is None or df[col] <= 0))

    def _hit(self, a: Analysis, faq_id: str, score: float, unheard: frozenset[str] = frozenset()) -> Hit:
        """A ranked entry, with what the message asks (its facets) that the entry does not speak of, and the things
        it names that no entry speaks of (``unheard``)."""
        return Hit(faq_id, score, (a.facets - self._entries[self._slot_of[faq_id]].facets) | unheard)

    def explain(self, query: Query | str, k: int = 5) -> Explanation:
        """The best ``k`` entries with the score of every view, and how the query was read."""
        analysis = self.analyzer.analyse(query)
        w = self.weights
        formula = f"score = {w.ngram} × max(ngram surface, ngram reading) + {w.bm25} × bm25 + {w.fuzzy} × fuzzy"
        if self.encoder is not None:
            formula = f"score = {1 - w.semantic:g} × ({formula[8:]}) + {w.semantic} × semantic"
        if w.facet:
            formula += f", × (1 + {w.facet} × share of the message's facets the entry speaks of)"
        [views] = self._views([analysis])
        return Explanation(analysis, formula, self._rank(analysis, k, self._semantic(analysis), views))

    def _semantic(self, a: Analysis) -> np.ndarray | None:
        """Each slot's semantic score for the message: the best cosine of its vectors (None without an encoder,
        or when the message gets no semantic share: then nothing is encoded)."""
        if self.encoder is None or self.weights.semantic_for(a.text, len(a.surface)) == 0:
            return None
        semantic = np.zeros(len(self._entries))
        vector = _projected(self.encoder.encode([a.text]), self._basis)[0]
        for segment in (self._base, self._delta):
            if segment is not None and len(segment.vectors):
                cosines = segment.vectors @ vector
                best = cosines[:len(segment.doc_slot)]  # each entry's first vector (``_by_rank``)
                for rows, owners in segment.later_vectors:
                    best[owners] = np.maximum(best[owners], cosines[rows])
                semantic[segment.doc_slot] = best
        return semantic

    def _views(self, analyses: Sequence[Analysis]) -> list[_Views]:
        """Each analysis's lexical views of every slot: n-gram cosines on the surface and reading keys and BM25
        coverage. A matrix's columns are read once for all the analyses (a long message and its question clause
        share most of their n-grams and words)."""
        n_slots = len(self._entries)
        views = [_Views(np.zeros(n_slots), np.zeros(n_slots), np.zeros(n_slots)) for _ in analyses]
        if not self._slot_of:
            return views
        gram_idf, word_idf = self._idf()
        # Per key: (the view written, its n-gram columns and weights). The query as the city's synonym table words
        # it (ひっこしてきた → 転入) counts as typed.
        surface = [(view.surface, self._query_grams(key, gram_idf))
                   for a, view in zip(analyses, views, strict=True) for key in (a.surface, a.rewritten) if key]
        reading = [(view.reading, self._query_grams(a.reading, gram_idf))
                   for a, view in zip(analyses, views, strict=True) if a.reading]
        words = [(view.bm25, self._query_words(a.tokens, word_idf)) for a, view in zip(analyses, views, strict=True)]
        for segment in (self._base, self._delta):
            if segment is None:
                continue
            for keys, by_column, norms in ((surface, segment.surface, segment.surface_norm),
                                           (reading, segment.reading, segment.reading_norm)):
                products = _column_products(by_column, [query for _, query in keys])
                for (target, _), product in zip(keys, products.T, strict=True):
                    rows = np.flatnonzero(product)
                    _max_into(target, segment.row_slot[rows], product[rows] / norms[rows])
            products = _column_products(segment.bm25, [(cols, weights) for _, (cols, weights, _) in words])
            for (target, (_, _, coverage_max)), product in zip(words, products.T, strict=True):
                if coverage_max > 0:
                    target[segment.doc_slot] = product / coverage_max
        return views

    def _rank(self, a: Analysis, k: int, semantic: np.ndarray | None, views: _Views) -> list[Explained]:
        """The best ``k`` entries for an analysed query, with the score of every view (``semantic``: each slot's
        semantic score for the whole message, or None; ``views``: the query's lexical views, ``_views``)."""
        if not (a.surface or a.reading) or not self._slot_of:
            return []
        n_slots = len(self._entries)
        surface, reading, bm25 = views.surface, views.reading, views.bm25
        w_ngram, w_bm25, w_fuzzy = self.weights.for_length(len(a.surface))
        w_semantic = self.weights.semantic_for(a.text, len(a.surface)) if semantic is not None else 0.0
        if semantic is None:
            semantic = np.zeros(n_slots)
        w_ngram, w_bm25, w_fuzzy = ((1 - w_semantic) * w for w in (w_ngram, w_bm25, w_fuzzy))
        lexical = w_ngram * np.maximum(surface, reading) + w_bm25 * bm25 + w_semantic * semantic
        facet = self._facet_lift(a, lexical)
        lexical += facet
        lexical[~self._alive[:n_slots]] = -1.0
        pool = min(CANDIDATES, len(self._slot_of))
        candidates = np.argpartition(-lexical, pool - 1)[:pool]
        exact = self._exact.get(a.surface, set()) | self._exact.get(a.reading, set()) | self._exact.get(a.typed, set())
        slots = [slot for slot in candidates.tolist() if self._entries[slot].alive]
        inexact = [slot for slot in slots if slot not in exact]
        fuzzy_of = dict(zip(inexact, self._fuzzy(a, [self._entries[slot] for slot in inexact]), strict=True))
        results = []
        for slot in slots:
            if slot in exact:
                # The resident typed a question or alias exactly (after normalising): nothing fits better.
                fuzzy, score = 1.0, 1.0
            else:
                fuzzy = fuzzy_of[slot]
                score = min(1.0, float(lexical[slot]) + w_fuzzy * fuzzy)
            results.append((score, slot, fuzzy))
        results.sort(key=lambda item: -item[0])
        return [
            Explained(self._entries[slot].doc.faq_id, round(score, 4), round(float(surface[slot]), 4),
                      round(float(reading[slot]), 4), round(float(bm25[slot]), 4), round(fuzzy, 4),
                      round(float(semantic[slot]), 4), round(float(facet[slot]), 4))
            for score, slot, fuzzy in results[:k]
            if score > 0
        ]

    def _facet_lift(self, a: Analysis, scores: np.ndarray) -> np.ndarray:
        """Each slot's lift for speaking of what the message asks: its score so far times ``Weights.facet`` times
        the share of the message's facets the entry speaks of (「医療証なくした」 lifts 「医療証の再発行はできますか」).
        A lift in proportion, so an entry that fits the message in nothing else stays where it was: a third of a
        city's entries speak of money, and 「宇宙旅行の補助金」 must not find them."""
        share = np.zeros(len(scores))
        lifting = a.facets & facets.LIFTING
        if not lifting or not self.weights.facet:
            return share
        for name in lifting:
            if (slots := self._facet_cache.get(name)) is None:
                # A third of a city's entries may speak of money: read once per edit, not per message.
                slots = self._facet_cache[name] = np.fromiter(self._facet_slots.get(name, ()), dtype=np.int64)
            share[slots[slots < len(scores)]] += 1 / len(lifting)
        return self.weights.facet * share * np.maximum(scores, 0.0)

    def _query_grams(self, key: str, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Columns and cosine weights of the query's n-grams (already multiplied by the documents' idf)."""
        index = self._grams.index
        cols, tf, unknown_tf = [], [], []
        for gram, count in ngrams(key).items():
            col = index.get(gram)
            if col is None:
                unknown_tf.append(1.0 + math.log(count))
            else:
                cols.append(col)
                tf.append(1.0 + math.log(count))
        known = np.array(cols, dtype=np.int64)
        gram_idf = idf[known]
        weights = np.array(tf, dtype=np.float64) * gram_idf
        # Unknown n-grams still count in the query's length, so rare words lower the cosine.
        unknown_weight = math.log(1 + self._rows) + 1.0
        unknown = sum((n * unknown_weight) ** 2 for n in unknown_tf)
        norm = math.sqrt(float(np.sum(weights ** 2)) + unknown) or 1.0
        # The n-grams of most keys (の, ます, ください…) weigh little but hold most of the postings: they count in
        # the query's length and are not read.
        common = max(COMMON_GRAM_SHARE * 2 * self._rows, COMMON_GRAM_MIN_KEYS)  # a surface and a reading key per row
        read = self._grams.df[known] <= common
        return known[read], (weights * gram_idf / norm)[read]

    def _query_words(self, tokens: Sequence[str], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
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
        return np.array(cols, dtype=np.int64), np.array(weights), total

    def _fuzzy(self, a: Analysis, entries: Sequence[_Entry]) -> list[float]:
        """Each entry's rapidfuzz ``ratio`` with the query in [0, 1]: the best of its questions and aliases, on
        the surface and reading keys (one call per key for all the entries)."""
        best = np.zeros(len(entries))
        if not entries:
            return []
        for key, keys in ((a.surface, [entry.surface_keys for entry in entries]),
                          (a.reading, [entry.reading_keys for entry in entries])):
            if key:
                choices = list(itertools.chain.from_iterable(keys))
                starts = [0, *itertools.accumulate(map(len, keys[:-1]))]
                scores = process.cdist([key], choices, scorer=fuzz.ratio, processor=None, dtype=np.float64)[0]
                np.maximum(best, np.maximum.reduceat(scores, starts), out=best)
        return [float(score) / 100.0 for score in best]


# The semantic view keeps each vector in a basis of ``BASIS_DIMENSIONS`` found in the index's own vectors
# (their principal directions): a quarter of the memory and of the time a 10,000-entry search spends reading
# vectors, for about a point of Hit@1 on the evaluation sets (0.83 → 0.82, 0.78 → 0.77, 0.80 → 0.80; measured
# with bench/fit_matching.py's sets). Fewer rows than ``BASIS_MIN_ROWS`` keep the model's own 512 dimensions.
BASIS_DIMENSIONS = 128
BASIS_MIN_ROWS = 4 * BASIS_DIMENSIONS
BASIS_SAMPLE = 4000  # rows the basis is found in (every n-th), enough for 128 directions


def _basis(vectors: np.ndarray) -> np.ndarray | None:
    """The ``BASIS_DIMENSIONS`` principal directions of ``vectors`` (512 × 128), or None for too few rows."""
    if vectors.shape[1] == 0 or len(vectors) < BASIS_MIN_ROWS:
        return None
    sample = vectors[:: max(1, len(vectors) // BASIS_SAMPLE)].astype(np.float64)
    _, _, directions = np.linalg.svd(sample - sample.mean(axis=0), full_matrices=False)
    return np.ascontiguousarray(directions[:BASIS_DIMENSIONS].T, dtype=np.float32)


def _projected(vectors: np.ndarray, basis: np.ndarray | None) -> np.ndarray:
    """``vectors`` in ``basis``, each of unit length again (as they are without a basis)."""
    if basis is None or vectors.shape[1] == 0:
        return vectors
    reduced = vectors @ basis
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    return reduced / np.where(norms == 0, 1.0, norms)


def _texts(doc: FaqDoc) -> list[str]:
    """The texts of an entry that are matched whole: its question and its aliases."""
    return [doc.question, *doc.aliases]


def meanings(doc: FaqDoc) -> list[str]:
    """The texts of an entry the semantic view encodes: its question and aliases, and the question followed by
    the answer's first sentence (what the answer is about, which a resident may ask in its words)."""
    lead = answer_lead(doc.answer)
    return [*_texts(doc), *([f"{doc.question} {lead}"] if lead else [])]


def answer_lead(answer: str) -> str:
    """The first sentence of an answer that says something (not a link, a 「▼詳しくはこちら」 line or a blank)."""
    for line in answer.splitlines():
        line = line.strip()
        if line and not line.startswith(("▼", "http", "（", "(")) and "URL" not in line and "http" not in line:
            return re.split(r"(?<=[。！？])", line, maxsplit=1)[0]
    return ""


def _by_rank(vectors: Sequence[np.ndarray]) -> tuple[np.ndarray, tuple[tuple[slice, np.ndarray], ...]]:
    """Entries' vectors (one array of one or more rows each: ``meanings`` always holds the question) as one array
    by rank, with where each later rank is (``_Segment.vectors``): the best cosine of each entry is then a product
    and a few maxima over slices, not a maximum over ten thousand short runs."""
    if not vectors:
        return np.zeros((0, DIMENSIONS), dtype=np.float32), ()
    counts = np.fromiter(map(len, vectors), dtype=np.int64, count=len(vectors))
    ranks, later, start = [], [], 0
    for rank in range(int(counts.max())):
        owners = np.flatnonzero(counts > rank)
        ranks.extend(vectors[owner][rank] for owner in owners.tolist())
        if rank:
            later.append((slice(start, start + len(owners)), owners))
        start += len(owners)
    return np.stack(ranks).astype(np.float32, copy=False), tuple(later)


def _matrix(rows: Sequence[tuple[np.ndarray, np.ndarray]], width: int) -> sparse.csr_matrix:
    """A CSR matrix from per-row (columns, values) arrays."""
    lengths = np.fromiter((len(cols) for cols, _ in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.concatenate([cols for cols, _ in rows]) if rows else np.zeros(0, dtype=np.int32)
    data = np.concatenate([vals for _, vals in rows]).astype(np.float32) if rows else np.zeros(0, np.float32)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))
    matrix.sum_duplicates()
    return matrix


def _row_norms(matrix: sparse.csr_matrix, idf: np.ndarray) -> np.ndarray:
    weighted = matrix.multiply(idf.astype(np.float32)).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return norms


def _column_products(by_column: sparse.csc_matrix, queries: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """``by_column[:, cols] @ weights`` for each (cols, weights) query (its columns distinct), as the columns of one
    array: the union of the queries' columns is read once, by scipy in C (only those columns' postings). Columns
    beyond the matrix (added to the vocabulary after it was built) score nothing."""
    width = by_column.shape[1]
    kept = []
    for cols, weights in queries:
        inside = cols < width
        kept.append((cols[inside], weights[inside]))
    products = np.zeros((by_column.shape[0], len(queries)))
    union = np.unique(np.concatenate([cols for cols, _ in kept])) if kept else np.zeros(0, dtype=np.int64)
    if not len(union) or by_column.shape[0] == 0:
        return products
    weights = np.zeros((len(union), len(queries)))
    for column, (cols, values) in enumerate(kept):
        weights[np.searchsorted(union, cols), column] = values
    return np.asarray(by_column[:, union] @ weights)


def _max_into(target: np.ndarray, slots: np.ndarray, values: np.ndarray) -> None:
    if len(values):
        np.maximum.at(target, slots, values)

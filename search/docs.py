"""What the search engine indexes and returns: FAQ-shaped documents, ranked hits and the ``Matcher`` protocol.

A document has a question, other ways to ask it (aliases) and an answer; garbage items are documents too
(``search.items``). The engine is ``search.engine.HybridMatcher``; callers depend only on ``Matcher``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

from japanese.normalize import normalize

MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class Query:
    """A resident's message: the text as typed and its matching key, normalised once (``japanese.normalize``)."""

    text: str
    key: str

    @classmethod
    def of(cls, text: str) -> Query:
        """The query for ``text``."""
        return cls(text=text, key=normalize(text))


@dataclass(frozen=True)
class FaqDoc:
    """What the matcher needs of one FAQ entry."""

    faq_id: str
    question: str
    aliases: tuple[str, ...] = ()
    answer: str = ""
    about: str = ""  # the entry's category and department (「妊娠・出産 / 妊娠 健康づくり課」): words it is about


@dataclass(frozen=True)
class Hit:
    """One ranked FAQ entry with its score in [0, 1], and what the message asks about its subject that the entry
    does not speak of (``japanese.facets``: 「なくした」 against an entry on applying for the card), or names that no
    entry speaks of (「電車の時刻表」: 電車)."""

    faq_id: str
    score: float
    unmet: frozenset[str] = frozenset()


@dataclass
class Analysis:
    """What the engine makes of a query: its keys, its content words and the synonyms applied."""

    text: str
    surface: str
    reading: str
    tokens: tuple[str, ...]
    synonyms: list[tuple[str, str]]
    rewritten: str = ""  # the surface key after the city's synonym phrases, when they changed it
    facets: frozenset[str] = frozenset()  # what the message asks about its subject (``japanese.facets``)
    typed: str = ""  # the surface key of the message as typed, courtesy included (an entry's question word for word)
    things: tuple[str, ...] = ()  # the nouns among its content words: the things it names


@dataclass
class Explained:
    """One candidate with the score of each view."""

    faq_id: str
    score: float
    ngram_surface: float
    ngram_reading: float
    bm25: float
    fuzzy: float
    semantic: float = 0.0
    facet: float = 0.0  # the lift for speaking of what the message asks (``Weights.facet``)


@dataclass
class Explanation:
    """How a matcher read a query and scored its best candidates (``ask --explain``)."""

    analysis: Analysis
    formula: str  # how the views make the score, for people
    rows: list[Explained] = field(default_factory=list)


class Matcher(Protocol):
    """Ranks FAQ-shaped documents for a query, explains its scores, and takes edits on a copy."""

    def search(self, query: Query | str, k: int = 5) -> list[Hit]:
        """The best ``k`` documents for ``query``, best first (fewer when fewer score above zero)."""
        ...

    def explain(self, query: Query | str, k: int = 5) -> Explanation:
        """The best ``k`` documents with the score of every view, and how the query was read."""
        ...

    def copy(self) -> Matcher:
        """A matcher to edit while this one keeps answering as it is (edits never touch a matcher in use)."""
        ...

    def upsert(self, doc: FaqDoc) -> None:
        """Add ``doc``, or replace the document with its id (on a matcher no other thread reads: a copy)."""
        ...

    def remove(self, faq_id: str) -> None:
        """Remove the document with this id (nothing happens when there is none)."""
        ...

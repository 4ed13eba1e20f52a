"""The FAQ matcher: ranks FAQ entries for a resident's question, and the three-tier answer policy.

``FuzzyMatcher`` is the first engine (rapidfuzz over normalised questions and aliases). Callers depend
only on the ``Matcher`` protocol, so a better engine can replace it without touching them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz
from rapidfuzz import process

from faq.normalize import normalize

MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class FaqDoc:
    """What the matcher needs of one FAQ entry."""

    faq_id: str
    question: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One ranked FAQ entry with its score in [0, 1]."""

    faq_id: str
    score: float


class Matcher(Protocol):
    """Anything that ranks FAQ entries for a query."""

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The best ``k`` entries for ``query``, best first (fewer when fewer score above zero)."""
        ...


class FuzzyMatcher:
    """Ranks entries by the best rapidfuzz WRatio between the query and the entry's question or aliases."""

    def __init__(self, docs: Sequence[FaqDoc]):
        keys: list[str] = []
        owners: list[str] = []
        for doc in docs:
            for text in (doc.question, *doc.aliases):
                key = normalize(text)
                if key:
                    keys.append(key)
                    owners.append(doc.faq_id)
        self._keys = keys
        self._owners = owners

    def __len__(self) -> int:
        return len(set(self._owners))

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The best ``k`` entries for ``query``; each entry scores by its best-matching key."""
        key = normalize(query[:MAX_QUERY_CHARS])
        if not key or not self._keys:
            return []
        best: dict[str, float] = {}
        for _key, score, index in process.extract(
            key, self._keys, scorer=fuzz.WRatio, processor=None, limit=max(k * 4, 20)
        ):
            owner = self._owners[index]
            if score > best.get(owner, 0.0):
                best[owner] = score
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return [Hit(faq_id, round(score / 100, 4)) for faq_id, score in ranked if score > 0]


class Tier(enum.StrEnum):
    """The three kinds of FAQ reply."""

    ANSWER = "faq"
    SUGGEST = "suggest"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class AnswerPolicy:
    """Thresholds of the three-tier reply: answer directly, suggest the top few, or fall back."""

    answer_at: float = 0.88
    suggest_at: float = 0.6
    min_margin: float = 0.03
    suggestions: int = 3

    def decide(self, hits: Sequence[Hit]) -> Tier:
        """Which tier ``hits`` (best first) deserve."""
        if not hits or hits[0].score < self.suggest_at:
            return Tier.FALLBACK
        margin = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
        if hits[0].score >= self.answer_at and margin >= self.min_margin:
            return Tier.ANSWER
        return Tier.SUGGEST

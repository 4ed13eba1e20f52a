"""What the search engine indexes and returns: FAQ-shaped documents, ranked hits and the ``Matcher`` protocol.

A document has a question, other ways to ask it (aliases) and an answer; garbage items are documents too
(``search.items``). The engine is ``search.engine.HybridMatcher``; callers depend only on ``Matcher``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class FaqDoc:
    """What the matcher needs of one FAQ entry."""

    faq_id: str
    question: str
    aliases: tuple[str, ...] = ()
    answer: str = ""


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

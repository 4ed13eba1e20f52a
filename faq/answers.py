"""Finding the FAQ answer to a resident's question, as plain data: answered, 「もしかして」, or not found.

The matcher ranks the entries; the three-tier policy (``faq.policy``) decides what the resident gets. The
bot turns the result into messages and logs it for the staff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from faq.policy import AnswerPolicy
from faq.policy import Tier
from japanese.normalize import normalize
from search.docs import Hit
from search.docs import Matcher
from search.docs import Query


@dataclass(frozen=True)
class Entry:
    """One FAQ entry as replies show it."""

    faq_id: str
    question: str
    answer: str
    url: str = ""
    department: str = ""
    phone: str = ""


class _Ranked:
    """What every result says of the ranking: the best hit's entry (when the reply is about it) and score."""

    hits: tuple[Hit, ...]
    kind: Tier

    @property
    def faq_id(self) -> str | None:
        """The best entry's id; None when nothing fits (the reply is not about any entry)."""
        return self.hits[0].faq_id if self.hits and self.kind is not Tier.FALLBACK else None

    @property
    def score(self) -> float | None:
        """The best entry's score, when there is any."""
        return self.hits[0].score if self.hits else None


@dataclass(frozen=True)
class Answered(_Ranked):
    """The best entry fits clearly: answer with it."""

    entry: Entry
    hits: tuple[Hit, ...]
    log_ref: str | None = None  # names the query's log row, for the buttons that rate the answer
    kind = Tier.ANSWER


@dataclass(frozen=True)
class Suggested(_Ranked):
    """Several entries may fit: offer them (「もしかして」); ``log_ref`` names the query's log row, for the buttons."""

    entries: tuple[Entry, ...]
    hits: tuple[Hit, ...]
    log_ref: str | None = None
    kind = Tier.SUGGEST


@dataclass(frozen=True)
class NotFound(_Ranked):
    """Nothing fits well enough: give the city's contact desk."""

    hits: tuple[Hit, ...]
    kind = Tier.FALLBACK


FaqResult = Answered | Suggested | NotFound


_LETTERS = re.compile(r"[^\W\d_]")  # a letter of any script: a question has one, a number alone does not


def find(entries: Mapping[str, Entry], matcher: Matcher, policy: AnswerPolicy, query: Query, k: int) -> FaqResult:
    """Search the FAQ once for ``query`` (its best ``k`` entries) and decide what the resident gets;
    ``entries`` are the published entries by file id."""
    hits = tuple(matcher.search(query, k=k)) if _LETTERS.search(query.key) else ()  # 「3」, 「!!」: no words
    tier = policy.decide(hits, len(query.key))
    if tier is Tier.ANSWER and hits[0].faq_id in entries:
        return Answered(entries[hits[0].faq_id], hits)
    if tier is Tier.SUGGEST:
        shown = [hit.faq_id for hit in policy.shown(hits, len(query.key))]
        return Suggested(tuple(entries[faq_id] for faq_id in shown if faq_id in entries), hits)
    return NotFound(hits)


def knows(entries: Mapping[str, Entry], matcher: Matcher, policy: AnswerPolicy, term: Query, k: int) -> bool:
    """True when the FAQ is about ``term`` itself: an entry it would show for it names the term in its question.

    A compound the garbage dictionary lacks (放課後クラブ, 母子手帳) matches an item only by its head (クラブ,
    手帳); when the FAQ knows the whole compound, the resident means the FAQ's thing.
    """
    if not term.key:
        return False
    hits = tuple(matcher.search(term, k=k))
    tier = policy.decide(hits, len(term.key))
    if tier is Tier.FALLBACK:
        return False
    shown = [hits[0].faq_id] if tier is Tier.ANSWER else [hit.faq_id for hit in policy.shown(hits, len(term.key))]
    return any(term.key in normalize(entries[faq_id].question) for faq_id in shown if faq_id in entries)

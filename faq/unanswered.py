"""The staff's unanswered queue: what residents asked that the bot could not answer well, grouped by wording.

A question counts when the bot fell back to the contact desk, when it answered directly with a best score
less than ``LOW_CONFIDENCE_MARGIN`` above the answer threshold, when the resident pressed 「どれにも当てはまら
ない」 under 「もしかして」, or when the resident said an answer did not help (「役に立たなかった」). Each logged
question carries that verdict (``QueryLog.missed``): set as it is logged (``missed_when_answered``, with the
policy the bot answered with) and changed when feedback arrives (``declined``, ``rated``), so the queue reads
only the missed rows of its window, through an index that holds nothing else.

Questions with the same (masked, normalised) text are one wording; wordings that read alike — rapidfuzz's
character ratio of at least ``SIMILAR``, or one inside the other — are one group, led by its most frequent
wording, so that the many ways residents type one question take one row. A wording staff dealt with (added as
an alias, started a new entry from, set aside) leaves the queue.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from rapidfuzz import fuzz
from rapidfuzz import process
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from faq.models import QueueDecided
from faq.models import QueueDecision
from faq.policy import AnswerPolicy

LOW_CONFIDENCE_MARGIN = 0.1  # direct answers scoring less than this above the answer threshold are listed
SIMILAR = 70  # rapidfuzz ratio (0–100) at which two wordings are taken for one question
MIN_INSIDE = 3  # a wording inside another counts as alike from this many characters (「住民票」 in 「住民票がほしい」)
MAX_WORDINGS = 500  # the most frequent wordings grouped per page (the rest wait for these to be dealt with)
# Written as the partial index ``ix_query_log_missed`` states it, so that both databases use that index.
MISSED = QueryLog.missed == sa.true()


@dataclass(frozen=True)
class Wording:
    """One text residents sent, how often, and when first and last."""

    text: str
    count: int
    first: datetime
    last: datetime


@dataclass
class Group:
    """Wordings taken for one question, led by the most frequent."""

    wordings: list[Wording] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.wordings[0].text

    @property
    def key(self) -> str:
        """What names the group in a URL: not its text (URLs end up in access logs; residents' words must not)."""
        return key_of(self.text)

    @property
    def count(self) -> int:
        return sum(w.count for w in self.wordings)

    @property
    def first(self) -> datetime:
        return min(w.first for w in self.wordings)

    @property
    def last(self) -> datetime:
        return max(w.last for w in self.wordings)


def missed_when_answered(policy: AnswerPolicy, outcome: QueryOutcome, score: float | None, query_chars: int) -> bool:
    """Whether a question joins the queue as it is answered: a fallback, or a direct answer whose best score was
    less than ``LOW_CONFIDENCE_MARGIN`` above the threshold ``policy`` set for a query of ``query_chars``."""
    if outcome == QueryOutcome.FALLBACK:
        return True
    return (outcome == QueryOutcome.FAQ and score is not None
            and score < policy.answer_threshold(query_chars) + LOW_CONFIDENCE_MARGIN)


def declined(session: Session, log_id: int) -> None:
    """The resident found none of the 「もしかして」 choices fitting: the question joins the queue."""
    session.execute(sa.update(QueryLog).where(QueryLog.id == log_id).values(missed=True)
                    .execution_options(synchronize_session=False))


def rated(session: Session, log_id: int, policy: AnswerPolicy) -> None:
    """The resident rated the answer to the question (the rating is already in ``Feedback``): an unhelpful answer
    joins the queue; a rating changed to helpful takes it out again unless the question was missed otherwise."""
    row = session.get(QueryLog, log_id)
    if row is None:
        return
    unhelpful = sa.exists().where(Feedback.query_log_id == log_id, Feedback.helpful.is_(False))
    none_chosen = sa.exists().where(Feedback.query_log_id == log_id, Feedback.chosen_faq_id.is_(None),
                                    Feedback.helpful.is_(None))
    row.missed = bool(row.normalized_text) and (
        missed_when_answered(policy, QueryOutcome(row.outcome), row.score, len(row.normalized_text))
        or bool(session.scalar(sa.select(sa.or_(unhelpful, none_chosen)))))


def wordings(session: Session, *, since: datetime, limit: int = MAX_WORDINGS) -> list[Wording]:
    """The queue's wordings since ``since``, most frequent first (at most ``limit``).

    Counted first (the one pass over the window's missed rows, through the partial index), then the first and
    last time only of the wordings kept: two index seeks each, cheaper than a minimum and a maximum of every
    wording's rows."""
    count = sa.func.count().label("count")
    most = (sa.select(QueryLog.normalized_text.label("text"), count)
            .where(MISSED, QueryLog.created_at >= since, QueryLog.normalized_text != "",
                   QueryLog.normalized_text.not_in(sa.select(QueueDecided.text)))
            .group_by(QueryLog.normalized_text)
            .order_by(count.desc(), QueryLog.normalized_text)
            .limit(limit)
            .subquery("most"))
    asked = aliased(QueryLog)

    def when(edge) -> sa.ScalarSelect:
        return (sa.select(edge(asked.created_at))
                .where(asked.missed == sa.true(), asked.normalized_text == most.c.text, asked.created_at >= since)
                .scalar_subquery())

    rows = session.execute(sa.select(most.c.text, most.c.count, when(sa.func.min), when(sa.func.max))
                           .order_by(most.c.count.desc(), most.c.text))
    return [Wording(text, number, first, last) for text, number, first, last in rows]


def group(found: Sequence[Wording]) -> list[Group]:
    """``found`` (most frequent first) in groups of wordings that read alike, the largest groups first."""
    if not found:
        return []
    texts = [w.text for w in found]
    alike = process.cdist(texts, texts, scorer=fuzz.ratio, workers=1) >= SIMILAR
    groups: list[Group] = []
    leaders: list[int] = []  # each group's leader, as an index into ``found``
    for number, (text, wording) in enumerate(zip(texts, found, strict=True)):
        matches = np.flatnonzero(alike[leaders, number]) if leaders else ()
        home = int(matches[0]) if len(matches) else next(
            (g for g, leader in enumerate(leaders) if _inside(texts[leader], text)), None)
        if home is None:
            groups.append(Group([wording]))
            leaders.append(number)
        else:
            groups[home].wordings.append(wording)
    return sorted(groups, key=lambda g: (-g.count, g.text))


def queue(session: Session, *, since: datetime) -> list[Group]:
    """The unanswered queue: groups of wordings, the most asked first."""
    return group(wordings(session, since=since))


def decide(session: Session, texts: Sequence[str], decision: QueueDecision, *, by: str, now: datetime,
           faq_id: str | None = None) -> int:
    """Take ``texts`` out of the queue with what staff did about them; returns how many were still in it."""
    known = set(session.scalars(sa.select(QueueDecided.text).where(QueueDecided.text.in_(list(texts)))))
    fresh = [text for text in dict.fromkeys(texts) if text and text not in known]
    session.add_all(QueueDecided(text=text, decision=decision, faq_id=faq_id, decided_by=by, decided_at=now)
                    for text in fresh)
    return len(fresh)


def key_of(text: str) -> str:
    """A short, one-way name for a wording."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _inside(leader: str, text: str) -> bool:
    """One wording inside the other, the shorter of some length (「住民票」 in 「住民票がほしい」)."""
    shorter, longer = (leader, text) if len(leader) <= len(text) else (text, leader)
    return len(shorter) >= MIN_INSIDE and shorter in longer

"""Residents' word on the bot's answers (「役に立った」/「役に立たなかった」): each entry's totals, and the entries most
often said not to help, for the staff's pages. Counts only: who rated is never read here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from faq.models import Feedback


@dataclass(frozen=True)
class Rated:
    """An entry's ratings: how many said its answer helped, and how many said it did not."""

    faq_id: str
    helpful: int
    unhelpful: int


def _counts(since: datetime | None):
    helpful = sa.func.count().filter(Feedback.helpful.is_(True)).label("helpful")
    unhelpful = sa.func.count().filter(Feedback.helpful.is_(False)).label("unhelpful")
    statement = (sa.select(Feedback.chosen_faq_id, helpful, unhelpful)
                 .where(Feedback.helpful.is_not(None), Feedback.chosen_faq_id.is_not(None))
                 .group_by(Feedback.chosen_faq_id))
    if since is not None:
        statement = statement.where(Feedback.created_at >= since)
    return statement, helpful, unhelpful


def of_entry(session: Session, faq_id: str, *, since: datetime | None = None) -> Rated:
    """``faq_id``'s ratings (since ``since``, when given)."""
    statement, _helpful, _unhelpful = _counts(since)
    row = session.execute(statement.where(Feedback.chosen_faq_id == faq_id)).first()
    return Rated(faq_id, row.helpful, row.unhelpful) if row else Rated(faq_id, 0, 0)


def most_unhelpful(session: Session, *, since: datetime, limit: int = 10) -> list[Rated]:
    """The entries most often said not to help since ``since``, the most first."""
    statement, helpful, unhelpful = _counts(since)
    rows = session.execute(statement.having(unhelpful > 0)
                           .order_by(unhelpful.desc(), helpful, Feedback.chosen_faq_id).limit(limit))
    return [Rated(faq_id, up, down) for faq_id, up, down in rows]

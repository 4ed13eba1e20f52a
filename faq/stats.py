"""The dashboard's figures: questions per day by outcome, the share answered, suggested and fallen back, and
residents' ratings per day.

Questions are counted per hour and outcome in ``query_hour`` as they are logged: a flush that adds
``QueryLog`` rows adds their counts in the same transaction (one upsert per hour and outcome), so the counts
never disagree with the log and every process keeps them without coordination. Days are the city's days,
summed from the UTC hours. The counts hold no text and no resident, so they outlive the query log's texts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from faq.models import Feedback
from faq.models import QueryHour
from faq.models import QueryLog
from faq.models import QueryOutcome


@dataclass(frozen=True)
class Day:
    """One day's questions by outcome and ratings."""

    day: date
    questions: dict[QueryOutcome, int]
    helpful: int = 0
    unhelpful: int = 0

    @property
    def total(self) -> int:
        return sum(self.questions.values())


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour ``moment`` falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def add_counts(session: Session, counts: Counter[tuple[datetime, QueryOutcome]]) -> None:
    """Add ``counts`` ((hour, outcome): questions) to ``query_hour``, in the caller's transaction."""
    if not counts:
        return
    rows = [{"hour": hour, "outcome": outcome, "questions": number}
            for (hour, outcome), number in sorted(counts.items())]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(QueryHour) if dialect == "postgresql" else sqlite.insert(QueryHour)
    session.execute(insert.values(rows).on_conflict_do_update(
        index_elements=[QueryHour.hour, QueryHour.outcome],
        set_={"questions": QueryHour.questions + insert.excluded["questions"]}))


@event.listens_for(Session, "before_flush")
def _count_new_questions(session: Session, _context, _instances) -> None:
    """Count the query log rows this flush adds, per hour and outcome, in the same transaction."""
    counts = Counter((hour_of(row.created_at), QueryOutcome(row.outcome))
                     for row in session.new if isinstance(row, QueryLog) and row.created_at is not None)
    add_counts(session, counts)


def days(session: Session, *, last: date, count: int, timezone: ZoneInfo) -> list[Day]:
    """The ``count`` days ending with ``last`` (the city's days), oldest first."""
    first = last - timedelta(days=count - 1)
    start = datetime.combine(first, time(), timezone)
    end = datetime.combine(last + timedelta(days=1), time(), timezone)
    questions: dict[date, Counter] = {first + timedelta(days=n): Counter() for n in range(count)}
    for hour, outcome, number in session.execute(
            sa.select(QueryHour.hour, QueryHour.outcome, QueryHour.questions)
            .where(QueryHour.hour >= start, QueryHour.hour < end)):
        day = hour.astimezone(timezone).date()
        if day in questions:
            questions[day][QueryOutcome(outcome)] += number
    rated: dict[date, Counter] = {day: Counter() for day in questions}
    for moment, helpful in session.execute(
            sa.select(Feedback.created_at, Feedback.helpful)
            .where(Feedback.created_at >= start, Feedback.created_at < end, Feedback.helpful.is_not(None))):
        day = moment.astimezone(timezone).date()
        if day in rated:
            rated[day][bool(helpful)] += 1
    return [Day(day, dict(questions[day]), rated[day][True], rated[day][False]) for day in questions]


def backfill(session: Session) -> int:
    """Count every logged question into ``query_hour`` afresh (after a migration or a restore); returns how
    many hours and outcomes were written. Reads the log in id order, a chunk at a time."""
    session.execute(sa.delete(QueryHour))
    counts: Counter[tuple[datetime, QueryOutcome]] = Counter()
    last = 0
    while True:
        rows = session.execute(sa.select(QueryLog.id, QueryLog.created_at, QueryLog.outcome)
                               .where(QueryLog.id > last).order_by(QueryLog.id).limit(50_000)).all()
        if not rows:
            break
        counts.update((hour_of(at), QueryOutcome(outcome)) for _id, at, outcome in rows)
        last = rows[-1][0]
    add_counts(session, counts)
    return len(counts)

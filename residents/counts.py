"""How many residents there are, by area, by push category and by their children's birth dates: counts only.

Every number is one aggregate query (``COUNT``, ``GROUP BY``) in the database; no resident is loaded, and no
LINE user id leaves it. A count is a ``Counts`` pair: the residents who follow the account, and those of
them who also agreed to push (the ones a broadcast can reach, as ``service.push_profiles`` yields them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from residents.models import Child
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription

EXPECTING = "expecting"  # the key ``by_child_dates`` counts children known only by a due date under


@dataclass(frozen=True)
class Counts:
    """Residents who follow the account, and how many of them agreed to push."""

    following: int = 0
    consenting: int = 0


@dataclass(frozen=True)
class Totals:
    """Every resident row, the ones following the account (not blocked) and the ones who agreed to push."""

    residents: int
    following: int
    consenting: int


_FOLLOWING = Resident.status == ResidentStatus.ACTIVE
_CONSENTING = sa.and_(_FOLLOWING, Resident.consent_at.is_not(None))


def totals(session: Session) -> Totals:
    """How many residents there are, follow the account, and agreed to push."""
    row = session.execute(sa.select(
        sa.func.count(Resident.id),
        sa.func.coalesce(sa.func.sum(sa.case((_FOLLOWING, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((_CONSENTING, 1), else_=0)), 0),
    )).one()
    return Totals(int(row[0]), int(row[1]), int(row[2]))


def _following_and_consenting(resident_id: sa.ColumnElement = Resident.id,
                              consent_at: sa.ColumnElement = Resident.consent_at
                              ) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """How many distinct residents (among the rows filtered to following ones), and how many of them agreed."""
    return (sa.func.count(sa.distinct(resident_id)),
            sa.func.count(sa.distinct(sa.case((consent_at.is_not(None), resident_id)))))


def by_area(session: Session) -> list[tuple[str | None, Counts]]:
    """Following residents by their registered area (None: no area set), the most populous first."""
    following, consenting = _following_and_consenting()
    rows = session.execute(sa.select(Resident.area, following, consenting).where(_FOLLOWING)
                           .group_by(Resident.area).order_by(following.desc(), Resident.area))
    return [(area, Counts(int(f), int(c))) for area, f, c in rows]


def by_category(session: Session) -> dict[str, Counts]:
    """Following residents by the push categories they chose (a resident counts in each one chosen)."""
    following, consenting = _following_and_consenting()
    rows = session.execute(sa.select(Subscription.category, following, consenting)
                           .join(Resident, Subscription.resident_id == Resident.id).where(_FOLLOWING)
                           .group_by(Subscription.category))
    return {category: Counts(int(f), int(c)) for category, f, c in rows}


def by_child_dates(session: Session, birth_ranges: Mapping[str, tuple[date, date]]) -> dict[str, Counts]:
    """Following residents with a child born within each named range (both days included), and under
    ``EXPECTING`` those with a child known only by its due date; a resident counts once per key.

    One ``GROUP BY``: each child goes under the first key that holds it (``EXPECTING``, then the ranges in
    order), so a child in two overlapping ranges counts under the first only.
    """
    buckets = [(Child.birth_date.is_(None) & Child.due_date.is_not(None), sa.literal(EXPECTING))]
    buckets += [(Child.birth_date.between(first, last), sa.literal(key))
                for key, (first, last) in birth_ranges.items()]
    bucket = sa.case(*buckets, else_=sa.null()).label("bucket")
    inner = (sa.select(bucket, Resident.id.label("resident_id"), Resident.consent_at.label("consent_at"))
             .join(Resident, Child.resident_id == Resident.id).where(_FOLLOWING).subquery())
    following, consenting = _following_and_consenting(inner.c.resident_id, inner.c.consent_at)
    rows = session.execute(sa.select(inner.c.bucket, following, consenting)
                           .where(inner.c.bucket.is_not(None)).group_by(inner.c.bucket))
    return {key: Counts(int(f), int(c)) for key, f, c in rows}

"""How many residents have a child in each life stage on a day (``segments.STAGES``), counted in the database.

``segments.child_stage`` says one child's stage; counting a million residents through it would load them all.
Instead the birth dates of each stage on ``today`` are worked out from ``child_stage`` itself
(``segments.birth_ranges``: a stage is one run of birth dates), and the database counts the residents per range
(``residents.counts.by_child_dates``), so the counts agree with ``stage:…`` segments by construction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from push.segments import STAGES
from push.segments import birth_ranges
from residents import counts
from residents.counts import Counts


def stage_counts(session: Session, today: date) -> dict[str, Counts]:
    """Following (and consenting) residents with a child in each stage on ``today``, every stage listed."""
    found = counts.by_child_dates(session, birth_ranges(today))
    found["pregnant"] = found.pop(counts.EXPECTING, Counts())
    return {stage: found.get(stage, Counts()) for stage in STAGES}

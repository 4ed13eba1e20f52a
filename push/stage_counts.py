"""How many residents have a child in each life stage on a day (``segments.STAGES``), counted in the database.

``segments.child_stage`` says one child's stage; counting a million residents through it would load them all.
Instead the birth dates of each stage on ``today`` are worked out from ``child_stage`` itself (a stage is one
run of birth dates: the younger, the earlier the stage), and the database counts the residents per range
(``residents.counts.by_child_dates``), so the counts agree with ``stage:…`` segments by construction.
"""

from __future__ import annotations

import bisect
from datetime import date
from datetime import timedelta

from sqlalchemy.orm import Session

from push.segments import STAGES
from push.segments import child_stage
from residents import counts
from residents.counts import Counts

BORN_STAGES = ("infant", "preschool", "school")  # youngest first: the order of the birth-date runs
_OLDEST_DAYS = 20 * 366  # further back than any stage reaches (school ends at 15)


def birth_ranges(today: date) -> dict[str, tuple[date, date]]:
    """The first and last birth date of each born stage on ``today`` (``child_stage`` of each day inside)."""

    def rank(days_back: int) -> int:
        stage = child_stage(None, today - timedelta(days=days_back), today)
        return BORN_STAGES.index(stage) if stage in BORN_STAGES else len(BORN_STAGES)

    starts = [bisect.bisect_left(range(_OLDEST_DAYS), index, key=rank) for index in range(len(BORN_STAGES) + 1)]
    return {stage: (today - timedelta(days=starts[index + 1] - 1), today - timedelta(days=starts[index]))
            for index, stage in enumerate(BORN_STAGES) if starts[index + 1] > starts[index]}


def stage_counts(session: Session, today: date) -> dict[str, Counts]:
    """Following (and consenting) residents with a child in each stage on ``today``, every stage listed."""
    found = counts.by_child_dates(session, birth_ranges(today))
    found["pregnant"] = found.pop(counts.EXPECTING, Counts())
    return {stage: found.get(stage, Counts()) for stage in STAGES}

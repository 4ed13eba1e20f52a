"""Saving the city's health section and reading the desk back, kept per process until it changes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from content.cache import RevisionCache
from content.revisions import bump_revision
from healthdesk.data import HealthDesk
from healthdesk.data import check_section
from healthdesk.data import desk_from
from healthdesk.models import HealthData

HEALTH = "health"  # the content revision a health load bumps
KEY = "healthdesk.desk"  # its cache in the runtime


class HealthDataError(ValueError):
    """The health section cannot be used; ``problems`` says what to fix."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def save_section(session: Session, section: dict | None) -> None:
    """Replace the city's health section (None removes it: national defaults only) in the caller's transaction."""
    if section is not None and (problems := check_section(section)):
        raise HealthDataError(problems)
    session.execute(sa.delete(HealthData))
    if section is not None:
        session.add(HealthData(section=section))
    session.flush()
    bump_revision(session, HEALTH)


def load_desk(session: Session) -> HealthDesk:
    """The desk for the stored section, or the national defaults when the city loaded none."""
    row = session.scalar(sa.select(HealthData).order_by(HealthData.id).limit(1))
    return desk_from(row.section if row is not None else None)


def desk_cache() -> RevisionCache[HealthDesk]:
    """The health desk per process, reloaded when a pack load changes the health data."""
    return RevisionCache((HEALTH,), lambda session, _previous, _changed: load_desk(session))

"""Saving imported shelters and reading them back; a re-import changes only what the file changed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from content.revisions import bump_revision
from disaster.importers import ShelterData
from disaster.importers import ShelterRecord
from disaster.models import Shelter
from disaster.models import ShelterSource

SHELTERS = "shelters"  # the content kind whose revision moves when shelters change
DEFAULT_ATTRIBUTION = "出典：国土地理院"
_FIELDS = [f.name for f in dataclasses.fields(ShelterRecord)]


@dataclass(frozen=True)
class SaveSummary:
    """What an import changed, by shelter."""

    added: int
    changed: int
    removed: int
    unchanged: int

    def lines(self, skipped: list[str]) -> list[str]:
        """The report printed after an import."""
        lines = [f"shelters: {self.added} added, {self.changed} changed, {self.removed} removed, "
                 f"{self.unchanged} unchanged"]
        if skipped:
            lines.append(f"skipped {len(skipped)} row{'s' if len(skipped) != 1 else ''}:")
            lines += [f"  {line}" for line in skipped]
        return lines


def save_shelters(session: Session, data: ShelterData, *, attribution: str | None = None) -> SaveSummary:
    """Make the stored shelters of the kinds in ``data`` those of ``data`` (in the caller's transaction).

    Shelters are matched by key: a changed one is updated in place and keeps its status; one no longer in
    the data is removed. ``attribution`` replaces the credit line (None keeps it). Nothing is written, and no
    revision moves, when nothing changed.
    """
    stored = {shelter.key: shelter for shelter in
              session.scalars(sa.select(Shelter).where(Shelter.kind.in_(sorted(data.kinds))))}
    added = changed = unchanged = 0
    for record in data.records:
        shelter = stored.pop(record.key, None)
        if shelter is None:
            session.add(Shelter(**dataclasses.asdict(record)))
            added += 1
        elif all(getattr(shelter, name) == getattr(record, name) for name in _FIELDS):
            unchanged += 1
        else:
            for name in _FIELDS:
                setattr(shelter, name, getattr(record, name))
            changed += 1
    for shelter in stored.values():
        session.delete(shelter)
    summary = SaveSummary(added, changed, len(stored), unchanged)
    source = session.get(ShelterSource, 1)
    credit_changed = attribution is not None and (source is None or source.attribution != attribution)
    if credit_changed:
        if source is None:
            session.add(ShelterSource(id=1, attribution=attribution))
        else:
            source.attribution = attribution
    if added or changed or stored or credit_changed:
        bump_revision(session, SHELTERS)
    return summary


def load_attribution(session: Session) -> str:
    """The credit line to show with shelters."""
    source = session.get(ShelterSource, 1)
    return source.attribution if source is not None and source.attribution else DEFAULT_ATTRIBUTION


def load_shelters(session: Session) -> list[Shelter]:
    """Every stored shelter, in the order they were imported."""
    return list(session.scalars(sa.select(Shelter).order_by(Shelter.id)))


def find_by_name(session: Session, name: str) -> list[Shelter]:
    """The shelters named ``name`` exactly (a name may be both kinds, or repeated in the data)."""
    return list(session.scalars(sa.select(Shelter).where(Shelter.name == name).order_by(Shelter.id)))


@dataclass(frozen=True)
class ShelterStatus:
    """What staff last said of a shelter: open, closed or full ("" for never), how crowded, and when."""

    status: str
    crowding: str
    at: datetime | None

    def confirmed(self, now: datetime, max_age: timedelta) -> bool:
        """Whether the status was said recently enough to be shown as it is."""
        return bool(self.status) and self.at is not None and now - self.at <= max_age


def statuses(session: Session, shelter_ids: list[int]) -> dict[int, ShelterStatus]:
    """The status of each of these shelters, read now (it changes while the atlas does not)."""
    if not shelter_ids:
        return {}
    rows = session.execute(sa.select(Shelter.id, Shelter.status, Shelter.crowding, Shelter.status_at)
                           .where(Shelter.id.in_(shelter_ids)))
    return {row.id: ShelterStatus(row.status, row.crowding, row.status_at) for row in rows}

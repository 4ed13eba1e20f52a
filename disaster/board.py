"""The shelters and 避難情報 as staff look through them: a page of shelters with their status, how many shelters
stand at each status, and the latest notices; filtered in SQL and never loaded whole."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from disaster import notices
from disaster.hazards import names as hazard_names
from disaster.models import DisasterNotice
from disaster.models import Shelter
from disaster.notices import NoticeInfo
from disaster.status import STATUSES
from disaster.store import ShelterStatus

UNSET = "unset"  # the status filter for shelters whose status was never said ("" in the table)


@dataclass(frozen=True)
class ShelterRow:
    """A shelter as the board shows it: what it is, where, for what, and its status."""

    id: int
    kind: str
    name: str
    address: str
    hazards: tuple[str, ...]
    accepts: str
    capacity: int | None
    phone: str
    status: ShelterStatus


@dataclass(frozen=True)
class ShelterPage:
    """One page of the shelters that fit the filters, and how many fit in all."""

    total: int
    rows: tuple[ShelterRow, ...]


def shelter_page(session: Session, *, word: str = "", status: str = "", kind: str = "", offset: int = 0,
                 limit: int = 50) -> ShelterPage:
    """The shelters whose name or address holds ``word``, at ``status`` (``UNSET``: never said) and of
    ``kind`` when given, by name: ``limit`` of them from ``offset``."""
    conditions = []
    if word.strip():
        conditions.append(sa.or_(Shelter.name.icontains(word.strip(), autoescape=True),
                                 Shelter.address.icontains(word.strip(), autoescape=True)))
    if status in STATUSES:
        conditions.append(Shelter.status == status)
    elif status == UNSET:
        conditions.append(Shelter.status.not_in(STATUSES))
    if kind:
        conditions.append(Shelter.kind == kind)
    total = session.scalar(sa.select(sa.func.count(Shelter.id)).where(*conditions))
    shelters = session.scalars(sa.select(Shelter).where(*conditions).order_by(Shelter.name, Shelter.id)
                               .offset(max(0, offset)).limit(limit))
    return ShelterPage(total or 0, tuple(
        ShelterRow(s.id, s.kind, s.name, s.address, tuple(hazard_names(s.hazards)), s.accepts, s.capacity, s.phone,
                   ShelterStatus(s.status, s.crowding, s.status_at)) for s in shelters))


def status_counts(session: Session) -> dict[str, int]:
    """How many shelters stand at each status (``UNSET``: never said), every status listed."""
    found = dict(session.execute(sa.select(Shelter.status, sa.func.count(Shelter.id)).group_by(Shelter.status)).all())
    counted = {status: int(found.pop(status, 0)) for status in STATUSES}
    counted[UNSET] = sum(int(count) for count in found.values())
    return counted


def latest_notices(session: Session, *, status: str = "", area: str = "", limit: int = 50) -> list[NoticeInfo]:
    """The newest notices (``limit`` at most), at ``status`` and naming ``area`` exactly when given."""
    statement = sa.select(DisasterNotice)
    if status:
        statement = statement.where(DisasterNotice.status == status)
    if area.strip():
        lines = sa.literal("\n") + DisasterNotice.areas + sa.literal("\n")
        statement = statement.where(lines.contains(f"\n{area.strip()}\n", autoescape=True))
    found = session.scalars(statement.order_by(DisasterNotice.id.desc()).limit(limit))
    return [notices.info(session, notice) for notice in found]

"""The municipality's details as plain data for replies: name, contact desk and office hours."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from city.models import Municipality


@dataclass(frozen=True)
class CityInfo:
    """Who the bot speaks for and where residents can call."""

    name: str = "市役所"
    bot_name: str = "くらしのLINEアシスタント"
    department: str = ""
    phone: str = ""
    office_hours: str = ""
    url: str = ""
    faq_attribution: str = ""


def load(session: Session) -> CityInfo:
    """The loaded municipality's details, or neutral defaults before any pack is loaded."""
    row = session.scalar(sa.select(Municipality).order_by(Municipality.id).limit(1))
    if row is None:
        return CityInfo()
    return CityInfo(
        name=row.name,
        bot_name=row.bot_name or f"{row.name} LINEアシスタント",
        department=row.department,
        phone=row.phone,
        office_hours=row.office_hours,
        url=row.url,
        faq_attribution=row.faq_attribution,
    )


CITY = "city"


class CityCache:
    """The municipality's details per process, reloaded when a pack load changes them."""

    def __init__(self) -> None:
        self._revision: int | None = None
        self._city = CityInfo()

    def get(self, session: Session, counters: dict[str, int]) -> CityInfo:
        """The current details (no query unless the ``city`` revision moved)."""
        revision = counters.get(CITY, 0)
        if revision != self._revision:
            self._city = load(session)
            self._revision = revision
        return self._city

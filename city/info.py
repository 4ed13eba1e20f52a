"""The municipality's details as plain data for replies: name, contact desk and office hours."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from city.models import Municipality
from content.cache import RevisionCache

CITY = "city"  # the content revision a pack load bumps
KEY = "city.info"  # its cache in the runtime


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




def city_cache() -> RevisionCache[CityInfo]:
    """The municipality's details per process, reloaded when a pack load changes them."""
    return RevisionCache((CITY,), lambda session, _previous, _changed: load(session))

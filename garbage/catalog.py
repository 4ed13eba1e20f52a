"""The city's garbage data in memory: one ``Catalog`` per process, rebuilt when any process changes it."""

from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session

from content.cache import RevisionCache
from faq import store as faq_store
from garbage import store
from garbage.answers import Catalog
from garbage.answers import CategoryInfo
from garbage.answers import ItemRow
from garbage.store import GARBAGE
from japanese.synonyms import Synonyms
from search.areas import AreaInfo
from search.areas import with_readings

KEY = "garbage.catalog"  # its cache in the runtime


def load_catalog(session: Session) -> Catalog | None:
    """The stored garbage data as a Catalog, or None when the city has loaded none."""
    categories = store.load_categories(session)
    if not categories:
        return None
    areas = store.load_areas(session)
    settings = store.load_settings(session)
    return Catalog(
        items=[ItemRow(i.name, i.category, i.notice) for i in store.load_items(session)],
        categories={c.name: CategoryInfo(c.name, c.collected, c.takeaway) for c in categories},
        areas=[with_readings(AreaInfo(a.name, a.aliases, a.readings)) for a in areas],
        schedules={a.name: {r.category: r.schedule for r in store.load_rules(session, a.name)} for a in areas},
        policies={a.name: store.load_policy(session, center=a.center or None) for a in areas},
        synonyms=Synonyms(faq_store.load_synonyms(session)),
        attribution=settings.attribution,
        collected_by=time.fromisoformat(settings.put_out_by) if settings.put_out_by else None,
    )


def catalog_cache() -> RevisionCache[Catalog | None]:
    """The garbage catalog per process, reloaded when the garbage data or the synonym table changes."""
    return RevisionCache((GARBAGE, faq_store.SYNONYMS), lambda session, _previous, _changed: load_catalog(session))


def areas_cache() -> RevisionCache[list[AreaInfo]]:
    """The city's areas for the residents package (``residents.areas``), reloaded when the garbage data changes."""
    return RevisionCache((GARBAGE,), lambda session, _previous, _changed: load_areas(session))


def load_areas(session: Session) -> list[AreaInfo]:
    """Every stored area with its aliases and readings (Sudachi's when the data has none), in calendar order."""
    return [with_readings(AreaInfo(area.name, area.aliases, area.readings)) for area in store.load_areas(session)]

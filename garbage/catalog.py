"""The city's garbage data in memory, one ``Catalog`` per process, rebuilt when any process changes it."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from content.revisions import revisions
from faq import store as faq_store
from garbage import store
from garbage.answers import Catalog
from garbage.answers import CategoryInfo
from garbage.answers import ItemRow
from garbage.areas import AreaInfo
from japanese.synonyms import Synonyms

GARBAGE = "garbage"


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
        areas=[AreaInfo(a.name, a.aliases, a.readings) for a in areas],
        schedules={a.name: {r.category: r.schedule for r in store.load_rules(session, a.name)} for a in areas},
        policies={a.name: store.load_policy(session, center=a.center or None) for a in areas},
        synonyms=Synonyms(faq_store.load_synonyms(session)),
        attribution=settings.attribution,
    )


class CatalogCache:
    """Keeps the Catalog of this process in step with the database (garbage data and synonyms)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revisions: tuple[int, int] | None = None
        self._catalog: Catalog | None = None

    def get(self, session: Session, counters: dict[str, int] | None = None) -> Catalog | None:
        """The current Catalog (one cheap query when nothing changed, none with ``counters`` given)."""
        counters = revisions(session) if counters is None else counters
        current = (counters.get(GARBAGE, 0), counters.get(faq_store.SYNONYMS, 0))
        if current != self._revisions:
            with self._lock:
                if current != self._revisions:
                    self._catalog = load_catalog(session)
                    self._revisions = current
        return self._catalog

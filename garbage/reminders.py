"""Garbage-day reminders, planned the evening before: who gets which categories for tomorrow.

Planning is pure: the day is passed in and the result is plain data. Delivery goes through the push
outbox (one row per resident and collection day, retry key fixed when planned), which this feeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from garbage.answers import Catalog
from garbage.answers import resolve_area
from garbage.calendar import collection_dates


@dataclass(frozen=True)
class Subscriber:
    """A resident who asked for reminders: their area and categories."""

    line_user_id: str
    area: str
    categories: frozenset[str]


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder to send on ``send_on`` evening about the collection on ``collection_day``."""

    line_user_id: str
    area: str
    collection_day: date
    categories: tuple[str, ...]

    @property
    def key(self) -> str:
        """What makes the reminder unique in the outbox: one per resident and collection day."""
        return f"garbage-reminder:{self.line_user_id}:{self.collection_day.isoformat()}"

    @property
    def send_on(self) -> date:
        """The evening it goes out: the day before the collection."""
        return self.collection_day - timedelta(days=1)


def skip_reason(catalog: Catalog, subscriber: Subscriber) -> str | None:
    """Why a subscriber cannot be planned for at all, or None."""
    if resolve_area(catalog, subscriber.area) is None:
        return "unknown-area"
    if not subscriber.categories:
        return "no-categories"
    return None


def plan_reminders(catalog: Catalog, subscribers: Iterable[Subscriber], today: date) -> list[PlannedReminder]:
    """Reminders to send this evening (``today``) for tomorrow's collections, one per subscriber at most."""
    tomorrow = today + timedelta(days=1)
    collected: dict[str, tuple[str, ...]] = {}
    planned = []
    for subscriber in subscribers:
        if skip_reason(catalog, subscriber) is not None:
            continue
        area = resolve_area(catalog, subscriber.area)
        if area not in collected:
            schedules = catalog.schedules.get(area, {})
            collected[area] = tuple(
                name for name, schedule in schedules.items()
                if collection_dates(schedule, name, tomorrow, tomorrow, catalog.policy(area))
            )
        categories = tuple(c for c in collected[area] if c in subscriber.categories)
        if categories:
            planned.append(PlannedReminder(subscriber.line_user_id, area, tomorrow, categories))
    return planned

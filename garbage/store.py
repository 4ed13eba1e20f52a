"""Saving an imported city's garbage data, and reading it back as plain data for the intents.

``save_garbage`` replaces every garbage row in the caller's transaction, so an import is all or
nothing, and bumps the ``garbage`` content revision so every process rebuilds what it derived. The
``load_*`` functions return frozen dataclasses, never ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from content.revisions import bump_revision
from garbage.calendar import CalendarPolicy
from garbage.importers import GarbageData
from garbage.importers import ShutdownRecord
from garbage.models import Area
from garbage.models import CalendarException
from garbage.models import CenterShutdown
from garbage.models import CollectionRule
from garbage.models import GarbageCategory
from garbage.models import GarbageItem
from garbage.models import GarbageRemark
from garbage.models import GarbageSettings
from garbage.schedule import CalendarChange
from garbage.schedule import MonthlyNth
from garbage.schedule import OnDates
from garbage.schedule import Rule
from garbage.schedule import Schedule
from garbage.schedule import Weekly

GARBAGE = "garbage"
LIST_SEPARATOR = "|"
SCHEDULE_FORMAT = 1


# --- schedules as JSON --------------------------------------------------------------------------


def schedule_to_json(schedule: Schedule) -> dict[str, Any]:
    """A schedule as JSON-ready data (sorted lists, ISO dates); ``schedule_from_json`` reads it back."""
    return {
        "format": SCHEDULE_FORMAT,
        "rules": [_rule_to_json(rule) for rule in schedule.rules],
        "verbatim": schedule.verbatim,
        "remarks": list(schedule.remarks),
        "source": schedule.source,
    }


def _rule_to_json(rule: Rule) -> dict[str, Any]:
    if isinstance(rule, Weekly):
        return {"kind": "weekly", "weekdays": sorted(rule.weekdays)}
    if isinstance(rule, MonthlyNth):
        months = sorted(rule.months) if rule.months is not None else None
        return {"kind": "monthly_nth", "weekday": rule.weekday, "nths": sorted(rule.nths), "months": months}
    if isinstance(rule, OnDates):
        return {"kind": "dates", "dates": [day.isoformat() for day in sorted(rule.dates)]}
    raise TypeError(f"not a rule: {rule!r}")


def schedule_from_json(data: dict[str, Any]) -> Schedule:
    """The schedule ``schedule_to_json`` wrote; ValueError for data it did not write."""
    if data.get("format") != SCHEDULE_FORMAT:
        raise ValueError(f"unknown schedule format {data.get('format')!r}")
    return Schedule(
        rules=tuple(_rule_from_json(rule) for rule in data.get("rules", ())),
        verbatim=data.get("verbatim", ""),
        remarks=tuple(data.get("remarks", ())),
        source=data.get("source", ""),
    )


def _rule_from_json(data: dict[str, Any]) -> Rule:
    kind = data.get("kind")
    if kind == "weekly":
        return Weekly(frozenset(data["weekdays"]))
    if kind == "monthly_nth":
        months = data.get("months")
        return MonthlyNth(data["weekday"], frozenset(data["nths"]), frozenset(months) if months is not None else None)
    if kind == "dates":
        return OnDates(frozenset(date.fromisoformat(day) for day in data["dates"]))
    raise ValueError(f"unknown rule kind {kind!r}")


# --- saving -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveSummary:
    """How many rows of each kind the store holds after a save (exceptions None: left as they were)."""

    categories: int
    items: int
    areas: int
    rules: int
    verbatim: int  # rules with text kept verbatim
    remarks: int
    shutdowns: int
    exceptions: int | None

    def lines(self, report: list[str]) -> list[str]:
        """The counts, then the import's report (cells kept verbatim, rows skipped), as terminal lines."""
        exceptions = "kept" if self.exceptions is None else str(self.exceptions)
        return [f"  garbage: {self.categories} categories, {self.items} items, {self.areas} areas, "
                f"{self.rules} collection rules ({self.verbatim} kept verbatim), {self.remarks} remarks, "
                f"{self.shutdowns} center shutdowns, calendar exceptions: {exceptions}",
                *(f"    {line}" for line in report)]


def save_garbage(
    session: Session,
    data: GarbageData,
    *,
    collect_on_public_holidays: bool | None = None,
    attribution: str | None = None,
    put_out_by: str | None = None,
) -> SaveSummary:
    """Replace every garbage row with ``data``, in the caller's transaction, and bump the revision.

    Calendar exceptions are replaced only when ``data.exceptions`` is not None; the settings only where
    an argument is given (a new settings row starts with collection on public holidays and no credit).
    """
    _check_references(data)
    if data.exceptions is not None:
        session.execute(sa.delete(CalendarException))
    for model in (CollectionRule, GarbageItem, Area, GarbageCategory, GarbageRemark, CenterShutdown):
        session.execute(sa.delete(model))
    session.flush()

    categories = {
        record.name: GarbageCategory(name=record.name, description=record.description, color=record.color,
                                     collected=record.collected, takeaway=record.takeaway, position=position)
        for position, record in enumerate(data.categories)
    }
    areas = {
        record.name: Area(name=record.name, aliases=LIST_SEPARATOR.join(record.aliases), kana="",
                          center=record.center, position=position)
        for position, record in enumerate(data.areas)
    }
    session.add_all([*categories.values(), *areas.values()])
    session.flush()
    session.add_all(
        GarbageItem(name=item.name, category_id=categories[item.category].id, notice=item.notice, kana=item.kana)
        for item in data.items
    )
    session.add_all(
        CollectionRule(area_id=areas[rule.area].id, category_id=categories[rule.category].id,
                       schedule=schedule_to_json(rule.schedule), source=rule.schedule.source)
        for rule in data.rules
    )
    session.add_all(GarbageRemark(key=remark.key, text=remark.text) for remark in data.remarks)
    session.add_all(CenterShutdown(center=s.center, start=s.start, end=s.end) for s in data.shutdowns)
    if data.exceptions is not None:
        session.add_all(
            CalendarException(day=change.day, category=change.category, moved_to=change.moved_to, note=change.note)
            for change in data.exceptions
        )
    settings = _settings_row(session)
    if collect_on_public_holidays is not None:
        settings.collect_on_public_holidays = collect_on_public_holidays
    if attribution is not None:
        settings.attribution = attribution
    if put_out_by is not None:
        settings.put_out_by = put_out_by
    bump_revision(session, GARBAGE)
    session.flush()
    stored_exceptions = None
    if data.exceptions is not None:
        stored_exceptions = len(data.exceptions)
    return SaveSummary(
        categories=len(data.categories),
        items=len(data.items),
        areas=len(data.areas),
        rules=len(data.rules),
        verbatim=sum(1 for rule in data.rules if rule.schedule.verbatim),
        remarks=len(data.remarks),
        shutdowns=len(data.shutdowns),
        exceptions=stored_exceptions,
    )


def _check_references(data: GarbageData) -> None:
    """Refuse data whose items or rules name a category or area it does not define (a bug in a reader)."""
    categories = {category.name for category in data.categories}
    areas = {area.name for area in data.areas}
    unknown = sorted({item.category for item in data.items} - categories)
    unknown += sorted({rule.category for rule in data.rules} - categories)
    unknown += sorted({rule.area for rule in data.rules} - areas)
    if unknown:
        raise ValueError(f"garbage data refers to undefined categories or areas: {', '.join(unknown)}")


def _settings_row(session: Session) -> GarbageSettings:
    row = session.scalar(sa.select(GarbageSettings).order_by(GarbageSettings.id).limit(1))
    if row is None:
        row = GarbageSettings(collect_on_public_holidays=True, attribution="", put_out_by="")
        session.add(row)
    return row


# --- loading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredCategory:
    """A category as the intents see it."""

    name: str
    description: str
    color: str
    collected: bool
    takeaway: str


@dataclass(frozen=True)
class StoredItem:
    """One dictionary entry with its category's answer-relevant facts."""

    name: str
    category: str
    notice: str
    collected: bool
    takeaway: str
    kana: str = ""


@dataclass(frozen=True)
class StoredArea:
    """An area's display name and the other names residents type for it."""

    name: str
    aliases: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    center: str = ""


@dataclass(frozen=True)
class StoredRule:
    """When one category is collected in one area; ``remarks`` holds the texts the schedule refers to."""

    category: str
    schedule: Schedule
    collected: bool = True
    color: str = ""
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class GarbageSettingsInfo:
    """The pack's garbage settings."""

    collect_on_public_holidays: bool = True
    attribution: str = ""
    put_out_by: str = ""  # the time garbage must be out by on collection days (「08:30」), "" when not given


def load_categories(session: Session) -> list[StoredCategory]:
    """Every category, in the order of the city's files."""
    rows = session.scalars(sa.select(GarbageCategory).order_by(GarbageCategory.position, GarbageCategory.id))
    return [StoredCategory(c.name, c.description, c.color, c.collected, c.takeaway) for c in rows]


def load_items(session: Session) -> list[StoredItem]:
    """Every dictionary entry, in file order."""
    rows = session.execute(
        sa.select(GarbageItem.name, GarbageItem.notice, GarbageItem.kana, GarbageCategory.name,
                  GarbageCategory.collected, GarbageCategory.takeaway)
        .join(GarbageCategory, GarbageItem.category_id == GarbageCategory.id)
        .order_by(GarbageItem.id)
    )
    return [StoredItem(name, category, notice, collected, takeaway, kana)
            for name, notice, kana, category, collected, takeaway in rows]


def load_areas(session: Session) -> list[StoredArea]:
    """Every area, in the order of the city's calendar."""
    rows = session.scalars(sa.select(Area).order_by(Area.position, Area.id))
    return [StoredArea(a.name, _split(a.aliases), _split(a.kana), a.center) for a in rows]


def load_rules(session: Session, area_name: str) -> list[StoredRule]:
    """The collection rules of the area named exactly ``area_name``, in category order ([] if none)."""
    remarks = load_remarks(session)
    rows = session.execute(
        sa.select(CollectionRule.schedule, GarbageCategory.name, GarbageCategory.collected, GarbageCategory.color)
        .join(Area, CollectionRule.area_id == Area.id)
        .join(GarbageCategory, CollectionRule.category_id == GarbageCategory.id)
        .where(Area.name == area_name)
        .order_by(GarbageCategory.position, GarbageCategory.id)
    )
    rules = []
    for data, category, collected, color in rows:
        schedule = schedule_from_json(data)
        texts = tuple(remarks[key] for key in schedule.remarks if key in remarks)
        rules.append(StoredRule(category, schedule, collected, color, texts))
    return rules


def load_remarks(session: Session) -> dict[str, str]:
    """Remark texts by key (5374 ``*1`` → key "1")."""
    return dict(session.execute(sa.select(GarbageRemark.key, GarbageRemark.text).order_by(GarbageRemark.id)).all())


def load_shutdowns(session: Session) -> list[ShutdownRecord]:
    """Every center shutdown period, earliest first."""
    rows = session.scalars(sa.select(CenterShutdown).order_by(CenterShutdown.start, CenterShutdown.id))
    return [ShutdownRecord(row.center, row.start, row.end) for row in rows]


def load_exceptions(session: Session) -> list[CalendarChange]:
    """The pack's calendar changes, by day."""
    rows = session.scalars(sa.select(CalendarException).order_by(CalendarException.day, CalendarException.id))
    return [CalendarChange(row.day, row.category, row.moved_to, row.note) for row in rows]


def load_settings(session: Session) -> GarbageSettingsInfo:
    """The pack's garbage settings (the defaults before any import)."""
    row = session.scalar(sa.select(GarbageSettings).order_by(GarbageSettings.id).limit(1))
    if row is None:
        return GarbageSettingsInfo()
    return GarbageSettingsInfo(row.collect_on_public_holidays, row.attribution, row.put_out_by or "")


def load_policy(
    session: Session, collect_on_public_holidays: bool | None = None, *, center: str | None = None
) -> CalendarPolicy:
    """The ``garbage.calendar.CalendarPolicy`` of the stored data.

    ``collect_on_public_holidays`` overrides the pack's setting when given; with ``center``, only that
    center's shutdowns count (5374 areas name their center), else every shutdown does.
    """
    if collect_on_public_holidays is None:
        collect_on_public_holidays = load_settings(session).collect_on_public_holidays
    shutdowns = tuple((s.start, s.end) for s in load_shutdowns(session) if center is None or s.center == center)
    return CalendarPolicy(
        collect_on_public_holidays=collect_on_public_holidays,
        changes=tuple(load_exceptions(session)),
        shutdowns=shutdowns,
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(LIST_SEPARATOR) if part)

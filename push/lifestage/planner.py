"""Who is due which life-stage message on a day, and every message one person would get (a timeline).

Everything here is pure: the day is passed in and the results are plain data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from push.lifestage.rules import DEFAULT_NAME
from push.lifestage.rules import Anchor
from push.lifestage.rules import Rule
from push.lifestage.rules import format_date


@dataclass(frozen=True)
class Person:
    """Someone messages are planned for: a child (by due or birth date) or the resident (``key`` "self").

    ``key`` must identify the person within the outbox (a child id, or something unique per resident for
    the resident's own birth date). ``categories`` are the categories the resident opted into.
    """

    key: str
    line_user_id: str
    label: str = ""
    due_date: date | None = None
    birth_date: date | None = None
    categories: frozenset[str] = frozenset()
    stop_baby: bool = False


@dataclass(frozen=True)
class PlannedMessage:
    """One life-stage message for a LINE user, due on ``due_on``."""

    line_user_id: str
    rule_id: str
    person_key: str
    due_on: date
    category: str
    text: str

    @property
    def key(self) -> str:
        """What makes the message unique in the outbox: one per rule, person and due day."""
        return f"lifestage:{self.rule_id}:{self.person_key}:{self.due_on.isoformat()}"


def skip_reason(rule: Rule, person: Person) -> str | None:
    """Why ``rule`` never applies to ``person`` (as things stand), or None."""
    if rule.category not in person.categories:
        return "category-not-chosen"
    if rule.baby and person.stop_baby:
        return "baby-messages-stopped"
    if rule.anchor is Anchor.DUE_DATE:
        if person.birth_date is not None:
            return "born"
        if person.due_date is None:
            return "no-due-date"
    elif person.birth_date is None:
        return "no-birth-date"
    return None


def _anchor_date(rule: Rule, person: Person) -> date | None:
    """The date the rule counts from for ``person``; None when it is missing or replaced by the birth."""
    if rule.anchor is Anchor.DUE_DATE:
        return person.due_date if person.birth_date is None else None
    return person.birth_date


def due_on(rule: Rule, person: Person) -> date | None:
    """The day ``rule`` is due for ``person``, or None when its anchor is missing (a pregnancy rule once born).

    Categories and the quiet stop are not considered here; see ``skip_reason``.
    """
    anchor = _anchor_date(rule, person)
    return None if anchor is None else rule.due_from(anchor)


def window(rule: Rule, anchor: date, due: date) -> int:
    """How many days after ``due`` the message may still be planned."""
    if rule.window_days is not None:
        return rule.window_days
    deadline = rule.deadline_for(anchor)
    return max((deadline - due).days, 0) if deadline is not None else 0


def render(rule: Rule, person: Person, due: date) -> str:
    """The message text for ``person``: {name} is the label, {date} the deadline or the due day."""
    anchor = _anchor_date(rule, person)
    deadline = rule.deadline_for(anchor) if anchor is not None else None
    return rule.message.format(name=person.label or DEFAULT_NAME, date=format_date(deadline or due))


def _message(rule: Rule, person: Person, due: date) -> PlannedMessage:
    return PlannedMessage(person.line_user_id, rule.id, person.key, due, rule.category, render(rule, person, due))


def _firing(rules: tuple[Rule, ...], anchor: date, today: date) -> tuple[tuple[Rule, date], ...]:
    """The rules, among ``rules``, planned ``today`` for anyone with this anchor date, with their due day."""
    hits = []
    for rule in rules:
        due = rule.due_from(anchor)
        if due <= today and (today - due).days <= window(rule, anchor, due):
            hits.append((rule, due))
    return tuple(hits)


def plan(rules: Iterable[Rule], people: Iterable[Person], today: date, *, memo: dict | None = None
         ) -> list[PlannedMessage]:
    """The messages to plan ``today``: due today or earlier but still within their window.

    Respects each person's categories and quiet stop; pregnancy rules stop once a birth date is known.
    The same message is returned on every day of its window; the outbox sends each ``key`` once.
    ``memo`` (an empty dict at first) keeps which rules fire for each date between calls with the same rules
    and ``today``: a planner calling this once per chunk of people works each date out once.
    """
    rules = tuple(rules)
    pregnancy = tuple(rule for rule in rules if rule.anchor is Anchor.DUE_DATE)
    born = tuple(rule for rule in rules if rule.anchor is not Anchor.DUE_DATE)
    memo = {} if memo is None else memo
    by_due: dict[date, tuple[tuple[Rule, date], ...]] = memo.setdefault("due", {})
    by_birth: dict[date, tuple[tuple[Rule, date], ...]] = memo.setdefault("birth", {})
    planned = []
    for person in people:
        if person.birth_date is not None:
            hits = by_birth.get(person.birth_date)
            if hits is None:
                hits = by_birth[person.birth_date] = _firing(born, person.birth_date, today)
        elif person.due_date is not None:
            hits = by_due.get(person.due_date)
            if hits is None:
                hits = by_due[person.due_date] = _firing(pregnancy, person.due_date, today)
        else:
            continue
        for rule, due in hits:
            if rule.category in person.categories and not (rule.baby and person.stop_baby):
                planned.append(_message(rule, person, due))
    return planned


def timeline(rules: Iterable[Rule], person: Person, start: date | None = None,
             end: date | None = None) -> list[PlannedMessage]:
    """Every message ``person`` would get from ``start`` to ``end`` (either may be open), by due day.

    A message due before ``start`` whose window still covers ``start`` is included: it goes out on
    ``start``, as for a resident who registers that day.
    """
    found = []
    for order, rule in enumerate(rules):
        anchor = _anchor_date(rule, person)
        if anchor is None or skip_reason(rule, person) is not None:
            continue
        due = rule.due_from(anchor)
        if end is not None and due > end:
            continue
        if start is not None and due < start and (start - due).days > window(rule, anchor, due):
            continue
        found.append((due, order, _message(rule, person, due)))
    return [message for _, _, message in sorted(found, key=lambda item: item[:2])]

"""What a resident would be sent and when, for a child and for themself (``push preview``); nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from push.lifestage.planner import Person
from push.lifestage.planner import PlannedMessage
from push.lifestage.planner import timeline
from push.lifestage.rules import Anchor
from push.lifestage.rules import Rule


@dataclass(frozen=True)
class PreviewRow:
    """A line of the preview: the day a message would be sent, to whom ("child" or "self"), and the message."""

    send_on: date
    who: str
    message: PlannedMessage


def preview(rules: Iterable[Rule], *, birth: date | None = None, due: date | None = None, born: date | None = None,
            start: date | None = None, end: date | None = None) -> list[PreviewRow]:
    """What a resident would be sent and when, for a child (``due`` and/or ``birth``) and their own ``born``.

    Every category is taken as chosen. With both dates, the pregnancy messages run until the day before
    the birth (the birth is taken as registered on the day) and the child's messages from then on. Age
    rules are applied to ``born`` only, the others to the child only.
    """
    if birth is None and due is None and born is None:
        raise ValueError("give a birth date, a due date or the resident's own birth date")
    rules = list(rules)
    everything = frozenset(rule.category for rule in rules)
    child_rules = [rule for rule in rules if rule.anchor is not Anchor.AGE]
    age_rules = [rule for rule in rules if rule.anchor is Anchor.AGE]
    rows: list[PreviewRow] = []

    def add(who: str, person: Person, rules_: list[Rule], until: date | None) -> None:
        for message in timeline(rules_, person, start, until):
            rows.append(PreviewRow(max(message.due_on, start or message.due_on), who, message))

    if due is not None:
        before_birth = end if birth is None else min(end or date.max, birth - timedelta(days=1))
        add("child", Person("child", "preview", due_date=due, categories=everything), child_rules, before_birth)
    if birth is not None:
        add("child", Person("child", "preview", due_date=due, birth_date=birth, categories=everything),
            child_rules, end)
    if born is not None:
        add("self", Person("self", "preview", birth_date=born, categories=everything), age_rules, end)
    return sorted(rows, key=lambda row: (row.send_on, row.message.due_on))

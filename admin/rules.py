"""The console's rules that admins set: for now, whether a change needs a second person to approve it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from admin import audit
from admin.models import ConsoleRule

TWO_PERSON = "two_person"  # a draft's author cannot approve it (a small town may turn this off)


def two_person(session: Session) -> bool:
    """Whether a change needs someone other than its author to approve it (default: yes)."""
    rule = session.get(ConsoleRule, TWO_PERSON)
    return True if rule is None else bool(rule.value.get("on", True))


def set_two_person(session: Session, on: bool, *, actor: str, now: datetime) -> None:
    """Turn the two-person rule on or off (audited)."""
    before = two_person(session)
    if before == on:
        return
    rule = session.get(ConsoleRule, TWO_PERSON)
    if rule is None:
        session.add(ConsoleRule(name=TWO_PERSON, value={"on": on}))
    else:
        rule.value = {"on": on}
    audit.record(session, actor=actor, action="rules.two_person", target="rule:two_person", now=now,
                 before={"on": before}, after={"on": on})

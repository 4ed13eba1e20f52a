"""Planning a day's deliveries into the outbox: what each planner finds due becomes rows, once per key.

``plan_day`` is the one place a planner is added (life-stage rules, scheduled broadcasts…); each planner
turns its domain's plain data into ``PlannedDelivery`` items with messages from ``bot.replies``.
Running a day's plan again adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import replies
from garbage.answers import Catalog
from garbage.reminders import PlannedReminder
from garbage.reminders import Subscriber
from garbage.reminders import plan_reminders
from push.lifestage import Person
from push.lifestage import Rule
from push.lifestage import plan as lifestage_plan
from push.outbox import PlannedDelivery
from push.outbox import enqueue
from residents import service as residents

GARBAGE_REMINDER = "garbage-reminder"
LIFESTAGE = "lifestage"
REMINDER_HOUR = 18  # local time of the evening-before garbage reminder
LIFESTAGE_HOUR = 10  # local time of life-stage messages (well outside quiet hours)


@dataclass
class PlanReport:
    """Per planner: how many deliveries it found due and how many of them were new in the outbox."""

    planned: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # planner → why it did not run

    def lines(self) -> list[str]:
        """The report as lines for the terminal."""
        lines = [f"  {kind}: {self.planned[kind]} planned, {self.added[kind]} new" for kind in self.planned]
        return lines + [f"  {kind}: not planned ({reason})" for kind, reason in self.skipped.items()]


def plan_day(session: Session, day: date, *, catalog: Catalog | None, timezone: ZoneInfo,
             reminder_hour: int = REMINDER_HOUR, rules: Sequence[Rule] | None = None) -> PlanReport:
    """Plan every delivery due on ``day`` (local date) into the outbox.

    Add further planners here (life-stage rules, broadcasts), each recording its counts in the report.
    """
    report = PlanReport()
    if catalog is None:
        report.skipped[GARBAGE_REMINDER] = "no garbage data"
    else:
        subscribers = [Subscriber(s.line_user_id, s.area, s.categories)
                       for s in residents.reminder_subscribers(session)]
        planned = plan_reminders(catalog, subscribers, day)
        report.planned[GARBAGE_REMINDER] = len(planned)
        report.added[GARBAGE_REMINDER] = enqueue_garbage_reminders(
            session, planned, send_at_local_hour=reminder_hour, tz=timezone)
    if rules is None:
        report.skipped[LIFESTAGE] = "no life-stage rules"
    else:
        report.planned[LIFESTAGE], report.added[LIFESTAGE] = enqueue_lifestage(session, rules, day, tz=timezone)
    return report


def lifestage_people(profiles: Iterable[residents.PushProfile]) -> Iterator[Person]:
    """Each consenting resident's children (and the resident, when they registered a birth date) as Persons."""
    for profile in profiles:
        for child in profile.children:
            yield Person(f"child-{child.child_id}", profile.line_user_id, "", child.due_date, child.birth_date,
                         profile.categories, profile.stop_baby)
        if profile.birth_date is not None:
            yield Person(f"self-{profile.resident_id}", profile.line_user_id, "", None, profile.birth_date,
                         profile.categories, profile.stop_baby)


def enqueue_lifestage(session: Session, rules: Sequence[Rule], day: date, *, tz: ZoneInfo,
                      send_at_local_hour: int = LIFESTAGE_HOUR) -> tuple[int, int]:
    """Plan the life-stage messages due on ``day`` into the outbox; returns (found due, new in the outbox)."""
    planned = lifestage_plan(rules, lifestage_people(residents.push_profiles(session)), day)
    send_after = local_time(day, send_at_local_hour, tz)
    built: dict[str, list[dict]] = {}

    def items():
        for message in planned:
            if message.text not in built:
                built[message.text] = [m.to_dict() for m in replies.text(message.text)]
            yield PlannedDelivery(key=message.key, line_user_id=message.line_user_id, kind=LIFESTAGE,
                                  messages=built[message.text], send_after=send_after)

    return len(planned), enqueue(session, items())


def local_time(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """``hour`` o'clock on ``day`` in ``tz``, as UTC."""
    return datetime.combine(day, time(hour), tz).astimezone(UTC)


def enqueue_garbage_reminders(session: Session, planned: Sequence[PlannedReminder], *, tz: ZoneInfo,
                              send_at_local_hour: int = REMINDER_HOUR) -> int:
    """Put planned garbage reminders in the outbox for their evening; returns how many rows were new.

    Residents of one area get identical text, so they go together by multicast.
    """
    messages: dict[tuple, list[dict]] = {}

    def items():
        for reminder in planned:
            content = (reminder.area, reminder.collection_day, reminder.categories)
            if content not in messages:
                built = replies.garbage_reminder(reminder.area, reminder.collection_day, reminder.categories)
                messages[content] = [message.to_dict() for message in built]
            yield PlannedDelivery(key=reminder.key, line_user_id=reminder.line_user_id, kind=GARBAGE_REMINDER,
                                  messages=messages[content],
                                  send_after=local_time(reminder.send_on, send_at_local_hour, tz))

    return enqueue(session, items())

"""Planning a day's deliveries into the outbox: what each planner finds due becomes rows, once per key.

``plan_day`` is the one place a planner is added (life-stage rules, garbage reminders…); each planner
turns its domain's plain data into ``PlannedDelivery`` items with messages from ``push.messages``.
Running a day's plan again adds nothing.

A day is planned ``PLAN_CHUNK`` residents at a time, in resident id order, each chunk read, planned and
written in a short write transaction of its own (``db.write_chunks``): a million residents never hold the
database for long, so webhooks keep being answered meanwhile. Keys make every row idempotent, so a plan
that stopped half-way (a crash, a killed worker) is resumed by running it again, and two processes
planning the same day at once add each row once.

The ``cancel_…`` functions take out of the outbox what a resident's settings change made unwanted (a
category switched off, the quiet stop of baby messages, a child removed or its date corrected, one's own
birth date changed, a move to another area, a garbage reminder switched off); they find the rows by what
the planners here write (category, tags, key).
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
from sqlalchemy.orm import sessionmaker

import db
from garbage.answers import Catalog
from garbage.reminders import PlannedReminder
from garbage.reminders import Subscriber
from garbage.reminders import plan_reminders
from push import messages as push_messages
from push.lifestage.planner import Person
from push.lifestage.planner import plan as lifestage_plan
from push.lifestage.rules import Rule
from push.outbox import OpenBatches
from push.outbox import PlannedDelivery
from push.outbox import cancel_queued
from push.outbox import enqueue
from push.outbox import tag_text
from residents import service as residents
from settings import Settings

GARBAGE_REMINDER = "garbage-reminder"
LIFESTAGE = "lifestage"
REMINDER_HOUR = Settings.push_reminder_hour  # local time of the evening-before garbage reminder (default)
LIFESTAGE_HOUR = 10  # local time of life-stage messages (well outside quiet hours)
BABY_TAG = "baby"  # tag of life-stage rows from rules the quiet stop of baby messages silences


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


PLAN_CHUNK = 500  # residents read, planned and written per transaction (a few tens of ms)


def plan_day(factory: sessionmaker[Session], day: date, *, catalog: Catalog | None, timezone: ZoneInfo,
             reminder_hour: int = REMINDER_HOUR, rules: Sequence[Rule] | None = None, chunk: int = PLAN_CHUNK,
             pause: float = db.CHUNK_PAUSE, now: datetime | None = None) -> PlanReport:
    """Plan every delivery due on ``day`` (local date) into the outbox, ``chunk`` residents per transaction.

    Each chunk takes the next residents who may get push (``residents.push_profile_page``) and runs every
    planner on them alone: the garbage reminders of those among them who asked for some, their life-stage
    messages. Add further planners here, each recording its counts in the report. The chunks fill the same
    multicast batches while their time is far enough ahead of ``now`` (``push.outbox.OpenBatches``).
    """
    report = PlanReport()
    if catalog is None:
        report.skipped[GARBAGE_REMINDER] = "no garbage data"
    else:
        report.planned[GARBAGE_REMINDER] = report.added[GARBAGE_REMINDER] = 0
    if rules is None:
        report.skipped[LIFESTAGE] = "no life-stage rules"
    else:
        report.planned[LIFESTAGE] = report.added[LIFESTAGE] = 0
    if catalog is None and rules is None:
        return report
    cursor = 0
    memo: dict = {}  # the life-stage rules firing on each date, worked out once for the day
    batches = OpenBatches(now)

    def step(session: Session) -> bool:
        nonlocal cursor
        page = residents.push_profile_page(session, after=cursor, limit=chunk, details=rules is not None)
        if not page:
            return False
        through = page[-1].resident_id
        if catalog is not None:
            subscribers = [Subscriber(s.line_user_id, s.area, s.categories)
                           for s in residents.reminder_subscribers(session, after=cursor, through=through)]
            planned = plan_reminders(catalog, subscribers, day)
            report.planned[GARBAGE_REMINDER] += len(planned)
            report.added[GARBAGE_REMINDER] += enqueue_garbage_reminders(
                session, planned, send_at_local_hour=reminder_hour, tz=timezone, batches=batches)
        if rules is not None:
            found, added = enqueue_lifestage(session, rules, day, tz=timezone, profiles=page, memo=memo,
                                             batches=batches)
            report.planned[LIFESTAGE] += found
            report.added[LIFESTAGE] += added
        cursor = through
        return len(page) == chunk

    db.write_chunks(factory, step, pause=pause)
    return report


def lifestage_people(profiles: Iterable[residents.PushProfile]) -> Iterator[Person]:
    """Each consenting resident's children (and the resident, when they registered a birth date) as Persons."""
    for profile in profiles:
        for child in profile.children:
            yield Person(child_person_key(child.child_id), profile.line_user_id, "", child.due_date, child.birth_date,
                         profile.categories, profile.stop_baby)
        if profile.birth_date is not None:
            yield Person(self_person_key(profile.resident_id), profile.line_user_id, "", None, profile.birth_date,
                         profile.categories, profile.stop_baby)


def child_person_key(child_id: int) -> str:
    """The person part of a child's life-stage keys (``PlannedMessage.key``)."""
    return f"child-{child_id}"


def self_person_key(resident_id: int) -> str:
    """The person part of the life-stage keys planned from a resident's own birth date."""
    return f"self-{resident_id}"


def enqueue_lifestage(session: Session, rules: Sequence[Rule], day: date, *, tz: ZoneInfo,
                      send_at_local_hour: int = LIFESTAGE_HOUR,
                      profiles: Iterable[residents.PushProfile] | None = None, memo: dict | None = None,
                      batches: OpenBatches | None = None) -> tuple[int, int]:
    """Plan the life-stage messages due on ``day`` into the outbox, for these ``profiles`` (default: every
    resident who may get push); returns (found due, new in the outbox). ``memo``: see
    ``push.lifestage.planner.plan``; ``batches``: ``push.outbox.enqueue``."""
    if profiles is None:
        profiles = residents.push_profiles(session)
    planned = lifestage_plan(rules, lifestage_people(profiles), day, memo=memo)
    send_after = local_time(day, send_at_local_hour, tz)
    built: dict[str, list[dict]] = {}
    baby_rules = {rule.id for rule in rules if rule.baby}
    baby = tag_text([BABY_TAG])

    def items():
        for message in planned:
            if message.text not in built:
                built[message.text] = push_messages.stored(message.text)
            yield PlannedDelivery(key=message.key, line_user_id=message.line_user_id, kind=LIFESTAGE,
                                  messages=built[message.text], send_after=send_after, category=message.category,
                                  tags=baby if message.rule_id in baby_rules else None)

    return len(planned), enqueue(session, items(), batches=batches)


def local_time(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """``hour`` o'clock on ``day`` in ``tz``, as UTC."""
    return datetime.combine(day, time(hour), tz).astimezone(UTC)


def enqueue_garbage_reminders(session: Session, planned: Sequence[PlannedReminder], *, tz: ZoneInfo,
                              send_at_local_hour: int = REMINDER_HOUR, batches: OpenBatches | None = None) -> int:
    """Put planned garbage reminders in the outbox for their evening; returns how many rows were new.

    Residents of one area get identical text, so they go together by multicast.
    """
    messages: dict[tuple, list[dict]] = {}
    tags: dict[tuple[str, ...], str | None] = {}

    def items():
        for reminder in planned:
            content = (reminder.area, reminder.collection_day, reminder.categories)
            if content not in messages:
                messages[content] = push_messages.garbage_reminder(reminder.area, reminder.collection_day,
                                                                   reminder.categories)
            if reminder.categories not in tags:
                tags[reminder.categories] = tag_text(reminder.categories)
            yield PlannedDelivery(key=reminder.key, line_user_id=reminder.line_user_id, kind=GARBAGE_REMINDER,
                                  messages=messages[content],
                                  send_after=local_time(reminder.send_on, send_at_local_hour, tz),
                                  tags=tags[reminder.categories])

    return enqueue(session, items(), batches=batches)


# ---- settings changes: cancel what is queued and no longer wanted -------------------------------------------
# Only rows not yet tried are cancelled, alone or in a batch never tried (see push.outbox.cancel_queued);
# each returns how many rows it cancelled.


def cancel_category(session: Session, line_user_id: str, category: str, reason: str = "category-off") -> int:
    """The resident switched a push category off: cancel their queued rows planned under it.

    Broadcasts carry no category (their segment was applied when they were planned) and are kept.
    """
    return cancel_queued(session, line_user_id, category=category, reason=reason)


def cancel_baby(session: Session, line_user_id: str, reason: str = "baby-messages-stopped") -> int:
    """The quiet stop of pregnancy and baby messages: cancel queued life-stage rows of ``baby`` rules."""
    return cancel_queued(session, line_user_id, kind=LIFESTAGE, tags=[BABY_TAG], reason=reason)


def cancel_child(session: Session, line_user_id: str, child_id: int, reason: str = "child-changed") -> int:
    """A child was removed or its due or birth date changed: cancel the life-stage rows queued for it.

    They were planned from the old date; the planner plans the new date's messages on their days.
    """
    return cancel_queued(session, line_user_id, kind=LIFESTAGE, key_part=child_person_key(child_id), reason=reason)


def cancel_own(session: Session, line_user_id: str, resident_id: int, reason: str = "birth-date-changed") -> int:
    """The resident's own birth date changed or was removed: cancel the life-stage rows queued from the old one."""
    return cancel_queued(session, line_user_id, kind=LIFESTAGE, key_part=self_person_key(resident_id), reason=reason)


def cancel_area_reminders(session: Session, line_user_id: str, reason: str = "area-changed") -> int:
    """The resident moved to another area: cancel the garbage reminders queued for the old one."""
    return cancel_queued(session, line_user_id, kind=GARBAGE_REMINDER, reason=reason)


def cancel_garbage_reminders(session: Session, line_user_id: str, categories: Iterable[str],
                             reason: str = "reminder-off") -> int:
    """Garbage reminder categories were switched off: cancel the queued reminders naming any of them.

    A reminder names every category collected that day, so one that also names a category still chosen is
    cancelled too (it would remind of one the resident switched off).
    """
    return cancel_queued(session, line_user_id, kind=GARBAGE_REMINDER, tags=categories, reason=reason)

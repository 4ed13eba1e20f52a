"""Planning garbage reminders into the outbox: one row per resident and day, multicastable by area."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from garbage.reminders import PlannedReminder
from push import messages as push_messages
from push.planning import enqueue_garbage_reminders
from tests.push.helpers import rows
from tests.push.helpers import user

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = date(2026, 11, 30)


def reminders() -> list[PlannedReminder]:
    return [PlannedReminder(user(1), "大町", MONDAY, ("燃やせるごみ",)),
            PlannedReminder(user(2), "大町", MONDAY, ("燃やせるごみ",)),
            PlannedReminder(user(3), "港町", MONDAY, ("燃やせるごみ", "缶"))]


def test_reminders_go_out_at_18_local_time_the_evening_before(factory, session):
    """A reminder for Monday is due at 18:00 JST on Sunday, keyed by resident and collection day."""
    with factory.begin() as s:
        assert enqueue_garbage_reminders(s, reminders(), tz=TOKYO) == 3
    first = rows(session)[0]
    assert first.key == f"garbage-reminder:{user(1)}:2026-11-30"
    assert first.send_after == datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert (first.kind, first.personal) == ("garbage-reminder", False)


def test_residents_of_one_area_share_the_content(factory, session):
    """Two 大町 residents get the same messages (one multicast); 港町 gets its own."""
    with factory.begin() as s:
        enqueue_garbage_reminders(s, reminders(), tz=TOKYO)
    a, b, c = rows(session)
    assert a.content_hash == b.content_hash != c.content_hash
    assert a.messages == push_messages.garbage_reminder("大町", MONDAY, ("燃やせるごみ",))


def test_a_reminder_is_tagged_with_the_categories_it_names(factory, session):
    """Switching one of them off can find it: tags "|燃やせるごみ|缶|", and no push category."""
    with factory.begin() as s:
        enqueue_garbage_reminders(s, reminders(), tz=TOKYO)
    assert [(row.category, row.tags) for row in rows(session)][2] == (None, "|燃やせるごみ|缶|")


def test_planning_the_same_evening_twice_adds_nothing(factory):
    """A second run of the same reminders finds every key already in the outbox."""
    with factory.begin() as s:
        enqueue_garbage_reminders(s, reminders(), tz=TOKYO)
    with factory.begin() as s:
        assert enqueue_garbage_reminders(s, reminders(), tz=TOKYO) == 0

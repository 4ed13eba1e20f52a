"""Evening-before garbage reminders: who is planned, for what, and never twice a day."""

from __future__ import annotations

from datetime import date

from garbage.answers import Catalog
from garbage.calendar import CalendarPolicy
from garbage.reminders import Subscriber
from garbage.reminders import plan_reminders
from garbage.schedule import CalendarChange
from garbage.schedule import MonthlyNth
from garbage.schedule import Schedule
from garbage.schedule import Weekly
from search.areas import AreaInfo

# Mondays and Thursdays: burnable; 1st and 3rd Tuesday: cans.
CATALOG = Catalog(
    items=[],
    categories={},
    areas=[AreaInfo("大町"), AreaInfo("港町")],
    schedules={
        "大町": {"燃やせるごみ": Schedule((Weekly(frozenset({0, 3})),)),
                 "缶": Schedule((MonthlyNth(1, frozenset({1, 3})),))},
        "港町": {"燃やせるごみ": Schedule((Weekly(frozenset({1, 4})),))},
    },
    policies={"大町": CalendarPolicy(changes=(CalendarChange(date(2026, 12, 31), None, None),))},
)


def test_the_evening_before_a_collection_plans_one_reminder_per_resident():
    """On Sunday 2026-11-29 evening, 大町 residents are reminded of Monday's burnable garbage."""
    planned = plan_reminders(CATALOG, [Subscriber("U1", "大町", frozenset({"燃やせるごみ", "缶"}))], date(2026, 11, 29))
    assert [(p.line_user_id, p.collection_day, p.categories) for p in planned] == [
        ("U1", date(2026, 11, 30), ("燃やせるごみ",))]
    assert planned[0].send_on == date(2026, 11, 29)


def test_several_categories_on_one_day_share_one_reminder():
    """Tuesday 2026-12-01 (1st Tuesday) brings cans only in 大町; a subscriber to both gets one message."""
    planned = plan_reminders(CATALOG, [Subscriber("U1", "大町", frozenset({"燃やせるごみ", "缶"}))], date(2026, 11, 30))
    assert [p.categories for p in planned] == [("缶",)]


def test_unsubscribed_categories_are_not_reminded():
    """A resident who chose only cans hears nothing before a burnable day."""
    assert plan_reminders(CATALOG, [Subscriber("U1", "大町", frozenset({"缶"}))], date(2026, 11, 29)) == []


def test_pack_changes_cancel_reminders():
    """No reminder on 12/30 evening when the pack cancels 12/31 (a Thursday) collection."""
    assert plan_reminders(CATALOG, [Subscriber("U1", "大町", frozenset({"燃やせるごみ"}))], date(2026, 12, 30)) == []


def test_each_area_uses_its_own_calendar():
    """港町 (Tue/Fri) residents are not reminded on the evening before 大町's Monday."""
    subscribers = [Subscriber("U1", "大町", frozenset({"燃やせるごみ"})), Subscriber("U2", "港町", frozenset({"燃やせるごみ"}))]
    planned = plan_reminders(CATALOG, subscribers, date(2026, 11, 29))
    assert [p.line_user_id for p in planned] == ["U1"]


def test_unknown_areas_are_skipped():
    """A resident whose stored area no longer exists is not planned."""
    assert plan_reminders(CATALOG, [Subscriber("U1", "消えた町", frozenset({"燃やせるごみ"}))], date(2026, 11, 29)) == []


def test_the_outbox_key_is_one_per_resident_and_day():
    """Planning the same evening twice gives the same keys, so the outbox stores each reminder once."""
    subscriber = [Subscriber("U1", "大町", frozenset({"燃やせるごみ"}))]
    first = plan_reminders(CATALOG, subscriber, date(2026, 11, 29))
    again = plan_reminders(CATALOG, subscriber, date(2026, 11, 29))
    assert [p.key for p in first] == [p.key for p in again] == ["garbage-reminder:U1:2026-11-30"]

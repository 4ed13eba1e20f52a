"""Quiet hours: non-emergency sends wait for the end of the night; emergencies go at once; empty turns off."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

import runtime
from push import quiet
from push.quiet import EMERGENCY_KIND
from push.quiet import REPLY_KIND
from tests.conftest import NOW
from tests.push.helpers import received

TOKYO = ZoneInfo("Asia/Tokyo")
NIGHT = quiet.parse("21:00-08:00")


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TOKYO)


def test_a_send_at_21_30_moves_to_08_00_the_next_morning():
    """21:30 local is moved to 08:00 the next day, returned as UTC."""
    moved = quiet.next_allowed(jst(20, 21, 30).astimezone(UTC), NIGHT, TOKYO)
    assert moved == jst(21, 8).astimezone(UTC) and moved.tzinfo == UTC


def test_a_send_after_midnight_moves_to_08_00_the_same_morning():
    """03:00 local is moved to 08:00 that morning."""
    assert quiet.next_allowed(jst(21, 3).astimezone(UTC), NIGHT, TOKYO) == jst(21, 8).astimezone(UTC)


def test_a_send_outside_quiet_hours_is_unchanged():
    """20:59 and 08:00 local are not in quiet hours."""
    for moment in (jst(20, 20, 59), jst(21, 8)):
        assert quiet.next_allowed(moment.astimezone(UTC), NIGHT, TOKYO) == moment.astimezone(UTC)


def test_empty_setting_turns_quiet_hours_off():
    """An empty PUSH_QUIET_HOURS parses to None and leaves every time as it is."""
    assert quiet.parse("") is None
    assert quiet.next_allowed(jst(20, 23).astimezone(UTC), quiet.parse(""), TOKYO) == jst(20, 23).astimezone(UTC)


def test_a_malformed_setting_is_refused():
    """A setting that is not like 21:00-08:00 raises ValueError."""
    with pytest.raises(ValueError, match="PUSH_QUIET_HOURS"):
        quiet.parse("9pm to 8am")


def test_the_app_default_is_21_to_8(app):
    """The app's default PUSH_QUIET_HOURS is 21:00-08:00."""
    assert runtime.of(app).settings.push_quiet_hours == "21:00-08:00"


def test_the_sender_holds_a_due_row_during_quiet_hours(add_residents, plan, send, line_api):
    """A row due at 21:30 local stays pending while quiet hours last and is sent once they end."""
    users = add_residents(2)
    late = jst(20, 21, 30).astimezone(UTC)  # NOW is 12:00 local on 11/20
    plan(users, send_after=late)
    minutes_to = (late - NOW) / timedelta(minutes=1)
    held = send(minutes_to + 1, quiet=NIGHT, timezone=TOKYO)
    assert held.requests == 0 and not line_api.multicasts
    morning = (jst(21, 8).astimezone(UTC) - NOW) / timedelta(minutes=1)
    report = send(morning, quiet=NIGHT, timezone=TOKYO)
    assert report.sent == 2 and received(line_api) == Counter(users)


def test_the_sender_sends_emergency_rows_during_quiet_hours(add_residents, plan, send, line_api):
    """An emergency row due at 23:00 local is sent at once."""
    users = add_residents(2)
    late = jst(20, 23).astimezone(UTC)
    plan(users, kind=EMERGENCY_KIND, send_after=late)
    report = send((late - NOW) / timedelta(minutes=1), quiet=NIGHT, timezone=TOKYO)
    assert report.sent == 2 and received(line_api) == Counter(users)


def test_the_sender_sends_answers_to_residents_during_quiet_hours(add_residents, plan, send, line_api):
    """A pushed answer to a resident's own message (its reply failed) at 23:00 local is sent at once."""
    users = add_residents(1)
    late = jst(20, 23).astimezone(UTC)
    plan(users, kind=REPLY_KIND, personal=True, send_after=late)
    report = send((late - NOW) / timedelta(minutes=1), quiet=NIGHT, timezone=TOKYO)
    assert report.sent == 1 and [to for to, _m, _k in line_api.pushes] == users


def test_a_multicast_failing_before_quiet_hours_retries_after_them(add_residents, plan, send, line_api):
    """A batch that got a 500 at 20:59 is not retried at night, but at 08:00, under the same retry key."""
    users = add_residents(2)
    evening = jst(20, 20, 59).astimezone(UTC)
    plan(users, send_after=evening)
    line_api.fail_next(500, path="/v2/bot/message/multicast")
    at = (evening - NOW) / timedelta(minutes=1)
    assert send(at, quiet=NIGHT, timezone=TOKYO).retried == 2
    assert send(at + 30, quiet=NIGHT, timezone=TOKYO).requests == 0
    morning = (jst(21, 8).astimezone(UTC) - NOW) / timedelta(minutes=1)
    assert send(morning, quiet=NIGHT, timezone=TOKYO).sent == 2
    first, second = [r for r in line_api.requests if r.path == "/v2/bot/message/multicast"]
    assert first.headers["X-Line-Retry-Key"] == second.headers["X-Line-Retry-Key"]
    assert received(line_api) == Counter(users)


def test_an_emergency_multicast_is_retried_during_quiet_hours(add_residents, plan, send, line_api):
    """An emergency batch that got a 500 at 23:00 is retried at night."""
    users = add_residents(2)
    late = jst(20, 23).astimezone(UTC)
    plan(users, kind=EMERGENCY_KIND, send_after=late)
    line_api.fail_next(500, path="/v2/bot/message/multicast")
    at = (late - NOW) / timedelta(minutes=1)
    assert send(at, quiet=NIGHT, timezone=TOKYO).retried == 2
    assert send(at + 30, quiet=NIGHT, timezone=TOKYO).sent == 2

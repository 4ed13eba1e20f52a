"""Replies every conversation uses: the greeting that fits the time of day."""

from __future__ import annotations

from datetime import time

import pytest

from bot.replies.common import greeting_for


@pytest.mark.parametrize(("local_time", "hello"), [
    (time(4, 0), "おはようございます"), (time(7, 30), "おはようございます"), (time(9, 59), "おはようございます"),
    (time(10, 0), "こんにちは"), (time(12, 0), "こんにちは"), (time(17, 59), "こんにちは"),
    (time(18, 0), "こんばんは"), (time(23, 30), "こんばんは"), (time(0, 0), "こんばんは"), (time(3, 59), "こんばんは"),
])
def test_the_greeting_fits_the_time_of_day(local_time, hello):
    """Morning, day and evening each get their own greeting, whatever greeting the resident sent."""
    assert greeting_for(local_time) == hello


def test_without_a_time_the_greeting_is_the_day_one():
    """When the time is not known, the greeting is こんにちは."""
    assert greeting_for(None) == "こんにちは"

"""The suite's log scan (tests/log_scan.py) finds what logs must never hold."""

from __future__ import annotations

import logging

from tests import log_scan


def test_a_user_id_in_a_log_line_is_found():
    """A LINE user id anywhere in a line (message or extra field) is reported."""
    found = log_scan.leaks(["INFO bot x user=U123"], [], ["U123"], [])
    assert found and "user id" in found[0][0]


def test_a_resident_text_is_found():
    """A text a resident sent is reported when a line quotes it."""
    assert log_scan.leaks(["INFO q text=住民票がほしい"], [], [], ["住民票がほしい"])


def test_a_clean_line_is_not_reported():
    """A line with a pseudonym and an outcome only is fine."""
    assert log_scan.leaks(["INFO query.answered outcome=faq user=3fa9c1"], ["secret"], ["U123"], ["住民票"]) == []


def test_the_handler_keeps_extra_fields(caplog):
    """What the scan reads includes the extra fields, where a leak would most likely be."""
    logging.getLogger("bot.test").warning("event", extra={"user": "U999"})
    assert any("user=U999" in line for line in log_scan.HANDLER.lines)

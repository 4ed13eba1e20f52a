"""Log lines carry their fields, and resident messages never reach the logs."""

from __future__ import annotations

import logging

from logconfig import KeyValueFormatter
from tests import factories


def test_extra_fields_are_appended_as_key_value():
    """A record's extra fields follow its event name."""
    record = logging.LogRecord("bot", logging.INFO, "", 0, "query.answered", (), None)
    record.outcome, record.score = "faq", 0.93
    assert KeyValueFormatter("%(message)s").format(record) == "query.answered outcome=faq score=0.93"


def test_webhook_logs_neither_message_text_nor_user_id(post_webhook, faq, caplog):
    """Handling a message logs events with a pseudonym, never the text or the LINE user id."""
    with caplog.at_level(logging.DEBUG):
        post_webhook(factories.body(factories.text_event("住民票の写しを取りたい")))
    formatter = KeyValueFormatter("%(message)s")
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "query.answered" in logged
    assert factories.USER_ID not in logged
    assert "住民票" not in logged

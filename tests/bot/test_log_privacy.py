"""What residents write, and who they are, never reaches the log output: a handful of webhooks of every
kind, a failing event and a failing reply are run and everything logged is scanned."""

from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa

from bot import postbacks
from bot import querylog
from logconfig import KeyValueFormatter
from tests import factories

USER = "U" + "7" * 32
TEXTS = [
    "本町1丁目2番3号の山田です。粗大ごみを出したいので090-1234-5678に電話ください",
    "住民票の写しを郵送で taro.yamada@example.jp に",
    "胸が苦しくて息ができない",
    "データ削除",
]


@pytest.fixture
def logged():
    """Everything logged at any level while the test runs, formatted as in production (fields and tracebacks)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield out
    root.removeHandler(handler)
    root.setLevel(previous)


def assert_private(output: str) -> None:
    assert output, "nothing was logged: the scan would prove nothing"
    assert USER not in output
    for text in TEXTS:
        assert text not in output
    for part in ("090-1234-5678", "taro.yamada", "1丁目2番3号", "山田", "息ができない"):
        assert part not in output


def test_a_session_of_webhooks_logs_no_text_and_no_user_id(post_webhook, faq, logged):
    """Follow, texts with contact details and health words, a location, postbacks, a redelivery and unfollow
    leave no message text and no LINE user id in the logs."""
    events = [factories.follow_event(user_id=USER)]
    events += [factories.text_event(text, user_id=USER) for text in TEXTS]
    events += [factories.location_event(user_id=USER),
               factories.postback_event(postbacks.encode(postbacks.DELETE, c="yes"), user_id=USER)]
    for event in events:
        assert post_webhook(factories.body(event)).status_code == 200
    assert post_webhook(factories.body(events[1])).status_code == 200  # a redelivery
    assert post_webhook(factories.body(factories.unfollow_event(user_id=USER))).status_code == 200
    assert "query.answered" in logged.getvalue()
    assert_private(logged.getvalue())


def test_a_database_error_while_answering_logs_no_parameters(post_webhook, faq, logged, monkeypatch):
    """A database error in the middle of an event is logged with its traceback, but the statement's parameters
    (the text and the user id) are not in it."""

    def failing_record(ctx, user_id, query, outcome, **_fields):
        ctx.session.execute(sa.text("INSERT INTO no_such_table (who, what) VALUES (:who, :what)"),
                            {"who": user_id, "what": query.text})

    monkeypatch.setattr(querylog, "record", failing_record)
    assert post_webhook(factories.body(factories.text_event(TEXTS[0], user_id=USER))).status_code == 200
    assert "webhook.event_failed" in logged.getvalue() and "no_such_table" in logged.getvalue()
    assert_private(logged.getvalue())


def test_a_failing_reply_logs_no_text_and_no_user_id(post_webhook, faq, line_api, logged):
    """When LINE refuses the reply, the failure is logged without the message or the user id."""
    line_api.fail_next(500)
    assert post_webhook(factories.body(factories.text_event(TEXTS[1], user_id=USER))).status_code == 200
    assert "line.reply_failed" in logged.getvalue() or "line.api.failed" in logged.getvalue()
    assert_private(logged.getvalue())

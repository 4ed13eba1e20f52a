"""Several processes share one database: a duplicated event is handled once even when both arrive at once."""

from __future__ import annotations

import json
import threading

from tests import factories


def test_same_event_posted_twice_at_once_is_handled_once(app, line_api):
    """Two requests carrying the same event at the same moment send exactly one reply."""
    raw = factories.body(factories.text_event("こんにちは"))
    start = threading.Barrier(2)
    statuses, errors = [], []

    def post():
        try:
            client = app.test_client()
            start.wait()
            statuses.append(client.post("/callback", data=raw, content_type="application/json",
                                        headers={"X-Line-Signature": factories.sign(raw)}).status_code)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [200, 200]
    assert len(line_api.replies) == 1
    assert json.dumps(line_api.violations) == "[]"

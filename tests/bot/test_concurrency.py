"""Several processes share one database: a duplicated event is handled once even when both arrive at once."""

from __future__ import annotations

import json
import threading

from bot.events import process_events
from tests import factories


def test_same_event_posted_twice_at_once_is_handled_once(app, line_api):
    """Two workers receiving the same event concurrently send exactly one reply."""
    parser = app.extensions["bot"].parser
    raw = factories.body(factories.text_event("こんにちは"))
    events = parser.parse(raw, factories.sign(raw))
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            with app.app_context():
                start.wait()
                process_events(events)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(line_api.replies) == 1
    assert json.dumps(line_api.violations) == "[]"

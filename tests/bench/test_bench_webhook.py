"""The webhook benchmark's parts: the floor app checks the signature, the sink notes when each reply came."""

from __future__ import annotations

import http.client
import json
import subprocess
import time

import pytest

from bench import bench_webhook
from bench import line_sink


@pytest.fixture
def floor(monkeypatch):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", bench_webhook.SECRET)
    import importlib

    from bench import minimal_webhook

    return importlib.reload(minimal_webhook).app.test_client()


def test_the_floor_answers_a_signed_webhook_and_refuses_a_forged_one(floor):
    """The floor does the signature check the bot does: 200 when it matches, 400 when it does not."""
    raw = bench_webhook.body(1)
    headers = {"Content-Type": "application/json"}
    assert floor.post("/callback", data=raw, headers={**headers, "X-Line-Signature": bench_webhook.sign(raw)}
                      ).status_code == 200
    assert floor.post("/callback", data=raw, headers={**headers, "X-Line-Signature": "forged"}).status_code == 400


def test_the_sink_notes_when_each_reply_token_arrived():
    """A reply's token is noted with the time it came; a push is answered but not noted."""
    port = bench_webhook.free_port()
    sink = subprocess.Popen(line_sink.command(port), cwd=bench_webhook.ROOT)
    def post(path: str, payload: dict) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("POST", path, json.dumps(payload), {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                before = time.monotonic()
                assert post("/v2/bot/message/reply", {"replyToken": bench_webhook.token_of(7), "messages": []}) == 200
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert post("/v2/bot/message/push", {"to": "U1", "messages": []}) == 200
        seen = bench_webhook.replies(port)
        assert list(seen) == [bench_webhook.token_of(7)]
        assert before <= seen[bench_webhook.token_of(7)] <= time.monotonic()
    finally:
        sink.terminate()
        sink.wait(10)

"""The fake LINE API: raw HTTP in, so the SDK's own model validation cannot hide a broken request."""

from __future__ import annotations

import http.client
import json
import socket
import uuid
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlparse

import pytest
from openapi_core.testing import MockRequest
from openapi_core.testing import MockResponse

from tests.fake_line_server import FakeLineApi
from tests.fake_line_server import closed_port_url
from tests.fake_line_server import line_openapi
from tests.fake_line_server import spec_name
from tests.fake_line_server import spec_path

# The fake LINE API fixtures (line_server, line_api, sdk_line_client), until conftest imports them.

PUSH = "/v2/bot/message/push"
REPLY = "/v2/bot/message/reply"
MULTICAST = "/v2/bot/message/multicast"
STATISTICS = "/v2/bot/insight/message/event/aggregation"
USER = "U4af4980629aaaaaaaaaaaaaaaaaaaaaaaa"


def send(
    server: FakeLineApi,
    path: str,
    body: Any = None,
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    token: str | None = "test-token",
) -> tuple[int, dict[str, str], Any]:
    """Send one request with http.client; return status, lower-cased headers and the parsed JSON body."""
    all_headers = {"Content-Type": "application/json"} if body is not None else {}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    connection = http.client.HTTPConnection("127.0.0.1", urlparse(server.url).port, timeout=5)
    try:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            json.loads(raw) if raw else None,
        )
    finally:
        connection.close()


def text(value: str = "こんにちは", *, quick_reply: dict | None = None) -> dict:
    message = {"type": "text", "text": value}
    return message if quick_reply is None else {**message, "quickReply": quick_reply}


def quick_reply(*actions: dict) -> dict:
    return {"items": [{"type": "action", "action": action} for action in actions]}


def push_body(*messages: dict) -> dict:
    return {"to": USER, "messages": list(messages) or [text()]}


def new_key() -> dict[str, str]:
    return {"X-Line-Retry-Key": str(uuid.uuid4())}


def statistics(unit: str = "broadcast_1", since: str = "20261101", until: str = "20261130", **extra: str) -> str:
    """The path and query of a per-unit statistics request."""
    return f"{STATISTICS}?{urlencode({'customAggregationUnit': unit, 'from': since, 'to': until, **extra})}"


def assert_rule(server: FakeLineApi, rule: str) -> None:
    assert any(f" {rule}" in v for v in server.violations), server.violations


class TestSpecRules:
    """Requests that LINE's OpenAPI spec itself forbids (found by openapi-core)."""

    @pytest.mark.parametrize(
        ("body", "headers", "rule"),
        [
            pytest.param({"messages": [text()]}, {}, "spec.required", id="push-without-to"),
            pytest.param(
                push_body(*[text(str(i)) for i in range(6)]), {}, "spec.maxItems", id="six-messages"
            ),
            pytest.param(push_body(), {"X-Line-Retry-Key": "not-a-uuid"}, "spec.format", id="retry-key"),
            pytest.param(
                push_body(
                    text(quick_reply=quick_reply(*[{"type": "message", "label": "a", "text": "a"}] * 14))
                ),
                {},
                "spec.maxItems",
                id="fourteen-quick-replies",
            ),
        ],
    )
    def test_spec_violation_is_rejected_and_recorded(self, line_api, body, headers, rule):
        """A push the spec forbids gets 400 with details and a violation naming the spec rule."""
        status, _headers, answer = send(line_api, PUSH, body, headers=headers)

        assert status == 400
        assert answer["details"]
        assert_rule(line_api, rule)
        assert line_api.pushes == []

    def test_multicast_to_more_than_500_users_is_rejected(self, line_api):
        """A multicast to 501 users is rejected (spec maxItems and the fake's own limit)."""
        body = {"to": [f"U{i:032x}" for i in range(501)], "messages": [text()]}

        status, _headers, _answer = send(line_api, MULTICAST, body, headers=new_key())

        assert status == 400
        assert_rule(line_api, "spec.maxItems")
        assert_rule(line_api, "multicast-to")

    def test_missing_bearer_token_gets_401(self, line_api):
        """A request without ``Authorization: Bearer`` gets 401."""
        status, _headers, answer = send(line_api, PUSH, push_body(), token=None)

        assert status == 401
        assert "Authentication failed" in answer["message"]
        assert_rule(line_api, "auth")

    def test_body_over_2_mb_gets_413(self, line_api):
        """A request body over LINE's 2 MB limit gets 413."""
        status, _headers, _answer = send(line_api, PUSH, push_body(text("a" * (2 * 1024 * 1024))))

        assert status == 413
        assert_rule(line_api, "body-size")

    def test_unknown_path_gets_404(self, line_api):
        """A path that is not in the spec gets 404 and counts as a violation."""
        status, _headers, _answer = send(line_api, "/v2/bot/message/pushh", push_body())

        assert status == 404
        assert_rule(line_api, "spec.path")


class TestLimitsTheSpecLeavesOut:
    """Limits from LINE's reference that the spec does not state (line-platform.md §2, §12)."""

    @pytest.mark.parametrize(
        ("message", "rule", "where"),
        [
            pytest.param(text("あ" * 6000), "text-length", "messages[0].text", id="6000-char-text"),
            pytest.param(text("😀" * 2501), "text-length", "messages[0].text", id="emoji-count-twice"),
            pytest.param({"type": "text"}, "text-required", "messages[0].text", id="text-without-text"),
            pytest.param(text(""), "text-required", "messages[0].text", id="empty-text"),
            pytest.param({"type": "carousel"}, "message-type", "messages[0].type", id="unknown-type"),
            pytest.param(
                text(quick_reply=quick_reply({"type": "message", "label": "あ" * 21, "text": "a"})),
                "quick-reply-label",
                "messages[0].quickReply.items[0].action.label",
                id="21-char-label",
            ),
            pytest.param(
                text(quick_reply=quick_reply({"type": "message", "text": "a"})),
                "quick-reply-label",
                "messages[0].quickReply.items[0].action.label",
                id="missing-label",
            ),
            pytest.param(
                text(quick_reply=quick_reply({"type": "postback", "label": "a", "data": "d" * 301})),
                "postback-data",
                "messages[0].quickReply.items[0].action.data",
                id="301-char-postback-data",
            ),
            pytest.param(
                text(
                    quick_reply=quick_reply(
                        {"type": "postback", "label": "a", "data": "d", "displayText": "t" * 301}
                    )
                ),
                "postback-display-text",
                "messages[0].quickReply.items[0].action.displayText",
                id="301-char-display-text",
            ),
            pytest.param(
                text(quick_reply=quick_reply({"type": "message", "label": "a", "text": "t" * 301})),
                "message-action-text",
                "messages[0].quickReply.items[0].action.text",
                id="301-char-message-action",
            ),
            pytest.param(
                text(
                    quick_reply=quick_reply(
                        {"type": "uri", "label": "a", "uri": "https://x.example/" + "a" * 990}
                    )
                ),
                "uri-length",
                "messages[0].quickReply.items[0].action.uri",
                id="1008-char-uri",
            ),
            pytest.param(
                {
                    "type": "template",
                    "altText": "a",
                    "template": {
                        "type": "buttons",
                        "text": "t",
                        "actions": [{"type": "postback", "label": "a", "data": "d" * 301}],
                    },
                },
                "postback-data",
                "messages[0].template.actions[0].data",
                id="template-postback-data",
            ),
        ],
    )
    def test_limit_is_rejected_with_rule_and_path(self, line_api, message, rule, where):
        """A message over a limit the spec leaves out gets 400 and a violation naming the rule and path."""
        status, _headers, answer = send(line_api, PUSH, push_body(message))

        assert status == 400
        assert f"{rule} at {where}:" in " ".join(line_api.violations)
        assert where in [d["property"] for d in answer["details"]]

    @pytest.mark.parametrize(
        "message",
        [
            pytest.param(text("あ" * 5000), id="5000-kana"),
            pytest.param(text("😀" * 2500), id="2500-emoji"),
            pytest.param(
                text(
                    quick_reply=quick_reply(
                        {"type": "message", "label": "あ" * 20, "text": "t" * 300},
                        {"type": "postback", "label": "b", "data": "d" * 300, "displayText": "t" * 300},
                    )
                ),
                id="labels-and-data-at-the-limit",
            ),
        ],
    )
    def test_message_at_the_limit_is_accepted(self, line_api, message):
        """A message exactly at the limits is accepted without violations."""
        status, _headers, _answer = send(line_api, PUSH, push_body(message))

        assert status == 200
        assert line_api.violations == []


class TestBehaviour:
    """What the fake simulates beyond validation."""

    def test_valid_push_has_no_violations_and_is_recorded(self, line_api):
        """A valid push gets 200, sentMessages and a request id, and is recorded as a delivery."""
        headers = new_key()

        status, answer_headers, answer = send(
            line_api, PUSH, push_body(text("ごみの日です")), headers=headers
        )

        assert status == 200
        assert line_api.violations == []
        assert answer_headers["x-line-request-id"]
        assert [set(m) for m in answer["sentMessages"]] == [{"id", "quoteToken"}]
        assert line_api.pushes == [(USER, [text("ごみの日です")], headers["X-Line-Retry-Key"])]
        assert line_api.consumption == 1

    def test_reply_token_works_once(self, line_api):
        """A reply token used a second time gets 400 "Invalid reply token" and is not recorded again."""
        body = {"replyToken": "token-1", "messages": [text()]}

        first, _headers, _answer = send(line_api, REPLY, body)
        second, _headers, answer = send(line_api, REPLY, body)

        assert (first, second) == (200, 400)
        assert answer == {"message": "Invalid reply token"}
        assert line_api.replies == [("token-1", [text()])]
        assert line_api.violations == []

    def test_repeated_retry_key_gets_409_with_the_accepted_request_id(self, line_api):
        """A push repeated with the same retry key gets 409 naming the first request and is not sent again."""
        headers = new_key()

        first, first_headers, _answer = send(line_api, PUSH, push_body(), headers=headers)
        second, second_headers, answer = send(line_api, PUSH, push_body(), headers=headers)

        assert (first, second) == (200, 409)
        assert second_headers["x-line-accepted-request-id"] == first_headers["x-line-request-id"]
        assert answer["message"] == "The retry key is already accepted"
        assert len(line_api.pushes) == 1
        assert line_api.consumption == 1
        assert line_api.violations == []

    def test_retry_key_reused_with_another_body_is_a_violation(self, line_api):
        """Reusing a retry key for a different body is flagged: a retry must resend the same request."""
        headers = new_key()

        send(line_api, PUSH, push_body(text("一回目")), headers=headers)
        send(line_api, PUSH, push_body(text("二回目")), headers=headers)

        assert_rule(line_api, "retry-key-reuse")

    def test_quota_and_consumption(self, line_api):
        """Quota is the configured limit and consumption counts pushed and multicast recipients."""
        send(line_api, PUSH, push_body(), headers=new_key())
        send(line_api, MULTICAST, {"to": ["U1", "U2", "U3"], "messages": [text()]}, headers=new_key())

        _status, _headers, quota = send(line_api, "/v2/bot/message/quota", method="GET")
        _status, _headers, consumption = send(line_api, "/v2/bot/message/quota/consumption", method="GET")

        assert quota == {"type": "limited", "value": 1000}
        assert consumption == {"totalUsage": 4}

    def test_enforced_quota_answers_429_when_the_month_is_used_up(self):
        """With enforce_quota, a multicast that would go over the monthly limit gets LINE's 429."""
        with FakeLineApi(quota=2, enforce_quota=True) as server:
            body = {"to": ["U1", "U2", "U3"], "messages": [text()]}
            status, _headers, answer = send(server, MULTICAST, body, headers=new_key())

            assert status == 429
            assert answer == {"message": "You have reached your monthly limit."}
            assert (server.multicasts, server.consumption) == ([], 0)

    def test_injected_failure_is_answered_and_not_delivered(self, line_api):
        """fail_next answers with the status and Retry-After, and the same retry key then succeeds."""
        headers = new_key()
        line_api.fail_next(429, path=PUSH, retry_after=7)

        first, first_headers, answer = send(line_api, PUSH, push_body(), headers=headers)
        second, _headers, _answer = send(line_api, PUSH, push_body(), headers=headers)

        assert (first, second) == (429, 200)
        assert first_headers["retry-after"] == "7"
        assert answer["message"]
        assert len(line_api.pushes) == 1
        assert [r.injected for r in line_api.requests] == [True, False]
        assert line_api.violations == []

    def test_injected_failure_only_hits_its_path_and_count(self, line_api):
        """A fault for one path leaves other paths alone and stops after ``times`` requests."""
        line_api.fail_next(500, times=2, path=MULTICAST)

        statuses = [
            send(line_api, PUSH, push_body(), headers=new_key())[0],
            send(line_api, MULTICAST, {"to": ["U1"], "messages": [text()]}, headers=new_key())[0],
            send(line_api, MULTICAST, {"to": ["U1"], "messages": [text()]}, headers=new_key())[0],
            send(line_api, MULTICAST, {"to": ["U1"], "messages": [text()]}, headers=new_key())[0],
        ]

        assert statuses == [200, 500, 500, 200]

    def test_hung_request_is_held_then_answered_504_without_being_handled(self, line_api):
        """hang_next holds a request, answers 504 and sends nothing: the reply token stays unused."""
        line_api.hang_next(0.2, path=REPLY)
        body = {"replyToken": "token-h", "messages": [text()]}

        first, _headers, _answer = send(line_api, REPLY, body)
        second, _headers, _answer = send(line_api, REPLY, body)

        assert (first, second) == (504, 200)
        assert line_api.replies == [("token-h", [text()])]
        assert [r.injected for r in line_api.requests] == [True, False]

    def test_a_client_that_hangs_up_mid_body_is_neither_recorded_nor_a_crash(self, line_api):
        """A sender killed while writing its body (the connection closes before Content-Length bytes came) is
        what LINE would see as a dropped request: nothing recorded, no violation, and the next request works."""
        parts = urlparse(line_api.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=2) as connection:
            connection.sendall(b"POST /v2/bot/message/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                               b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"to\": \"U")
        status, _headers, _answer = send(line_api, PUSH, push_body())

        assert status == 200
        assert line_api.violations == []
        assert len(line_api.pushes) == 1

    def test_closed_port_refuses_connections(self):
        """closed_port_url names a port where nothing listens (LINE's API down)."""
        parts = urlparse(closed_port_url())
        with pytest.raises(ConnectionRefusedError):
            http.client.HTTPConnection(parts.hostname, parts.port, timeout=2).request("GET", "/")

    def test_reset_forgets_everything(self, line_api):
        """After reset, records, violations, reply tokens, retry keys and faults are gone."""
        headers = new_key()
        send(line_api, PUSH, push_body(), headers=headers)
        send(line_api, REPLY, {"replyToken": "t", "messages": [text()]})
        send(line_api, PUSH, {"messages": []})
        line_api.fail_next(500)

        line_api.reset()

        assert (line_api.requests, line_api.violations, line_api.pushes, line_api.replies) == ([], [], [], [])
        assert send(line_api, PUSH, push_body(), headers=headers)[0] == 200
        assert send(line_api, REPLY, {"replyToken": "t", "messages": [text()]})[0] == 200
        assert line_api.consumption == 1

    def test_answers_match_the_spec(self, line_api):
        """Every answer the fake gives, 409 included, has the shape LINE's spec declares for it."""
        key = {"X-Line-Retry-Key": str(uuid.uuid4())}
        calls = [
            ("POST", REPLY, {"replyToken": "t", "messages": [text()]}, {}),
            ("POST", REPLY, {"replyToken": "t", "messages": [text()]}, {}),
            ("POST", PUSH, push_body(), key),
            ("POST", PUSH, push_body(), key),
            ("POST", MULTICAST, {"to": ["U1"], "messages": [text()]}, {}),
            ("POST", "/v2/bot/message/broadcast", {"messages": [text()]}, {}),
            ("GET", "/v2/bot/message/quota", None, {}),
            ("GET", "/v2/bot/message/quota/consumption", None, {}),
            ("GET", statistics("broadcast_1"), None, {}),
            ("GET", statistics("broadcast_2"), None, {}),
        ]
        line_api.set_unit_statistics("broadcast_1", opened=42, clicked=7,
                                     clicks=[("https://city.example/a", 9, 7), ("https://city.example/b", None, None)])

        errors = {}
        for method, target, body, headers in calls:
            status, answer_headers, answer = send(line_api, target, body, method=method, headers=headers)
            path = urlparse(target).path
            errors[f"{method} {target} {status}"] = [
                str(e)
                for e in line_openapi(spec_name(path)).iter_response_errors(
                    MockRequest("http://127.0.0.1", method, path),
                    MockResponse(json.dumps(answer).encode(), status_code=status, headers=answer_headers),
                )
            ]

        assert [r.status for r in line_api.requests] == [200, 400, 200, 409, 200, 200, 200, 200, 200, 200]
        assert errors == dict.fromkeys(errors, [])

    def test_multicasts_record_their_aggregation_unit_in_order(self, line_api):
        """aggregation_units() has the unit of each multicast, None for one sent without, and the multicasts
        themselves keep their (to, messages, retry key) shape."""
        with_unit = {"to": ["U1"], "messages": [text()], "customAggregationUnits": ["broadcast_7"]}
        headers = new_key()

        send(line_api, MULTICAST, with_unit, headers=headers)
        send(line_api, MULTICAST, {"to": ["U2"], "messages": [text()]}, headers=new_key())

        assert line_api.aggregation_units() == ["broadcast_7", None]
        assert line_api.multicasts[0] == (["U1"], [text()], headers["X-Line-Retry-Key"])
        assert line_api.violations == []

    @pytest.mark.parametrize(
        ("units", "rule"),
        [
            pytest.param(["broadcast-7"], "spec.pattern", id="hyphen"),
            pytest.param(["a" * 31], "spec.maxLength", id="31-characters"),
            pytest.param(["broadcast_7", "broadcast_8"], "spec.maxItems", id="two-units"),
        ],
    )
    def test_a_multicast_with_a_bad_aggregation_unit_is_rejected(self, line_api, units, rule):
        """An aggregation unit LINE does not allow gets 400 and nothing is sent."""
        body = {"to": ["U1"], "messages": [text()], "customAggregationUnits": units}

        status, _headers, _answer = send(line_api, MULTICAST, body, headers=new_key())

        assert status == 400
        assert_rule(line_api, rule)
        assert (line_api.multicasts, line_api.aggregation_units()) == ([], [])

    def test_spec_location_can_be_overridden(self, monkeypatch, tmp_path):
        """LINE_OPENAPI_DIR points the fake at another copy of the spec."""
        monkeypatch.setenv("LINE_OPENAPI_DIR", str(tmp_path))

        assert spec_path() == tmp_path / "messaging-api.yml"

    def test_default_spec_location_exists(self, monkeypatch):
        """Without LINE_OPENAPI_DIR the spec is found in tests/data/line-openapi."""
        monkeypatch.delenv("LINE_OPENAPI_DIR", raising=False)

        assert spec_path().is_file()


class TestUnitStatistics:
    """Per-unit statistics (the insight spec): what tests set is answered, and LINE's rules are checked."""

    def test_statistics_set_for_a_unit_are_answered(self, line_api):
        """A unit given statistics answers them as overview, one message and its clicks."""
        line_api.set_unit_statistics("broadcast_1", opened=40, clicked=30, clicks=[("https://city.example/", 59, 38)])

        status, _headers, answer = send(line_api, statistics("broadcast_1"), method="GET")

        assert status == 200
        assert answer["overview"]["uniqueImpression"] == 40
        assert answer["overview"]["uniqueClick"] == 30
        assert [m["seq"] for m in answer["messages"]] == [1]
        assert [(c["url"], c["click"], c["uniqueClick"]) for c in answer["clicks"]] == [("https://city.example/", 59, 38)]
        assert line_api.statistics_requests == [("broadcast_1", "20261101", "20261130")]
        assert line_api.violations == []

    def test_a_unit_without_statistics_answers_nulls_and_no_rows(self, line_api):
        """A unit LINE has no figures for answers null counts and empty messages and clicks."""
        status, _headers, answer = send(line_api, statistics("broadcast_9"), method="GET")

        assert status == 200
        assert answer["overview"]["uniqueImpression"] is None
        assert answer["overview"]["uniqueClick"] is None
        assert (answer["messages"], answer["clicks"]) == ([], [])

    @pytest.mark.parametrize(
        ("since", "until", "status"),
        [
            pytest.param("20261101", "20261101", 200, id="one-day"),
            pytest.param("20260301", "20260331", 200, id="30-days"),
            pytest.param("20261215", "20270114", 200, id="30-days-over-new-year"),
            pytest.param("20260301", "20260401", 400, id="31-days"),
            pytest.param("20261130", "20261101", 400, id="to-before-from"),
        ],
    )
    def test_the_period_is_at_most_30_days_after_from(self, line_api, since, until, status):
        """``to`` may be up to 30 days after ``from`` and not before it; otherwise 400 with a violation."""
        answer_status, _headers, answer = send(line_api, statistics(since=since, until=until), method="GET")

        assert answer_status == status
        if status == 400:
            assert_rule(line_api, "statistics-period")
            assert [d["property"] for d in answer["details"]] == ["query to"]
        else:
            assert line_api.violations == []

    @pytest.mark.parametrize(
        ("target", "rule"),
        [
            pytest.param(statistics("broadcast-1"), "spec.pattern", id="hyphen-in-unit"),
            pytest.param(statistics("a" * 31), "spec.maxLength", id="31-character-unit"),
            pytest.param(statistics(since="2026-11-01"), "spec.pattern", id="dashed-date"),
            pytest.param(statistics(since="20260230", until="20260301"), "statistics-date", id="february-30"),
            pytest.param(statistics(page="2"), "spec.unknown-parameter", id="unknown-parameter"),
            pytest.param(f"{STATISTICS}?customAggregationUnit=u&from=20261101", "spec.MissingRequiredParameter",
                         id="without-to"),
        ],
    )
    def test_a_request_the_rules_forbid_is_rejected(self, line_api, target, rule):
        """A bad unit name, date or parameter gets 400 with a violation naming the rule, and no answer."""
        status, _headers, answer = send(line_api, target, method="GET")

        assert status == 400
        assert answer["details"]
        assert_rule(line_api, rule)
        assert line_api.statistics_requests == []

    def test_reset_forgets_the_statistics(self, line_api):
        """After reset a unit given statistics answers nulls again."""
        line_api.set_unit_statistics("broadcast_1", opened=40, clicked=30)

        line_api.reset()

        assert send(line_api, statistics("broadcast_1"), method="GET")[2]["overview"]["uniqueImpression"] is None

    def test_the_insight_spec_sits_beside_the_messaging_spec(self, monkeypatch):
        """insight.yml is found next to messaging-api.yml, and insight paths are checked against it."""
        monkeypatch.delenv("LINE_OPENAPI_DIR", raising=False)

        assert spec_path("insight.yml").is_file()
        assert spec_path("insight.yml").parent == spec_path().parent
        assert spec_name(STATISTICS) == "insight.yml"
        assert spec_name(MULTICAST) == "messaging-api.yml"

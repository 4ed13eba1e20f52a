"""A fake LINE Messaging API on 127.0.0.1 that the real SDK talks to over HTTP.

Every request is checked against LINE's own OpenAPI spec (with openapi-core; the insight spec for
``/v2/bot/insight/…``) and against the limits the spec leaves out (shared/notes/line-platform.md §1, §2,
§12). A request that breaks a rule gets the status LINE would give (400 with ``message`` and ``details``,
401 without a bearer token, 404 for an unknown path) and one line per problem in ``violations``. The
server also simulates single-use reply tokens, ``X-Line-Retry-Key`` dedupe (409 with
``X-Line-Accepted-Request-Id``), quota and consumption, per-unit statistics (``set_unit_statistics``), and
injected failures (``fail_next``: 500, 429…), slow answers (``delay_next``: handled, answered late) and a
hung API (``hang_next``: held, then 504, nothing handled); for an API that is down, point the client at a
closed port (``closed_port_url``)::

    with FakeLineApi() as server:
        client = SdkLineClient("dummy", host=server.url)
        client.push("U1", [TextMessage(text="hi")], retry_key=str(uuid4()))
        assert server.violations == []
        assert server.pushes[0][0] == "U1"

The specs (``messaging-api.yml``, ``insight.yml``) are read from ``tests/data/line-openapi``, or from the
directory in ``LINE_OPENAPI_DIR``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_core.templating.paths.exceptions import OperationNotFound
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_core.validation.request.exceptions import SecurityValidationError
from werkzeug.exceptions import ClientDisconnected
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

SPEC_FILE = "messaging-api.yml"
INSIGHT_SPEC_FILE = "insight.yml"
INSIGHT_PREFIX = "/v2/bot/insight/"

KNOWN_MESSAGE_TYPES = frozenset(
    {"text", "sticker", "image", "video", "audio", "location", "imagemap", "template", "flex"}
)
MAX_MESSAGES = 5
MAX_TEXT = 5000  # UTF-16 code units
MAX_QUICK_REPLY_ITEMS = 13
MAX_QUICK_REPLY_LABEL = 20
MAX_POSTBACK_DATA = 300
MAX_POSTBACK_DISPLAY_TEXT = 300
MAX_MESSAGE_ACTION_TEXT = 300
MAX_URI = 1000
MAX_MULTICAST_TO = 500
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_STATISTICS_DAYS = 30  # per-unit statistics: ``to`` at most this many days after ``from``

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BEARER = re.compile(r"^Bearer \S+$")

# Endpoints the fake simulates; other paths in the spec answer 501 and count as a violation.
_ROUTES = {
    ("POST", "/v2/bot/message/reply"): "reply",
    ("POST", "/v2/bot/message/push"): "push",
    ("POST", "/v2/bot/message/multicast"): "multicast",
    ("POST", "/v2/bot/message/broadcast"): "broadcast",
    ("POST", "/v2/bot/message/narrowcast"): "narrowcast",
    ("GET", "/v2/bot/message/quota"): "quota",
    ("GET", "/v2/bot/message/quota/consumption"): "consumption",
    ("GET", "/v2/bot/insight/message/event/aggregation"): "unit_statistics",
    ("POST", "/v2/bot/chat/loading/start"): "loading",
}
# Endpoints with an id in their path: (method, pattern) → operation; the id is the pattern's one group.
_PATTERN_ROUTES = (
    ("GET", re.compile(r"^/v2/bot/richmenu/alias/([^/]+)$"), "rich_menu_alias"),
    ("POST", re.compile(r"^/v2/bot/user/all/richmenu/([^/]+)$"), "default_rich_menu"),
)
_RETRY_KEY_OPERATIONS = frozenset({"push", "multicast", "broadcast", "narrowcast"})

# Error messages as LINE words them (line-platform.md §3, §5, §7; the reference's "Error messages").
_ERROR_MESSAGES = {
    400: "The request body has errors",
    401: "Authentication failed. Confirm that the access token in the authorization header is valid.",
    403: "Access to this API is not available for your account",
    404: "Not found",
    405: "Method not allowed",
    409: "The retry key is already accepted",
    413: "Request entity too large",
    429: "The API rate limit has been exceeded. Try again later.",
    500: "Internal server error",
    501: "Not simulated by the fake LINE API",
}


# --- the spec -------------------------------------------------------------------------------------


def spec_path(name: str = SPEC_FILE) -> Path:
    """Where one of LINE's specs is: ``$LINE_OPENAPI_DIR``, else the copy in ``tests/data/line-openapi``."""
    directory = os.environ.get("LINE_OPENAPI_DIR")
    if directory:
        return Path(directory) / name
    return Path(__file__).resolve().parent / "data" / "line-openapi" / name


def spec_name(path: str) -> str:
    """The spec that declares a request path: insight's for ``/v2/bot/insight/…``, else the Messaging API's."""
    return INSIGHT_SPEC_FILE if path.startswith(INSIGHT_PREFIX) else SPEC_FILE


@functools.cache
def line_openapi(name: str = SPEC_FILE) -> OpenAPI:
    """One of LINE's specs (the Messaging API's by default) for openapi-core, loaded once per process."""
    return OpenAPI.from_dict(_spec_data(name))


@functools.cache
def _spec_data(name: str) -> dict[str, Any]:
    """A spec as plain data, its servers (https://api.line.me, https://api-data.line.me) replaced by a relative
    "/", so openapi-core matches a request to any host, here 127.0.0.1:PORT, by its path alone."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(spec_path(name).read_bytes(), Loader=loader)
    data["servers"] = [{"url": "/"}]
    for path_item in data["paths"].values():
        path_item.pop("servers", None)
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.pop("servers", None)
    return data


# --- rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One broken rule: which rule, where in the request, and what was wrong."""

    rule: str
    where: str
    detail: str
    status: int = 400

    def __str__(self) -> str:
        return f"{self.rule} at {self.where}: {self.detail}"


def utf16_len(text: str) -> int:
    """Length as LINE counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def message_problems(messages: Any, where: str = "messages") -> list[Problem]:
    """Problems with a list of message objects (as JSON) that LINE rejects but the spec does not say."""
    if not isinstance(messages, list):
        return [Problem("messages-required", where, "must be a list of message objects")]
    problems = []
    if not 1 <= len(messages) <= MAX_MESSAGES:
        problems.append(
            Problem("message-count", where, f"{len(messages)} messages, allowed 1-{MAX_MESSAGES}")
        )
    for i, message in enumerate(messages):
        problems += _one_message_problems(message, f"{where}[{i}]")
    return problems


def _one_message_problems(message: Any, where: str) -> list[Problem]:
    if not isinstance(message, dict):
        return [Problem("message-type", where, "not an object")]
    problems = []
    kind = message.get("type")
    if kind not in KNOWN_MESSAGE_TYPES:
        problems.append(Problem("message-type", f"{where}.type", f"unknown message type {kind!r}"))
    if kind == "text":
        text = message.get("text")
        if not isinstance(text, str) or not text:
            problems.append(Problem("text-required", f"{where}.text", "a text message needs non-empty text"))
        elif utf16_len(text) > MAX_TEXT:
            problems.append(
                Problem("text-length", f"{where}.text", f"{utf16_len(text)} UTF-16 code units > {MAX_TEXT}")
            )
    if "quickReply" in message:
        problems += _quick_reply_problems(message["quickReply"], f"{where}.quickReply")
    if kind != "imagemap":  # imagemap actions have their own shape and limits
        for action, action_where in _nested_actions(message, where):
            problems += _action_problems(action, action_where)
    return problems


def _quick_reply_problems(quick_reply: Any, where: str) -> list[Problem]:
    items = quick_reply.get("items") if isinstance(quick_reply, dict) else None
    if not isinstance(items, list):
        return [Problem("quick-reply-items", f"{where}.items", "must be a list")]
    problems = []
    if len(items) > MAX_QUICK_REPLY_ITEMS:
        problems.append(
            Problem("quick-reply-count", f"{where}.items", f"{len(items)} items > {MAX_QUICK_REPLY_ITEMS}")
        )
    for i, item in enumerate(items):
        action = item.get("action") if isinstance(item, dict) else None
        action_where = f"{where}.items[{i}].action"
        if not isinstance(action, dict):
            problems.append(Problem("quick-reply-action", action_where, "missing"))
            continue
        label = action.get("label")
        if not isinstance(label, str) or not label:
            problems.append(Problem("quick-reply-label", f"{action_where}.label", "a label is required"))
        elif utf16_len(label) > MAX_QUICK_REPLY_LABEL:
            problems.append(
                Problem(
                    "quick-reply-label",
                    f"{action_where}.label",
                    f"{utf16_len(label)} characters > {MAX_QUICK_REPLY_LABEL}",
                )
            )
        problems += _action_problems(action, action_where)
    return problems


def _nested_actions(node: Any, where: str) -> Iterable[tuple[Any, str]]:
    """Actions inside templates and flex messages (under ``action``, ``defaultAction``, ``actions``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quickReply":
                continue
            if key in ("action", "defaultAction"):
                yield value, f"{where}.{key}"
            elif key == "actions" and isinstance(value, list):
                yield from ((action, f"{where}.actions[{i}]") for i, action in enumerate(value))
            else:
                yield from _nested_actions(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nested_actions(value, f"{where}[{i}]")


def _action_problems(action: Any, where: str) -> list[Problem]:
    if not isinstance(action, dict):
        return [Problem("action", where, "not an object")]
    kind = action.get("type")
    if kind == "postback":
        return _too_long(action, "data", MAX_POSTBACK_DATA, where, "postback-data") + _too_long(
            action, "displayText", MAX_POSTBACK_DISPLAY_TEXT, where, "postback-display-text"
        )
    if kind == "message":
        return _too_long(action, "text", MAX_MESSAGE_ACTION_TEXT, where, "message-action-text", required=True)
    if kind == "uri":
        return _too_long(action, "uri", MAX_URI, where, "uri-length", required=True)
    return []


def _too_long(
    obj: dict, key: str, limit: int, where: str, rule: str, *, required: bool = False
) -> list[Problem]:
    value = obj.get(key)
    if value is None:
        return [Problem(rule, f"{where}.{key}", "required")] if required else []
    if not isinstance(value, str):
        return [Problem(rule, f"{where}.{key}", "must be a string")]
    if required and not value:
        return [Problem(rule, f"{where}.{key}", "must not be empty")]
    if utf16_len(value) > limit:
        return [Problem(rule, f"{where}.{key}", f"{utf16_len(value)} characters > {limit}")]
    return []


def header_problems(headers: dict[str, str]) -> list[Problem]:
    """Problems with the Authorization and X-Line-Retry-Key headers."""
    problems = []
    if not _BEARER.match(headers.get("Authorization", "")):
        problems.append(Problem("auth", "Authorization", "needs 'Bearer <channel access token>'", 401))
    retry_key = headers.get("X-Line-Retry-Key")
    if retry_key is not None:
        problems += retry_key_problems(retry_key)
    return problems


def retry_key_problems(retry_key: str) -> list[Problem]:
    """Problems with an X-Line-Retry-Key value: it must be a hyphenated UUID."""
    if _UUID.match(retry_key):
        return []
    return [Problem("retry-key-format", "X-Line-Retry-Key", f"{retry_key!r} is not a UUID")]


def route(method: str, path: str) -> tuple[str | None, str | None]:
    """The simulated operation of a request and the id in its path (None: not simulated)."""
    operation = _ROUTES.get((method, path))
    if operation is not None:
        return operation, None
    for route_method, pattern, name in _PATTERN_ROUTES:
        found = pattern.match(path) if method == route_method else None
        if found:
            return name, found.group(1)
    return None, None


def body_problems(operation: str, body: Any) -> list[Problem]:
    """Problems with the JSON body of one simulated operation, beyond what the spec checks."""
    if operation in ("quota", "consumption", "rich_menu_alias", "default_rich_menu"):
        return []
    if not isinstance(body, dict):
        return [Problem("json", "body", "must be a JSON object")]
    if operation == "loading":
        return []
    problems = []
    if operation == "reply" and not (isinstance(body.get("replyToken"), str) and body["replyToken"]):
        problems.append(Problem("reply-token-required", "replyToken", "missing or empty"))
    if operation == "push" and not (isinstance(body.get("to"), str) and body["to"]):
        problems.append(Problem("to-required", "to", "missing or empty"))
    if operation == "multicast":
        to = body.get("to")
        if not isinstance(to, list) or not 1 <= len(to) <= MAX_MULTICAST_TO:
            count = len(to) if isinstance(to, list) else "no"
            problems.append(Problem("multicast-to", "to", f"{count} user ids, allowed 1-{MAX_MULTICAST_TO}"))
    return problems + message_problems(body.get("messages"))


def period_problems(query: Mapping[str, str]) -> list[Problem]:
    """Problems with the ``from`` and ``to`` of per-unit statistics that the spec leaves out: real dates, ``to``
    not before ``from`` and at most 30 days after it (a malformed value is the spec's to report)."""
    first, last = query.get("from", ""), query.get("to", "")
    if not (re.fullmatch(r"[0-9]{8}", first) and re.fullmatch(r"[0-9]{8}", last)):
        return []
    try:
        since, until = [datetime.strptime(value, "%Y%m%d").date() for value in (first, last)]
    except ValueError:
        return [Problem("statistics-date", "query from/to", f"{first}-{last}: not a real date")]
    if until < since:
        return [Problem("statistics-period", "query to", f"{last} is before from {first}")]
    if until - since > timedelta(days=MAX_STATISTICS_DAYS):
        return [Problem("statistics-period", "query to",
                        f"{last} is {(until - since).days} days after from {first}, allowed {MAX_STATISTICS_DAYS}")]
    return []


def spec_problems(request: Request) -> list[Problem]:
    """What openapi-core finds wrong with a request, per LINE's spec, and query parameters the spec does not
    declare (openapi-core lets them pass; LINE answers 400)."""
    name = spec_name(request.path)
    problems = _unknown_query_problems(name, request)
    for error in line_openapi(name).iter_request_errors(WerkzeugOpenAPIRequest(request)):
        if isinstance(error, PathNotFound):
            problems.append(Problem("spec.path", request.path, "no such endpoint in the spec", 404))
        elif isinstance(error, OperationNotFound):
            problems.append(Problem("spec.method", request.path, f"{request.method} not allowed", 405))
        elif isinstance(error, SecurityValidationError):
            problems.append(Problem("spec.security", "Authorization", str(error), 401))
        else:
            problems += _schema_problems(error)
    return problems


def _unknown_query_problems(name: str, request: Request) -> list[Problem]:
    """Query parameters the request's operation does not declare (none when the spec has no such operation)."""
    for template, path_item in _spec_data(name)["paths"].items():
        if _path_matches(template, request.path):
            operation = path_item.get(request.method.lower())
            if not isinstance(operation, dict):
                return []
            parameters = path_item.get("parameters", []) + operation.get("parameters", [])
            declared = {p["name"] for p in parameters if p.get("in") == "query"}
            return [Problem("spec.unknown-parameter", f"query {key}", "not a parameter of this endpoint")
                    for key in request.args if key not in declared]
    return []


def _path_matches(template: str, path: str) -> bool:
    """Whether ``path`` is an instance of the spec's path ``template`` (``/v2/bot/richmenu/alias/{richMenuAliasId}``)."""
    parts, template_parts = path.split("/"), template.split("/")
    return len(parts) == len(template_parts) and all(
        t == p or (t.startswith("{") and t.endswith("}") and p) for t, p in zip(template_parts, parts, strict=True))


def _schema_problems(error: Exception) -> list[Problem]:
    where = f"{error.location} {error.name}" if hasattr(error, "name") else "body"
    schema_errors = getattr(error.__cause__, "schema_errors", None)
    if not schema_errors:
        return [Problem(f"spec.{type(error).__name__}", where, str(error)[:200])]
    problems = []
    for schema_error in schema_errors:
        path = _json_path(schema_error.absolute_path)
        detail = schema_error.message
        if len(detail) > 160:
            detail = f"violates {schema_error.validator}: {schema_error.validator_value!r}"
        problems.append(Problem(f"spec.{schema_error.validator}", path or where, detail))
    return problems


def _json_path(parts: Iterable[str | int]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


# --- the server -----------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request the fake received, the status it answered and the ``X-Line-Request-Id`` it gave."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    status: int
    injected: bool = False
    request_id: str = ""
    received_at: float = 0.0  # time.monotonic() when the request reached the server, before any checking


@dataclass
class _Fault:
    remaining: int
    path: str | None
    status: int = 0
    retry_after: int | None = None
    seconds: float = 0.0


@dataclass
class _Accepted:
    request_id: str
    body: Any
    sent_messages: list[dict] | None


class _QuietHandler(WSGIRequestHandler):
    """Request handler that keeps werkzeug's access log out of the test output."""

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class FakeLineApi:
    """A fake LINE Messaging API server in a thread, for the real SDK to talk to.

    ``quota`` is the month's limit (None: no limit). With ``enforce_quota`` a send that would go over it
    answers 429 "You have reached your monthly limit." All state sits behind one lock.
    """

    def __init__(self, *, quota: int | None = 1000, enforce_quota: bool = False) -> None:
        self._initial_quota = quota
        self._enforce_quota = enforce_quota
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._message_ids = 0
        self.reset()

    # lifecycle

    def start(self, port: int = 0) -> FakeLineApi:
        """Load the specs, bind ``port`` (default: a free one) on 127.0.0.1 and serve in a daemon thread."""
        line_openapi()
        line_openapi(INSIGHT_SPEC_FILE)
        self._stopping.clear()
        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-line-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket; delayed answers wake up and finish."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeLineApi:
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL for ``Configuration(host=...)``, e.g. ``http://127.0.0.1:54321``."""
        if self._server is None:
            raise RuntimeError("the fake LINE API is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    def reset(self) -> None:
        """Forget everything: records, violations, used reply tokens, retry keys, faults, consumption and
        statistics."""
        with self._lock:
            self._generation = getattr(self, "_generation", 0) + 1
            self.quota = self._initial_quota
            self.consumption = 0
            self._violations: list[str] = []
            self._requests: list[RecordedRequest] = []
            self._replies: list[tuple[str, list[dict]]] = []
            self._pushes: list[tuple[str, list[dict], str | None]] = []
            self._multicasts: list[tuple[list[str], list[dict], str | None]] = []
            self._aggregation_units: list[str | None] = []  # one per multicast in ``_multicasts``
            self._broadcasts: list[tuple[list[dict], str | None]] = []
            self._narrowcasts: list[tuple[dict, str | None]] = []
            # Rich menus the channel has, by alias (tests add them), and each default set for all users, in order.
            self.rich_menu_aliases: dict[str, str] = {}
            self.default_rich_menus: list[str] = []
            # Per-unit statistics LINE would answer (GetStatisticsPerUnitResponse), by unit, and what was asked.
            self._unit_statistics: dict[str, dict[str, Any]] = {}
            self._statistics_requests: list[tuple[str, str, str]] = []
            self._used_reply_tokens: set[str] = set()
            self._accepted: dict[str, _Accepted] = {}
            self._failures: list[_Fault] = []
            self._delays: list[_Fault] = []
            self._hangs: list[_Fault] = []

    # statistics

    def set_unit_statistics(self, unit: str, *, opened: int | None, clicked: int | None,
                            clicks: Iterable[tuple[str, int | None, int | None]] = ()) -> None:
        """Answer statistics for ``unit`` from now on: ``opened`` and ``clicked`` users (overview's uniqueImpression
        and uniqueClick, and the one bubble's impressions) and, per link, (url, click, uniqueClick)."""
        with self._lock:
            self._unit_statistics[unit] = {
                "overview": {"uniqueImpression": opened, "uniqueClick": clicked, "uniqueMediaPlayed": None,
                             "uniqueMediaPlayed100Percent": None},
                "messages": [{"seq": 1, "impression": opened, "uniqueImpression": opened, "mediaPlayed": None,
                              "uniqueMediaPlayed": None}],
                "clicks": [{"seq": 1, "url": url, "click": click, "uniqueClick": unique_click,
                            "uniqueClickOfRequest": unique_click} for url, click, unique_click in clicks],
            }

    # fault injection

    def fail_next(
        self, status: int, *, times: int = 1, path: str | None = None, retry_after: int | None = None
    ) -> None:
        """Answer the next ``times`` requests (to ``path``, or any) with ``status`` and a LINE-like body."""
        with self._lock:
            self._failures.append(_Fault(times, path, status=status, retry_after=retry_after))

    def delay_next(self, seconds: float, times: int = 1, path: str | None = None) -> None:
        """Handle the next ``times`` requests (to ``path``, or any) normally, then wait before answering."""
        with self._lock:
            self._delays.append(_Fault(times, path, seconds=seconds))

    def hang_next(self, seconds: float, times: int = 1, path: str | None = None) -> None:
        """Hold the next ``times`` requests (to ``path``, or any) for ``seconds`` without handling them, then
        answer 504: LINE's API hanging. Unlike ``delay_next`` nothing is sent, and the request is recorded
        as injected."""
        with self._lock:
            self._hangs.append(_Fault(times, path, status=504, seconds=seconds))

    # records (copies, taken under the lock)

    @property
    def violations(self) -> list[str]:
        """One line per broken rule: ``METHOD /path: rule at where: detail``."""
        with self._lock:
            return list(self._violations)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order, injected failures included."""
        with self._lock:
            return list(self._requests)

    def received_at(self, path: str) -> list[float]:
        """When each request to ``path`` (``/v2/bot/message/push``…) arrived, on ``time.monotonic()``."""
        with self._lock:
            return [r.received_at for r in self._requests if r.path == path]

    @property
    def replies(self) -> list[tuple[str, list[dict]]]:
        """Successful replies as (reply_token, messages)."""
        with self._lock:
            return list(self._replies)

    @property
    def pushes(self) -> list[tuple[str, list[dict], str | None]]:
        """Successful pushes as (to, messages, retry_key)."""
        with self._lock:
            return list(self._pushes)

    @property
    def multicasts(self) -> list[tuple[list[str], list[dict], str | None]]:
        """Successful multicasts as (to, messages, retry_key)."""
        with self._lock:
            return list(self._multicasts)

    def aggregation_units(self) -> list[str | None]:
        """The aggregation unit of each successful multicast, in the order of ``multicasts`` (None: none given)."""
        with self._lock:
            return list(self._aggregation_units)

    @property
    def statistics_requests(self) -> list[tuple[str, str, str]]:
        """Answered requests for per-unit statistics as (customAggregationUnit, from, to)."""
        with self._lock:
            return list(self._statistics_requests)

    @property
    def broadcasts(self) -> list[tuple[list[dict], str | None]]:
        """Successful broadcasts as (messages, retry_key)."""
        with self._lock:
            return list(self._broadcasts)

    @property
    def narrowcasts(self) -> list[tuple[dict, str | None]]:
        """Successful narrowcasts as (request body, retry_key)."""
        with self._lock:
            return list(self._narrowcasts)

    # handling

    def _wsgi(self, environ: dict, start_response: Any) -> Iterable[bytes]:
        received_at = time.monotonic()
        request = Request(environ)
        try:
            response = self._handle(request, received_at)
        except ClientDisconnected:  # the sender hung up mid-body (killed): LINE sees a dropped request, no more
            response = _json_response(400, {"message": "the client disconnected"})
        except Exception:
            with self._lock:
                self._violations.append(
                    f"fake.crash {request.method} {request.path}: {traceback.format_exc()}"
                )
            response = _json_response(500, {"message": "the fake LINE API crashed"})
        return response(environ, start_response)

    def _handle(self, request: Request, received_at: float) -> Response:
        with self._lock:
            hang = _take(self._hangs, request.path)
            generation = self._generation
        if hang is not None:
            self._stopping.wait(hang.seconds)
            request.get_data()
            response = self._injected(hang)
            with self._lock:
                if generation == self._generation:  # not recorded into the next test after a reset
                    self._requests.append(RecordedRequest(
                        request.method, request.path, dict(request.headers.items()), None, hang.status,
                        injected=True, request_id=response.headers["X-Line-Request-Id"],
                        received_at=received_at))
            return response
        headers = dict(request.headers.items())
        operation, path_id = route(request.method, request.path)
        raw = request.get_data()
        body, problems = _parse_json(raw)
        if len(raw) > MAX_BODY_BYTES:
            problems.append(Problem("body-size", "body", f"{len(raw)} bytes > {MAX_BODY_BYTES}", 413))
        problems += spec_problems(request)
        problems += header_problems(headers)
        if operation == "unit_statistics":
            problems += period_problems(request.args)
        elif operation is not None:
            problems += body_problems(operation, body)
        elif not any(p.status in (404, 405) for p in problems):
            problems.append(
                Problem("fake.not-simulated", request.path, "add it to tests/fake_line_server.py", 501)
            )

        with self._lock:
            self._violations += [f"{request.method} {request.path}: {p}" for p in problems]
            fault = _take(self._failures, request.path)
            delay = _take(self._delays, request.path)
            if fault is not None:
                response = self._injected(fault)
            elif problems:
                response = _problem_response(problems)
            else:
                response = self._simulate(operation, body, headers.get("X-Line-Retry-Key"), path_id,
                                          request.args)
            self._requests.append(
                RecordedRequest(
                    request.method,
                    request.path,
                    headers,
                    body,
                    response.status_code,
                    injected=fault is not None,
                    request_id=response.headers["X-Line-Request-Id"],
                    received_at=received_at,
                )
            )
        if delay is not None:
            self._stopping.wait(delay.seconds)
        return response

    def _injected(self, fault: _Fault) -> Response:
        response = _json_response(
            fault.status, {"message": _ERROR_MESSAGES.get(fault.status, "Injected failure")}
        )
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        if fault.status == 409:
            response.headers["X-Line-Accepted-Request-Id"] = str(uuid.uuid4())
        return response

    def _simulate(self, operation: str, body: Any, retry_key: str | None, path_id: str | None = None,
                  query: Mapping[str, str] | None = None) -> Response:
        """Answer a valid request as LINE would; called with the lock held."""
        if operation == "unit_statistics":
            unit = query["customAggregationUnit"]
            self._statistics_requests.append((unit, query["from"], query["to"]))
            # A unit LINE has no figures for (never used, or too few users opened it yet): nulls and no rows.
            unknown = {"overview": dict.fromkeys(("uniqueImpression", "uniqueClick", "uniqueMediaPlayed",
                                                  "uniqueMediaPlayed100Percent")),
                       "messages": [], "clicks": []}
            return _json_response(200, self._unit_statistics.get(unit, unknown))
        if operation == "rich_menu_alias":
            if path_id not in self.rich_menu_aliases:
                return _json_response(404, {"message": "richmenu alias not found"})
            return _json_response(200, {"richMenuAliasId": path_id, "richMenuId": self.rich_menu_aliases[path_id]})
        if operation == "default_rich_menu":
            if path_id not in self.rich_menu_aliases.values():
                return _json_response(404, {"message": "richmenu not found"})
            self.default_rich_menus.append(path_id)
            return _json_response(200, {})
        if operation == "quota":
            quota = {"type": "none"} if self.quota is None else {"type": "limited", "value": self.quota}
            return _json_response(200, quota)
        if operation == "consumption":
            return _json_response(200, {"totalUsage": self.consumption})
        if operation == "loading":
            return _json_response(202, {})
        if operation == "reply":
            token = body["replyToken"]
            if token in self._used_reply_tokens:
                return _json_response(400, {"message": "Invalid reply token"})
            self._used_reply_tokens.add(token)
            self._replies.append((token, body["messages"]))
            return _json_response(200, {"sentMessages": self._sent_messages(body["messages"])})

        if retry_key is not None and retry_key in self._accepted:
            return self._already_accepted(operation, retry_key, body)
        recipients = {"push": 1, "multicast": len(body.get("to", []))}.get(operation, 0)
        if self._enforce_quota and self.quota is not None and self.consumption + recipients > self.quota:
            return _json_response(429, {"message": "You have reached your monthly limit."})
        self.consumption += recipients
        sent_messages = None
        if operation == "push":
            self._pushes.append((body["to"], body["messages"], retry_key))
            sent_messages = self._sent_messages(body["messages"])
            response = _json_response(200, {"sentMessages": sent_messages})
        elif operation == "multicast":
            self._multicasts.append((body["to"], body["messages"], retry_key))
            self._aggregation_units.append((body.get("customAggregationUnits") or [None])[0])
            response = _json_response(200, {})
        elif operation == "broadcast":
            self._broadcasts.append((body["messages"], retry_key))
            response = _json_response(200, {})
        else:
            self._narrowcasts.append((body, retry_key))
            response = _json_response(202, {})
        if retry_key is not None:
            self._accepted[retry_key] = _Accepted(response.headers["X-Line-Request-Id"], body, sent_messages)
        return response

    def _already_accepted(self, operation: str, retry_key: str, body: Any) -> Response:
        accepted = self._accepted[retry_key]
        if body != accepted.body:
            self._violations.append(
                f"{operation}: retry-key-reuse at X-Line-Retry-Key: {retry_key} first came with another body"
            )
        payload: dict[str, Any] = {"message": _ERROR_MESSAGES[409]}
        if accepted.sent_messages:
            payload["sentMessages"] = accepted.sent_messages
        response = _json_response(409, payload)
        response.headers["X-Line-Accepted-Request-Id"] = accepted.request_id
        return response

    def _sent_messages(self, messages: list[dict]) -> list[dict]:
        sent = []
        for _ in messages:
            self._message_ids += 1
            sent.append({"id": str(500000000000000000 + self._message_ids), "quoteToken": uuid.uuid4().hex})
        return sent


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: every connection is refused (LINE's API down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _take(faults: list[_Fault], path: str) -> _Fault | None:
    """The first fault that applies to ``path``, used up once."""
    for fault in faults:
        if fault.path is None or fault.path == path:
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.remove(fault)
            return fault
    return None


def _parse_json(raw: bytes) -> tuple[Any, list[Problem]]:
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError as exc:
        return None, [Problem("json", "body", f"not JSON: {exc}")]


def _problem_response(problems: list[Problem]) -> Response:
    """LINE's answer to a broken request: the most telling status, with message and details for 400."""
    statuses = {p.status for p in problems}
    status = next(s for s in (401, 404, 405, 413, 501, 400) if s in statuses)
    if status != 400:
        return _json_response(status, {"message": _ERROR_MESSAGES[status]})
    details = [{"message": f"{p.rule}: {p.detail}", "property": p.where} for p in problems if p.status == 400]
    return _json_response(
        400, {"message": f"The request body has {len(details)} error(s)", "details": details}
    )


def _json_response(status: int, payload: Any) -> Response:
    response = Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers["X-Line-Request-Id"] = str(uuid.uuid4())
    return response


def busiest_second(times: Iterable[float]) -> int:
    """The most requests in any one-second window (sliding: ``[t, t + 1)`` for every ``t``)."""
    ordered = sorted(times)
    most = first = 0
    for last, moment in enumerate(ordered):
        while ordered[first] <= moment - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def main() -> None:
    """Run the fake LINE API on its own and print what it receives (``python -m tests.fake_line_server``)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=4010)
    server = FakeLineApi().start(parser.parse_args().port)
    print(f"fake LINE API on {server.url}; run the bot with LINE_API_HOST={server.url}", flush=True)
    shown_requests = shown_violations = 0
    try:
        while True:
            time.sleep(0.2)
            requests, violations = list(server.requests), list(server.violations)
            for recorded in requests[shown_requests:]:
                print(f"{recorded.method} {recorded.path} -> {recorded.status}", flush=True)
                body = recorded.json if isinstance(recorded.json, dict) else {}
                for message in body.get("messages", []):
                    text = str(message.get("text", f"[{message.get('type')}]"))
                    print("  " + text.replace("\n", "\n  "), flush=True)
            for violation in violations[shown_violations:]:
                print(f"  VIOLATION {violation}", flush=True)
            shown_requests, shown_violations = len(requests), len(violations)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()

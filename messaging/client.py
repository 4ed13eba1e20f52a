"""Sending messages to LINE and reading back how they did: the LineClient Protocol, the SDK client and a
console client.

Tests use ``tests.fakes.FakeLineClient``. Only message objects built by ``bot/replies.py`` are passed in.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any
from typing import Protocol
from typing import TextIO

import urllib3
from linebot.v3.insight import ApiClient as InsightApiClient
from linebot.v3.insight import ApiException as InsightApiException
from linebot.v3.insight import Configuration as InsightConfiguration
from linebot.v3.insight import Insight
from linebot.v3.messaging import Action
from linebot.v3.messaging import ApiClient
from linebot.v3.messaging import ApiException
from linebot.v3.messaging import ApiResponse
from linebot.v3.messaging import Configuration
from linebot.v3.messaging import Message
from linebot.v3.messaging import MessagingApi
from linebot.v3.messaging import QuotaType
from linebot.v3.messaging import TextMessage
from linebot.v3.messaging.rest import RESTResponse

import metrics
from messaging.build import Prepared
from messaging.build import as_json
from messaging.errors import LineApiError
from settings import Settings

log = logging.getLogger(__name__)

PUSH_PATH = "/v2/bot/message/push"
MULTICAST_PATH = "/v2/bot/message/multicast"
REPLY_PATH = "/v2/bot/message/reply"
# LINE's per-unit statistics cover at most this long after the first day (the spec: 20210301 to 20210331).
STATISTICS_PERIOD = timedelta(days=30)

# Retry only failed connects (the request never reached LINE); everything else is the caller's decision,
# so a push is never sent twice behind the outbox's back.
_RETRIES = urllib3.Retry(total=2, connect=2, read=0, redirect=0, status=0, other=0)
# The SDK's errors for an HTTP answer other than 2xx: each API module has its own class.
_API_ERRORS = (ApiException, InsightApiException)
# urllib3 errors that mean "no HTTP answer": timeouts, refused or dropped connections.
_NO_ANSWER = (
    urllib3.exceptions.TimeoutError,
    urllib3.exceptions.MaxRetryError,
    urllib3.exceptions.ProtocolError,
)


@dataclass(frozen=True)
class LinkClicks:
    """How often one URL in a message was opened; None where LINE withholds a count (too few users)."""

    url: str
    clicks: int | None
    unique_clicks: int | None


@dataclass(frozen=True)
class UnitStatistics:
    """What residents did with the messages sent under one aggregation unit, as LINE counts it.

    ``opened`` is how many users displayed a message, ``clicked`` how many opened any of its links. LINE
    answers None until enough users did (and for a unit it never saw), and no ``clicks`` before anyone opened
    a link.
    """

    opened: int | None
    clicked: int | None
    clicks: tuple[LinkClicks, ...]


class LineClient(Protocol):
    """Sends messages to residents through LINE (SDK, console or fake)."""

    def reply(self, reply_token: str, messages: Sequence[Message]) -> None:
        """Answer a webhook event with its single-use reply token; replies cost no quota."""

    def push(self, user_id: str, messages: Sequence[Message], *, retry_key: str) -> None:
        """Send messages to one user; ``retry_key`` is the UUID fixed when the delivery was planned."""

    def multicast(self, user_ids: Sequence[str], messages: Sequence[Message], *, retry_key: str,
                  aggregation_unit: str | None = None) -> None:
        """Send the same messages to up to 500 users in one request, counted under ``aggregation_unit``
        (``^[a-zA-Z0-9_]{1,30}$``) in LINE's statistics when one is given."""

    def get_quota(self) -> int | None:
        """The month's message limit, or None when the channel has no limit."""

    def get_quota_consumption(self) -> int:
        """Messages sent this month (approximate, as LINE counts them)."""

    def show_rich_menu(self, alias: str) -> str:
        """Make the rich menu that ``alias`` names every user's default; returns its id."""

    def unit_statistics(self, unit: str, since: date, until: date) -> UnitStatistics:
        """How residents opened and clicked the messages sent under ``unit`` from ``since`` to ``until``
        (Japan's dates, inclusive; LINE allows 30 days after ``since``, so a later ``until`` is cut there)."""


class SdkLineClient:
    """LineClient that calls the Messaging API (and its insight part) through line-bot-sdk, with one connection
    pool per API module and instance.

    Failures raise ``LineApiError``. A 409 on push or multicast means LINE already accepted the same
    retry key, so those calls return normally. Nothing is retried here except a failed connect.
    """

    def __init__(self, access_token: str, *, host: str | None = None, timeout: float = 10.0,
                 reply_timeout: float | None = None) -> None:
        configuration = Configuration(access_token=access_token, host=host.rstrip("/") if host else None)
        configuration.retries = _RETRIES
        self._api_client = ApiClient(configuration)
        self._api = MessagingApi(self._api_client)
        insight_configuration = InsightConfiguration(access_token=access_token, host=configuration.host)
        insight_configuration.retries = _RETRIES
        self._insight_client = InsightApiClient(insight_configuration)
        self._insight = Insight(self._insight_client)
        self._timeout = timeout
        # A reply waits less: its token is young only for a minute, and the answer can still go out as a push.
        self._reply_timeout = timeout if reply_timeout is None else min(timeout, reply_timeout)
        self._host = configuration.host
        self._path_prefix = (urllib3.util.parse_url(self._host).path or "").rstrip("/")
        self._pool: urllib3.HTTPConnectionPool | None = None
        self._headers = {**self._api_client.default_headers, "Authorization": f"Bearer {access_token}",
                         "Content-Type": "application/json"}

    @classmethod
    def from_settings(cls, settings: Settings) -> SdkLineClient:
        """Build from ``LINE_CHANNEL_ACCESS_TOKEN`` and ``LINE_API_HOST`` (empty: LINE's own servers)."""
        if not settings.line_channel_access_token:
            raise ValueError("LINE_CHANNEL_ACCESS_TOKEN is not set")
        return cls(settings.line_channel_access_token, host=settings.line_api_host or None,
                   reply_timeout=settings.line_reply_timeout_seconds)

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        for api_client in (self._api_client, self._insight_client):
            api_client.close()
            api_client.rest_client.pool_manager.clear()
        self._pool = None

    def __enter__(self) -> SdkLineClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def reply(self, reply_token: str, messages: Sequence[Message]) -> None:
        """Answer a webhook event with its reply token."""
        body = b'{"replyToken":' + json.dumps(reply_token).encode() + b',"messages":' + _messages_json(messages) + b"}"
        response = self._call("reply", self._post, REPLY_PATH, body, timeout=self._reply_timeout)
        log.info("line.reply.sent", extra={"request_id": _request_id(response), "n_messages": len(messages)})

    def push(self, user_id: str, messages: Sequence[Message], *, retry_key: str) -> None:
        """Send messages to one user with the delivery's retry key."""
        body = b'{"to":' + json.dumps(user_id).encode() + b',"messages":' + _messages_json(messages) + b"}"
        response = self._call("push", self._post, PUSH_PATH, body, retry_key=retry_key)
        if response is not None:
            log.info(
                "line.push.sent",
                extra={
                    "request_id": _request_id(response),
                    "retry_key": retry_key,
                    "n_messages": len(messages),
                },
            )

    def multicast(self, user_ids: Sequence[str], messages: Sequence[Message], *, retry_key: str,
                  aggregation_unit: str | None = None) -> None:
        """Send the same messages to up to 500 users with the batch's retry key, under ``aggregation_unit``
        when one is given."""
        body = b'{"to":' + _json_strings(user_ids) + b',"messages":' + _messages_json(messages)
        if aggregation_unit is not None:
            body += b',"customAggregationUnits":[' + json.dumps(aggregation_unit).encode() + b"]"
        body += b"}"
        response = self._call("multicast", self._post, MULTICAST_PATH, body, retry_key=retry_key)
        if response is not None:
            log.info(
                "line.multicast.sent",
                extra={
                    "request_id": _request_id(response),
                    "retry_key": retry_key,
                    "n_recipients": len(user_ids),
                    "n_messages": len(messages),
                    "aggregation_unit": aggregation_unit,
                },
            )

    def get_quota(self) -> int | None:
        """The month's message limit, or None when the channel has no limit."""
        response = self._call("quota", self._api.get_message_quota_with_http_info)
        quota = response.data
        return None if quota.type == QuotaType.NONE else quota.value

    def get_quota_consumption(self) -> int:
        """Messages sent this month (approximate, as LINE counts them)."""
        response = self._call("quota_consumption", self._api.get_message_quota_consumption_with_http_info)
        return response.data.total_usage

    def show_rich_menu(self, alias: str) -> str:
        """Make the rich menu that ``alias`` names every user's default (two calls: the alias, then the
        default); returns its id."""
        response = self._call("rich_menu_alias", self._api.get_rich_menu_alias_with_http_info, alias)
        rich_menu_id = response.data.rich_menu_id
        self._call("default_rich_menu", self._api.set_default_rich_menu_with_http_info, rich_menu_id)
        log.info("line.rich_menu.default", extra={"alias": alias, "rich_menu_id": rich_menu_id})
        return rich_menu_id

    def unit_statistics(self, unit: str, since: date, until: date) -> UnitStatistics:
        """How residents opened and clicked the messages sent under ``unit`` from ``since`` to ``until``,
        with ``until`` cut to 30 days after ``since`` as LINE requires."""
        until = min(until, since + STATISTICS_PERIOD)
        response = self._call("unit_statistics", self._insight.get_statistics_per_unit_with_http_info, unit,
                              since.strftime("%Y%m%d"), until.strftime("%Y%m%d"))
        statistics = response.data
        return UnitStatistics(
            opened=statistics.overview.unique_impression,
            clicked=statistics.overview.unique_click,
            clicks=tuple(LinkClicks(click.url, click.click, click.unique_click) for click in statistics.clicks),
        )

    def _post(self, path: str, body: bytes, *, _request_timeout: float,
              x_line_retry_key: str | None = None) -> urllib3.BaseHTTPResponse:
        """POST the JSON ``body`` through the SDK's connection pool; a status other than 2xx raises the SDK's
        ``ApiException``, as the SDK's own methods do.

        Replies, pushes and multicasts go this way rather than through ``MessagingApi``: the SDK validates a request
        model field by field, twice (building it, then on the call), which for a multicast to 500 users
        cost several times the HTTP round trip and capped a sender at a few dozen requests a second. The
        messages themselves were built, and validated, by the SDK's models (``messaging.build``). The
        request goes straight to the pool of LINE's host (the pool manager would look it up again for every
        request).
        """
        headers = self._headers if x_line_retry_key is None else {**self._headers,
                                                                   "X-Line-Retry-Key": x_line_retry_key}
        pool = self._pool
        if pool is None or pool.pool is None:  # first use, or closed
            pool = self._pool = self._api_client.rest_client.pool_manager.connection_from_url(self._host)
        response = pool.urlopen("POST", self._path_prefix + path, body=body, headers=headers,
                                timeout=urllib3.Timeout(total=_request_timeout))
        if not 200 <= response.status <= 299:
            raise ApiException(http_resp=RESTResponse(response))
        return response

    def _call(
        self, operation: str, send: Callable[..., ApiResponse | urllib3.BaseHTTPResponse], *args: Any,
        retry_key: str | None = None, timeout: float | None = None
    ) -> ApiResponse | urllib3.BaseHTTPResponse | None:
        """Make one SDK call and translate its failures; None means 409, already accepted."""
        kwargs: dict[str, Any] = {"_request_timeout": self._timeout if timeout is None else timeout}
        if retry_key is not None:
            kwargs["x_line_retry_key"] = retry_key
        try:
            return send(*args, **kwargs)
        except _API_ERRORS as exc:
            headers = exc.headers or {}
            accepted_id = headers.get("x-line-accepted-request-id")
            if exc.status == 409 and retry_key is not None:
                log.info(
                    f"line.{operation}.already_accepted",
                    extra={"accepted_request_id": accepted_id, "retry_key": retry_key},
                )
                return None
            error = LineApiError(exc.status or None, _error_message(exc), accepted_request_id=accepted_id,
                                 retry_after=_retry_after(headers.get("retry-after")))
            _log_failure(operation, error, headers.get("x-line-request-id"))
            raise error from exc
        except _NO_ANSWER as exc:
            kind = _no_answer_kind(exc)
            error = LineApiError(None, f"no answer from LINE ({kind})")
            _log_failure(operation, error, None, no_answer=kind)
            raise error from exc


def _no_answer_kind(exc: Exception) -> str:
    """What kind of "no answer" urllib3 raised, named by its innermost cause: ``ReadTimeoutError`` (LINE took
    too long), ``NewConnectionError`` (refused), ``RemoteDisconnected`` (dropped)… ``MaxRetryError`` and
    ``ProtocolError`` only wrap the cause."""
    cause: BaseException = exc
    while True:
        if isinstance(cause, urllib3.exceptions.MaxRetryError) and cause.reason is not None:
            cause = cause.reason
        elif isinstance(cause, urllib3.exceptions.ProtocolError) and len(cause.args) > 1 \
                and isinstance(cause.args[1], BaseException):
            cause = cause.args[1]
        else:
            return type(cause).__name__


def _messages_json(messages: Sequence[Message]) -> bytes:
    """The messages as the JSON array LINE expects; written once for ``Prepared`` messages."""
    if isinstance(messages, Prepared):
        return messages.json
    return json.dumps([as_json(message) for message in messages]).encode()


def _json_strings(values: Sequence[str]) -> bytes:
    """A JSON array of strings. LINE's user ids (letters and digits) are joined as they are: json's encoder
    escapes string by string, and 500 of them cost a tenth of a millisecond a multicast."""
    plain = "".join(values)
    if plain.isascii() and plain.encode().isalnum():  # bytes.isalnum: str's looks up every character's class
        return ('["' + '","'.join(values) + '"]').encode()
    return json.dumps(list(values)).encode()


def _request_id(response: ApiResponse | urllib3.BaseHTTPResponse | None) -> str | None:
    """The ``X-Line-Request-Id`` of a response, for matching our logs with LINE's."""
    return None if response is None else (response.headers or {}).get("x-line-request-id")


def _retry_after(value: str | None) -> float | None:
    """The seconds of a ``Retry-After`` header (an HTTP date is not expected from LINE and is ignored)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _error_message(exc: ApiException | InsightApiException) -> str:
    """LINE's error message and details from an error body, or the HTTP reason if it has none."""
    try:
        body = json.loads(exc.body)
    except (TypeError, ValueError):
        return str(exc.reason or "")
    if not isinstance(body, dict):
        return str(exc.reason or "")
    details = [
        f"{d.get('property', '?')}: {d.get('message', '')}"
        for d in body.get("details") or []
        if isinstance(d, dict)
    ]
    message = str(body.get("message") or exc.reason or "")
    return f"{message} ({'; '.join(details)})" if details else message


def _log_failure(operation: str, error: LineApiError, request_id: str | None, no_answer: str | None = None) -> None:
    """Count and log a failed call; ``no_answer`` names what happened when LINE did not answer (timeout, refused)."""
    metrics.LINE_API_ERRORS.labels(operation=operation,
                                   status=metrics.NO_ANSWER if error.status is None else str(error.status)).inc()
    log.warning(
        "line.api.failed",
        extra={
            "operation": operation,
            "status": error.status,
            "no_answer": no_answer,
            "retryable": error.retryable,
            "request_id": request_id,
        },
    )


@dataclass(frozen=True)
class QuickReplyChoice:
    """One quick-reply button shown by ConsoleLineClient, kept so a terminal user can pick it by number.

    ``action`` is the SDK action: a ``PostbackAction`` (``data``, ``display_text``) or a ``MessageAction``
    (``text``), or another action type.
    """

    label: str
    action: Action


class ConsoleLineClient:
    """LineClient for development without LINE credentials: prints what the resident would see.

    Text messages print their text, other messages a one-line summary. As in LINE, only the last message's
    quick reply is shown; its buttons print as ``  [1] label`` and stay in ``last_choices``.
    ``stream`` defaults to the current ``sys.stdout``.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self.last_choices: list[QuickReplyChoice] = []

    def reply(self, reply_token: str, messages: Sequence[Message]) -> None:
        """Print a reply."""
        self._show(None, messages)

    def push(self, user_id: str, messages: Sequence[Message], *, retry_key: str) -> None:
        """Print a push under a ``[push]`` header."""
        self._show("[push]", messages)

    def multicast(self, user_ids: Sequence[str], messages: Sequence[Message], *, retry_key: str,
                  aggregation_unit: str | None = None) -> None:
        """Print a multicast under a ``[multicast to N users]`` header (the aggregation unit is not shown)."""
        self._show(f"[multicast to {len(user_ids)} users]", messages)

    def get_quota(self) -> int | None:
        """No limit: nothing printed counts against LINE's quota."""
        return None

    def get_quota_consumption(self) -> int:
        """Nothing is sent to LINE, so nothing is consumed."""
        return 0

    def show_rich_menu(self, alias: str) -> str:
        """Print which rich menu would become everyone's default."""
        (self._stream or sys.stdout).write(f"[rich menu for everyone: {alias}]\n")
        return alias

    def unit_statistics(self, unit: str, since: date, until: date) -> UnitStatistics:
        """No counts: nothing printed reaches LINE, so LINE has nothing to count."""
        return UnitStatistics(None, None, ())

    def _show(self, header: str | None, messages: Sequence[Message]) -> None:
        out = self._stream or sys.stdout
        if header:
            print(header, file=out)
        for message in messages:
            print(_summary(message), file=out)
        self.last_choices = _choices(messages[-1]) if messages else []
        for number, choice in enumerate(self.last_choices, start=1):
            print(f"  [{number}] {choice.label}", file=out)


def _summary(message: Message) -> str:
    """The text of a text message, or a one-line summary of any other message."""
    if isinstance(message, TextMessage):
        return message.text
    data = message.to_dict()
    detail = data.get("altText") or data.get("title") or data.get("originalContentUrl") or ""
    return f"[{data.get('type', '?')}] {detail}".rstrip()


def _choices(message: Message) -> list[QuickReplyChoice]:
    if message.quick_reply is None:
        return []
    return [
        QuickReplyChoice(label=item.action.label or "", action=item.action)
        for item in message.quick_reply.items or []
        if item.action is not None
    ]

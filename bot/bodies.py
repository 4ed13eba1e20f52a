"""Reading a webhook body defensively: its size (chunked or not), its JSON nesting, and text that is not Unicode.

LINE's bodies nest a handful of levels and stay far below a megabyte; anything else is refused before the
JSON parser sees it (Python's parser recurses, so a body nested thousands deep would raise RecursionError).
A lone UTF-16 surrogate (``\\ud800`` escaped in the JSON) is valid JSON but not text: it is replaced by
U+FFFD so that the message is still answered.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import IO
from typing import Any

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import Event

MAX_JSON_DEPTH = 64  # LINE's events nest about 6 levels deep
READ_CHUNK = 64 * 1024
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")  # every byte but the brackets: deleted when counting
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)  # a JSON string literal, escapes included


class BodyTooLarge(Exception):
    """The body is longer than the limit (the webhook answers 413)."""


class MalformedBody(ValueError):
    """The body is not a webhook LINE would send: not UTF-8, not JSON, nested too deep, no events list."""


def read(stream: IO[bytes], limit: int) -> bytes:
    """The whole body from ``stream``, read in chunks; ``BodyTooLarge`` as soon as it passes ``limit`` bytes.

    This holds for chunked bodies too, which carry no Content-Length to check up front.
    """
    parts, size = [], 0
    while chunk := stream.read(min(READ_CHUNK, limit + 1 - size)):
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body over {limit} bytes")
    return b"".join(parts)


def nesting(raw: bytes) -> int:
    """How deep the JSON text ``raw`` nests arrays and objects (brackets inside strings do not count)."""
    outside_strings = _STRING.sub(b"", raw)
    brackets = outside_strings.translate(None, _BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def payload(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """The webhook's JSON object with lone surrogates replaced; ``MalformedBody`` when it is not a webhook."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedBody("not UTF-8") from error
    if nesting(raw) > max_depth:
        raise MalformedBody(f"nested deeper than {max_depth}")
    try:
        body = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise MalformedBody("not JSON") from error
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise MalformedBody("no events list")
    return scrub(body)


def scrub(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys included) replaced by U+FFFD."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, dict):
        return {_clean(key): scrub(item) for key, item in value.items()}
    return value


def _clean(text: str) -> str:
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def events(body: dict[str, Any]) -> list[Event]:
    """The SDK's event objects of ``body`` (as the SDK's own parser builds them)."""
    return [event(raw) for raw in body["events"]]


def event(raw: dict[str, Any]) -> Event:
    """The SDK's event object of one event's JSON; a type this SDK does not know becomes an ``UnknownEvent``."""
    try:
        return Event.from_dict(raw)
    except ValueError:
        return UnknownEvent.new_from_json_dict(raw)

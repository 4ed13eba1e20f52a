"""LINE messages within LINE's limits: text split to size, quick-reply buttons, date pickers, stored messages.

Every builder keeps LINE's limits: at most 5 messages, text ≤ 5,000 UTF-16 code units (long texts are split
at sentence or line boundaries), ≤ 13 quick-reply buttons with labels ≤ 20 characters, postback data and
display text ≤ 300 characters. The bot's replies and push's messages are built here, and only here are LINE
message objects made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from linebot.v3.messaging import DatetimePickerAction
from linebot.v3.messaging import LocationAction
from linebot.v3.messaging import LocationMessage
from linebot.v3.messaging import Message
from linebot.v3.messaging import PostbackAction
from linebot.v3.messaging import QuickReply
from linebot.v3.messaging import QuickReplyItem
from linebot.v3.messaging import TextMessage
from linebot.v3.messaging import URIAction

from messaging import texts

MAX_MESSAGES = 5
MAX_TEXT_UNITS = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_DISPLAY_TEXT = 300

_BREAKS = re.compile(r"(?<=\n)|(?<=[。！？!?])")


def utf16_len(text: str) -> int:
    """Length of ``text`` as LINE counts it: UTF-16 code units (most emoji count as 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` UTF-16 units, at line or sentence ends if possible."""
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in _BREAKS.split(text) if s):
        if utf16_len(current + sentence) <= limit:
            current += sentence
            continue
        if current:
            pieces.append(current)
        current = ""
        while utf16_len(sentence) > limit:
            head = _cut(sentence, limit)
            pieces.append(head)
            sentence = sentence[len(head):]
        current = sentence
    if current:
        pieces.append(current)
    return [p.strip("\n") or p for p in pieces]


def _cut(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-16 units (never halves a surrogate pair)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def label(text: str) -> str:
    """A quick-reply label: ``text`` cut to 20 characters with an ellipsis when longer."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _display(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_DISPLAY_TEXT else text[: MAX_DISPLAY_TEXT - 1] + "…"


def messages(parts: Sequence[str], quick_reply: QuickReply | None = None) -> list[Message]:
    """Text messages for ``parts`` within LINE's limits; the quick reply goes on the last message."""
    chunks = [chunk for part in parts if part for chunk in split_text(part)]
    if len(chunks) > MAX_MESSAGES:
        last = _cut(chunks[MAX_MESSAGES - 1], MAX_TEXT_UNITS - utf16_len(texts.TRUNCATED) - 1)
        chunks = chunks[: MAX_MESSAGES - 1] + [last + "\n" + texts.TRUNCATED]
    result: list[Message] = [TextMessage(text=chunk) for chunk in chunks]
    if quick_reply is not None and result:
        result[-1].quick_reply = quick_reply
    return result


@dataclass(frozen=True)
class DatePick:
    """A quick-reply button opening LINE's date picker; the chosen day comes back as ``params["date"]``.

    ``initial`` is moved into ``first``–``last`` (LINE requires it there, and ``first`` before ``last``).
    """

    text: str
    data: str
    first: date
    last: date
    initial: date


@dataclass(frozen=True)
class Call:
    """A quick-reply button that opens the phone with ``number`` (119, #8000, 0120-…) ready to dial."""

    text: str
    number: str

    @property
    def uri(self) -> str:
        """The ``tel:`` URI: digits, ``#`` written as ``%23`` (a raw ``#`` would start a fragment)."""
        return "tel:" + "".join("%23" if c == "#" else c for c in self.number if c.isdigit() or c == "#")


@dataclass(frozen=True)
class SendLocation:
    """A quick-reply button that opens LINE's map, from which the resident sends where they are."""

    text: str


QuickItem = tuple[str, str, str] | DatePick | Call | SendLocation
MAX_LOCATION_TEXT = 100  # a location message's title and address


def quick_reply(items: Sequence[QuickItem]) -> QuickReply:
    """Quick-reply buttons, at most 13: postbacks from (label, data, display text) triples, date pickers,
    phone calls and the send-location button."""
    return QuickReply(items=[_item(item) for item in items[:MAX_QUICK_REPLIES]])


def _item(item: QuickItem) -> QuickReplyItem:
    if isinstance(item, SendLocation):
        return QuickReplyItem(action=LocationAction(label=label(item.text)))
    if isinstance(item, Call):
        return QuickReplyItem(action=URIAction(label=label(item.text), uri=item.uri))
    if isinstance(item, DatePick):
        initial = min(max(item.initial, item.first), item.last)
        return QuickReplyItem(action=DatetimePickerAction(
            label=label(item.text), data=item.data, mode="date", initial=initial.isoformat(),
            min=item.first.isoformat(), max=item.last.isoformat()))
    text, data, shown = item
    return QuickReplyItem(action=PostbackAction(label=label(text), data=data, display_text=_display(shown)))


def location(title: str, address: str, latitude: float, longitude: float) -> Message:
    """A location message (a map pin): title and address cut to LINE's 100 characters."""
    return LocationMessage(title=_cut(title, MAX_LOCATION_TEXT) or "-", address=_cut(address, MAX_LOCATION_TEXT) or "-",
                           latitude=latitude, longitude=longitude)


def as_json(message: Message) -> dict:
    """LINE's JSON of ``message``, as the SDK's ``to_dict()`` writes it, in a quarter of the time (40 against
    160 µs for a text with four buttons): ``to_dict`` has pydantic write the nested models, then writes each
    again with their own ``to_dict``, so that a quick reply's actions are written three times over."""
    return message.dict(by_alias=True, exclude_none=True)


def from_stored(stored: Sequence[dict]) -> list[Message]:
    """Messages rebuilt from their stored JSON (the push outbox keeps what this module built)."""
    return [Message.from_dict(message) for message in stored]


class Prepared(tuple):
    """Messages with their request JSON written once (``json``: the array LINE expects, encoded).

    Content sent in many requests (a broadcast: one multicast per 500 residents) is serialised once instead of
    once a request; ``messaging.client.SdkLineClient`` sends ``json`` as it is. Any other client reads it as
    the tuple of messages it is.
    """

    json: bytes


def prepared(messages: Sequence[Message], *, stored: Sequence[dict] | None = None) -> Prepared:
    """``messages`` as a ``Prepared`` tuple, their JSON written now (from ``stored``, their ``as_json``,
    when the caller has them already)."""
    result = Prepared(messages)
    result.json = json.dumps(list(stored) if stored is not None else [as_json(message) for message in result]).encode()
    return result


def combine(*parts: Sequence[Message]) -> list[Message]:
    """Several replies sent as one: at most five messages, the later ones dropped."""
    return [message for part in parts for message in part][:MAX_MESSAGES]


def text(message: str) -> list[Message]:
    """One fixed text from ``bot.texts``."""
    return messages([message])


def jp_date(day: date) -> str:
    """「12月15日(月)」."""
    return texts.DATE.format(month=day.month, day=day.day, weekday=texts.WEEKDAYS[day.weekday()])


def jp_full_date(day: date) -> str:
    """「2027年3月5日(金)」."""
    return texts.DATE_FULL.format(year=day.year, month=day.month, day=day.day) + f"({texts.WEEKDAYS[day.weekday()]})"

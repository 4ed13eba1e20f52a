"""The route's decision as plain data, recorded while a text is answered (``ask --explain``).

A trace is a list of stages, each a name and a detail dict, in the order the route ran them: ``query``,
``step``, one ``intent`` per intent tried, ``faq``, ``reply`` (a question handed back by a step adds its
own stages). The route adds one with ``ctx.note(name, **detail)``, a no-op unless a trace is being
collected, so a new stage is one line. Results, hits and replies are turned into JSON-ready data as they
are noted (dataclasses become dicts with their type, long texts are cut), so a console can render the
same data; the text rendering lives in ``bot/cli.py``. A trace is shown to staff and never logged or stored.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from typing import Any

from linebot.v3.messaging import Message
from linebot.v3.messaging import TextMessage

MAX_TEXT = 60  # characters of a text kept in a summary
MAX_ITEMS = 8  # items of a list kept in a summary
MAX_DEPTH = 4  # nesting kept in a summary


@dataclasses.dataclass(frozen=True)
class Stage:
    """One step of the route: its name and what it found, as plain data."""

    name: str
    detail: dict[str, Any]


@dataclasses.dataclass
class Trace:
    """The stages of one answer, in order."""

    stages: list[Stage] = dataclasses.field(default_factory=list)

    def add(self, name: str, detail: Mapping[str, Any]) -> None:
        """Add a stage, turning its detail into plain data now (the objects may change or vanish later)."""
        self.stages.append(Stage(name, {key: plain(value) for key, value in detail.items()}))

    def named(self, name: str) -> list[dict[str, Any]]:
        """The details of every stage with this name, in order."""
        return [stage.detail for stage in self.stages if stage.name == name]

    def as_data(self) -> list[dict[str, Any]]:
        """The trace as JSON-ready data: one ``{"stage": name, **detail}`` per stage."""
        return [{"stage": stage.name, **stage.detail} for stage in self.stages]


def plain(value: Any, depth: int = 0) -> Any:
    """A short JSON-ready summary of ``value``: dataclasses as dicts with their ``type``, LINE messages by
    what a resident sees, enums by value, dates in ISO form, long texts and lists cut."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Message):
        return message_summary(value)
    if depth >= MAX_DEPTH:
        return "…"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name), depth + 1)
                  for f in dataclasses.fields(value) if f.repr and not f.name.startswith("_")}
        return {"type": type(value).__name__, **fields}
    if isinstance(value, Mapping):
        return {str(key): plain(item, depth + 1) for key, item in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, set | frozenset):
        value = sorted(value, key=str)
    if isinstance(value, list | tuple):
        items = [plain(item, depth + 1) for item in value[:MAX_ITEMS]]
        return items + [f"… {len(value) - MAX_ITEMS} more"] if len(value) > MAX_ITEMS else items
    return type(value).__name__


def message_summary(message: Message) -> dict[str, Any]:
    """A message's type, the start of its text and its quick-reply labels."""
    summary: dict[str, Any] = {"type": message.type}
    if isinstance(message, TextMessage):
        summary["text"] = plain(message.text)
    if message.quick_reply is not None:
        summary["buttons"] = [item.action.label for item in message.quick_reply.items]
    return summary

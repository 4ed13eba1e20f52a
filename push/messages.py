"""The messages push sends, built from ``messaging``'s texts: garbage reminders, life-stage and broadcast texts,
and the aggregation unit that tags a broadcast's messages for LINE's statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from messaging import build
from messaging import texts


def garbage_reminder(area: str, day: date, categories: Sequence[str]) -> list[dict]:
    """The evening-before reminder: tomorrow's categories in the resident's area (as stored message dicts)."""
    text = texts.REMINDER_MESSAGE.format(date=build.jp_date(day), area=area, categories="】【".join(categories))
    return stored(text)


def stored(text: str) -> list[dict]:
    """A text as the outbox stores it: LINE message dicts within LINE's limits."""
    return [build.as_json(message) for message in build.text(text)]


def aggregation_unit(broadcast_id: int) -> str:
    """The LINE aggregation unit a broadcast's multicasts carry, to read its opens and clicks back from LINE's
    insight API: one per broadcast, within LINE's ``^[a-zA-Z0-9_]{1,30}$``."""
    return f"broadcast_{broadcast_id}"

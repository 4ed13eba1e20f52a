"""「ごみの通知」: a resident chooses which garbage categories to be reminded of the evening before."""

from __future__ import annotations

from dataclasses import dataclass

from garbage.answers import NeedArea
from garbage.answers import resolve_area
from intents.base import IntentContext
from intents.requests import Topic
from intents.requests import read_request
from japanese.normalize import normalize
from residents import service as residents
from search.docs import Query

_PHRASES = (
    "ごみの通知", "ごみ通知", "ごみの通知設定", "ごみのお知らせ", "ごみのリマインダー", "ごみリマインダー",
    "収集日の通知", "収集日のお知らせ", "前日通知", "前日のお知らせ", "ごみの日の通知", "ごみの日のお知らせ",
    "リマインダー", "ごみ出しの通知", "ごみ出し通知",
)
_KEYS = frozenset(normalize(p) for p in _PHRASES)


@dataclass(frozen=True)
class ReminderSettings:
    """The categories collected in the resident's area, and which of them they are reminded of."""

    area: str
    categories: tuple[str, ...]
    chosen: frozenset[str]


def settings_for(ctx: IntentContext) -> ReminderSettings | NeedArea | None:
    """The resident's reminder settings (NeedArea when their area is unknown; None without garbage data)."""
    catalog = ctx.garbage
    if catalog is None or not catalog.schedules or ctx.line_user_id is None:
        return None
    area = resolve_area(catalog, ctx.area)
    if area is None:
        return NeedArea("ごみの通知")
    categories = tuple(catalog.schedules.get(area, {}))
    chosen = frozenset(residents.reminder_categories(ctx.session, ctx.line_user_id)) & set(categories)
    return ReminderSettings(area, categories, chosen)


class ReminderIntent:
    """Recognises a request to set garbage-day reminders."""

    name = "garbage_reminder"

    def match(self, query: Query) -> bool | None:
        """True when the message asks about garbage reminders (「ごみの前の日に教えてほしい」)."""
        if query.key in _KEYS:
            return True
        request = read_request(query.text)
        return True if request is not None and request.topic is Topic.GARBAGE else None

    def handle(self, match: bool, ctx: IntentContext) -> ReminderSettings | NeedArea | None:
        """The current settings, to be changed with buttons."""
        return settings_for(ctx)


INTENT = ReminderIntent()

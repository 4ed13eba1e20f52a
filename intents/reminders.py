"""「ごみの通知」: a resident chooses which garbage categories to be reminded of the evening before.

Read from own words too (「ごみの通知いらない」, 「ごみの日のお知らせ欲しい」), before the collection-day
question: a stop asked for before any area (so any reminder) is set is told so kindly, without asking for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from garbage.answers import NeedArea
from garbage.answers import resolve_area
from intents.base import IntentContext
from intents.requests import Action
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


@dataclass(frozen=True)
class NoReminders:
    """A stop asked for while no garbage-day reminder is set: there is nothing to stop."""


@dataclass(frozen=True)
class RemindersHowTo:
    """A reminder request with no resident to set it for (``flask ask``): how to set it in the chat."""


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

    def match(self, query: Query) -> str | None:
        """「stop」 when the message asks to stop garbage reminders (「ごみの通知いらない」), 「show」 for any
        other request about them (「ごみの前の日に教えてほしい」)."""
        if query.key in _KEYS:
            return "show"
        request = read_request(query.text)
        if request is None or request.topic is not Topic.GARBAGE:
            return None
        return "stop" if request.action in (Action.STOP, Action.DELETE) and not request.question else "show"

    def handle(self, match: str, ctx: IntentContext
               ) -> ReminderSettings | NeedArea | NoReminders | RemindersHowTo | None:
        """The current settings, to be changed with buttons; a stop before any area is set (so no reminder
        either) says so, without asking for the area."""
        if ctx.line_user_id is None:
            return RemindersHowTo() if ctx.garbage is not None and ctx.garbage.schedules else None
        settings = settings_for(ctx)
        if match == "stop" and isinstance(settings, NeedArea):  # with an area, the settings say none is on
            return NoReminders()
        return settings


INTENT = ReminderIntent()

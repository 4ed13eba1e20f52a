"""The area and garbage-reminder dialogue: ask for the resident's area, set it, switch reminders."""

from __future__ import annotations

from bot import conversation
from bot import postbacks
from bot import replies
from bot.context import Context
from bot.context import Reply
from bot.context import intent_context
from garbage.areas import AreaInfo
from garbage.areas import clear_choice
from garbage.areas import match_areas
from intents.reminders import ReminderSettings
from intents.reminders import settings_for as reminder_settings_for
from intents.settings import AskConsent
from intents.settings import settings_for
from messaging import build
from messaging import texts
from push import planning
from residents import service as residents


def _areas(ctx: Context) -> list[AreaInfo]:
    """The city's garbage areas."""
    return ctx.garbage.areas if ctx.garbage is not None else []


def area_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    names = [area.name for area in _areas(ctx) if postbacks.area_key(area.name) == values.get("k")]
    if not names:
        return Reply(build.text(texts.STALE_BUTTON))
    open_step = conversation.current(ctx.session, user_id, ctx.now)
    return _set_area(ctx, user_id, names[0], then=open_step.data.get("then") if open_step else None)


def area_answer(ctx: Context, user_id: str, text: str, data: dict) -> Reply:
    """The resident answered 「どの地域？」: set the area if it is clear, else offer choices or ask again."""
    areas = _areas(ctx)
    if not areas:
        conversation.end(ctx.session, user_id)
        return Reply(build.text(texts.AREA_NONE_CONFIGURED), "intent", intent="area")
    matches = match_areas(areas, text)
    if (choice := clear_choice(matches)) is not None:
        return _set_area(ctx, user_id, choice.name, then=data.get("then"))
    if matches:
        return Reply(replies.area_choices([area.name for area, _score in matches]), "intent", intent="area")
    return Reply(replies.area_not_found(text), "intent", intent="area")


def _set_area(ctx: Context, user_id: str, name: str, *, then: str | None) -> Reply:
    """Store the resident's area and close the dialogue; the question that waited for it is handed back."""
    before = (found := residents.find(ctx.session, user_id)) and found.area
    residents.set_area(ctx.session, user_id, name, ctx.now)
    if before and before != name:
        planning.cancel_area_reminders(ctx.session, user_id)
    conversation.end(ctx.session, user_id)
    return Reply(replies.area_set(name), "intent", intent="area", then=then)


def remind_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """Switch one category's reminder (or all of them) and show the new settings.

    Turning a reminder on without consent to push keeps the choice and asks for consent: no reminder
    is sent before the resident agrees.
    """
    key, on = values.get("k", ""), values.get("on") == "1"
    settings = reminder_settings_for(intent_context(ctx, user_id))
    if not isinstance(settings, ReminderSettings):
        return Reply(build.text(texts.STALE_BUTTON))
    targets = set(settings.categories) if key == "*" else {
        c for c in settings.categories if postbacks.area_key(c) == key}
    if not targets:
        return Reply(build.text(texts.STALE_BUTTON))
    chosen = (set(settings.chosen) | targets) if on else (set(settings.chosen) - targets)
    residents.set_reminder_categories(ctx.session, user_id, chosen, ctx.now)
    if not on:
        planning.cancel_garbage_reminders(ctx.session, user_id, targets)
    updated = ReminderSettings(settings.area, settings.categories, frozenset(chosen))
    messages = replies.reminder_settings(updated, saved=True)
    if on and isinstance(consent := settings_for(ctx.session, user_id, then="reminders"), AskConsent):
        messages = build.combine(messages, replies.ask_consent(consent, notes=[texts.REMINDER_NEEDS_CONSENT]))
    return Reply(messages, "intent", intent="garbage_reminder")

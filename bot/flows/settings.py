"""The push-settings dialogue: consent, categories, 「配信停止」, baby messages and the resident's own birth date."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from linebot.v3.messaging import Message

from bot import conversation
from bot import postbacks
from bot.context import Context
from bot.context import Reply
from bot.context import area_of
from bot.context import intent_context
from bot.conversation import Step
from bot.flows.children import children_messages
from bot.replies import common
from bot.replies import garbage as garbage_replies
from bot.replies import settings as settings_replies
from intents.dates import read_date
from intents.reminders import ReminderSettings
from intents.reminders import settings_for as reminder_settings_for
from intents.settings import AskConsent
from intents.settings import BabyMessages
from intents.settings import ChooseCategories
from intents.settings import StopPush
from intents.settings import settings_for
from messaging import build
from messaging import texts
from push import outbox
from push import planning
from residents import dates as date_rules
from residents import service as residents
from residents.categories import CATEGORIES
from residents.categories import CHILDCARE
from residents.categories import ELDERLY
from search.docs import Query

log = logging.getLogger(__name__)


# ---- consent, categories and 「配信停止」 -------------------------------------------------------------------

def _settings_messages(ctx: Context, user_id: str, notes: Sequence[str] = ()) -> list[Message]:
    settings = settings_for(ctx.session, user_id)
    if isinstance(settings, AskConsent):
        return settings_replies.ask_consent(settings, notes=notes)
    return settings_replies.push_settings(settings, notes=notes)


def settings_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """Show the push settings, or (s=area) ask for the resident's area."""
    if values.get("s") == "area":
        conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=None)
        return Reply(garbage_replies.ask_area(area_of(ctx, user_id)), "intent", intent="area")
    return Reply(_settings_messages(ctx, user_id), "intent", intent="push_settings")


def consent_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「同意して受け取る」: record consent, then show what the resident came for."""
    residents.give_consent(ctx.session, user_id, ctx.now)
    if (open_step := conversation.current(ctx.session, user_id, ctx.now)) and open_step.step is Step.ASK_CONSENT:
        conversation.end(ctx.session, user_id)
    log.info("resident.consented", extra={"user": residents.resident_hash(ctx.secret, user_id)})
    then = values.get("then")
    if (change := ChooseCategories.from_then(then)) is not None:  # what the resident asked for in words
        return Reply(_switch(ctx, user_id, change, notes=[texts.CONSENT_THANKS]), "intent", intent="push_settings")
    if then == "children":
        return Reply(children_messages(ctx, user_id, notes=[texts.CONSENT_THANKS]), "intent", intent="children")
    if then == "reminders" and isinstance(settings := reminder_settings_for(intent_context(ctx, user_id)),
                                          ReminderSettings):
        return Reply(build.combine(build.text(texts.CONSENT_THANKS), garbage_replies.reminder_settings(settings)),
                     "intent", intent="garbage_reminder")
    return Reply(_settings_messages(ctx, user_id, notes=[texts.CONSENT_THANKS]), "intent", intent="push_settings")


def category_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """Switch one push category; 高齢者 on asks for the resident's own birth date, off forgets it."""
    category, on = values.get("k", ""), values.get("on") == "1"
    if category not in CATEGORIES:
        return Reply(build.text(texts.STALE_BUTTON))
    if isinstance(settings := settings_for(ctx.session, user_id), AskConsent):
        return Reply(settings_replies.ask_consent(settings), "intent", intent="push_settings")
    change = ChooseCategories(frozenset({category})) if on else ChooseCategories(frozenset(), frozenset({category}))
    return Reply(_switch(ctx, user_id, change), "intent", intent="push_settings")


def choose_categories(ctx: Context, user_id: str, result: ChooseCategories) -> list[Message]:
    """Categories named in the resident's own words (「防災のお知らせだけ欲しい」): switched as the buttons do."""
    return _switch(ctx, user_id, result)


def _switch(ctx: Context, user_id: str, change: ChooseCategories, notes: Sequence[str] = ()) -> list[Message]:
    """Turn categories on and off and show the settings; 高齢者 on asks for the own birth date, off forgets it.

    Turning 子育て on also resumes the pregnancy and baby notices if they were stopped.
    """
    before = residents.subscriptions(ctx.session, user_id)
    resident = residents.find(ctx.session, user_id)
    changed = False
    for category in CATEGORIES:
        if category in change.on and category not in before:
            resident = residents.set_subscription(ctx.session, user_id, category, True, ctx.now)
            changed = True
        elif category in change.off and category in before:
            resident = residents.set_subscription(ctx.session, user_id, category, False, ctx.now)
            planning.cancel_category(ctx.session, user_id, category)
            changed = True
    notes = [*notes, texts.SETTINGS_SAVED if changed else texts.SETTINGS_ALREADY]
    if ELDERLY in change.off and resident.birth_date is not None:
        _cancel_own_pushes(ctx, user_id, changed_to=None)
        residents.set_birth_date(ctx.session, user_id, None, ctx.now)
        notes.append(texts.OWN_BIRTH_REMOVED)
    if CHILDCARE in change.on and resident.stop_baby:
        residents.set_stop_baby(ctx.session, user_id, False, ctx.now)
    if CHILDCARE in change.on and not residents.children(ctx.session, user_id):
        notes.append(texts.CHILDCARE_HINT)
    messages = _settings_messages(ctx, user_id, notes)
    if ELDERLY in change.on and resident.birth_date is None:
        conversation.start(ctx.session, user_id, Step.ASK_OWN_BIRTH_DATE, ctx.now)
        messages = build.combine(messages, settings_replies.ask_own_birth_date(ctx.today))
    return messages


def stop_push(ctx: Context, user_id: str, result: StopPush) -> list[Message]:
    """「配信停止」: withdraw consent (categories and children are kept) and cancel queued pushes."""
    was_on = residents.withdraw_consent(ctx.session, user_id)
    cancelled = outbox.cancel_for_resident(ctx.session, user_id, "push-stopped")
    log.info("resident.push_stopped", extra={"user": residents.resident_hash(ctx.secret, user_id),
                                             "was_on": was_on, "outbox_rows": cancelled})
    return settings_replies.push_stopped(was_on)


def stop_push_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    return Reply(stop_push(ctx, user_id, StopPush()), "intent", intent="push_settings")


def baby_messages(ctx: Context, user_id: str, result: BabyMessages) -> list[Message]:
    """Stop or resume pregnancy and baby messages quietly: no reason asked, nothing else changed.

    Resuming asks for consent first when the resident has not given it (子育て is turned on once they
    agree), and otherwise turns 子育て on too when it was off: the resident asked to receive them.
    """
    residents.set_stop_baby(ctx.session, user_id, result.stop, ctx.now)
    if result.stop:
        planning.cancel_baby(ctx.session, user_id)
        return settings_replies.baby_messages(result.stop)
    if isinstance(consent := settings_for(ctx.session, user_id), AskConsent):  # nothing starts before it
        return settings_replies.ask_consent(AskConsent(consent.kept, ChooseCategories(frozenset({CHILDCARE})).then()))
    notes = []
    if CHILDCARE not in residents.subscriptions(ctx.session, user_id):
        residents.set_subscription(ctx.session, user_id, CHILDCARE, True, ctx.now)
        notes.append(texts.CHILD_CHILDCARE_ON)
    return build.combine(settings_replies.baby_messages(result.stop), build.messages(notes) if notes else [])


def baby_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    return Reply(baby_messages(ctx, user_id, BabyMessages(stop=values.get("on") != "1")), "intent",
                 intent="push_settings")


# ---- the resident's own birth date (高齢者) ------------------------------------------------------------------

def own_birth_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """The date picker (op=set), 「登録しない」 (op=skip), or the question again (op=ask, or no date sent)."""
    if not _wants_elderly(ctx, user_id):
        return Reply(build.text(texts.STALE_BUTTON))
    op = values.get("op")
    if op == "skip":
        conversation.end(ctx.session, user_id)
        return Reply(build.text(texts.OWN_BIRTH_SKIPPED), "intent", intent="own_birth_date")
    if op == "set" and (day := postbacks.picked_date(params.get("date"))) is not None:
        return _set_own_birth_date(ctx, user_id, day)
    conversation.start(ctx.session, user_id, Step.ASK_OWN_BIRTH_DATE, ctx.now)
    return Reply(settings_replies.ask_own_birth_date(ctx.today, explain=op == "ask"), "intent", intent="own_birth_date")


def own_birth_answer(ctx: Context, user_id: str, query: Query, data: dict) -> Reply | None:
    """A typed birth date for 高齢者 messages; None when the text is not a date."""
    reading = read_date(query.text, ctx.today)
    if reading is None:
        return None
    if not _wants_elderly(ctx, user_id):
        conversation.end(ctx.session, user_id)
        return Reply(build.text(texts.STALE_BUTTON))
    if isinstance(reading, date):
        return _set_own_birth_date(ctx, user_id, reading)
    asked = settings_replies.ask_own_birth_date(ctx.today, explain=False, notes=[common.date_problem(reading)])
    return Reply(asked, "intent", intent="own_birth_date")


def _set_own_birth_date(ctx: Context, user_id: str, day: date) -> Reply:
    if (reason := date_rules.own_birth_refusal(day, ctx.today)) is not None:
        conversation.start(ctx.session, user_id, Step.ASK_OWN_BIRTH_DATE, ctx.now)
        asked = settings_replies.ask_own_birth_date(ctx.today, explain=False, notes=[common.date_refused(reason, day)])
        return Reply(asked, "intent", intent="own_birth_date")
    _cancel_own_pushes(ctx, user_id, changed_to=day)
    residents.set_birth_date(ctx.session, user_id, day, ctx.now)
    conversation.end(ctx.session, user_id)
    return Reply(build.text(texts.OWN_BIRTH_SET.format(date=build.jp_full_date(day))), "intent",
                 intent="own_birth_date")


def _wants_elderly(ctx: Context, user_id: str) -> bool:
    """The own birth date is kept only for a consenting resident who receives 高齢者 messages."""
    resident = residents.find(ctx.session, user_id)
    return (resident is not None and resident.consent_at is not None
            and ELDERLY in residents.subscriptions(ctx.session, user_id))


def _cancel_own_pushes(ctx: Context, user_id: str, *, changed_to: date | None) -> None:
    """Cancel the life-stage pushes queued from the resident's own birth date when it changes or goes."""
    resident = residents.find(ctx.session, user_id)
    if resident is None or resident.birth_date in (None, changed_to):
        return
    planning.cancel_own(ctx.session, user_id, resident.id)

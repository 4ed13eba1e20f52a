"""The area and garbage-reminder dialogue: ask for the resident's area, set it, switch reminders."""

from __future__ import annotations

import re

from linebot.v3.messaging import Message

from bot import conversation
from bot import postbacks
from bot.context import Context
from bot.context import Reply
from bot.context import intent_context
from bot.conversation import Step
from bot.flows.elsewhere import faq_knows
from bot.flows.elsewhere import taken_by_intent
from bot.replies import garbage as garbage_replies
from bot.replies import settings as settings_replies
from disaster import notices
from garbage.answers import NeedArea
from garbage.answers import categories_in_text
from garbage.answers import day_question
from garbage.answers import is_when_question
from intents.area import AskArea
from intents.reminders import ReminderSettings
from intents.reminders import settings_for as reminder_settings_for
from intents.settings import AskConsent
from intents.settings import settings_for
from intents.smalltalk import Talk
from intents.smalltalk import talk_of
from japanese.normalize import normalize
from japanese.sentences import is_question
from messaging import build
from messaging import texts
from push import planning
from residents import service as residents
from search.areas import AreaInfo
from search.areas import clear_choice
from search.areas import looks_like_place
from search.areas import match_areas
from search.docs import Query

# A text longer than this that names no area and no place is something else said (「ほんまにどないなっとんねん、
# 粗大ごみ出したいんやけど」), not an area typed wrong: the step lets go of it.
LONGEST_AREA_ANSWER = 24


def _areas(ctx: Context) -> list[AreaInfo]:
    """The city's garbage areas."""
    return ctx.garbage.areas if ctx.garbage is not None else []


def ask_area(ctx: Context, user_id: str | None, result: AskArea) -> list[Message]:
    """「地域設定」: ask for the area (naming the current one) and wait for the answer."""
    if user_id is not None:
        conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=None)
    return garbage_replies.ask_area(result.current)


def need_area(ctx: Context, user_id: str | None, result: NeedArea) -> list[Message]:
    """A garbage question needs the area: ask for it, and keep the question to answer once it is set."""
    if user_id is not None:
        conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=_question_to_keep(ctx, result.then))
    return garbage_replies.need_area()


# Garbage questions the bot asks itself once the area is known (never shown): what is kept is rebuilt from
# what the resident asked, so nothing else they wrote in the message is stored with their id.
_DAY_QUESTION = "{label}のごみ"
_NEXT_QUESTION = "次の{categories}はいつ？"
_ANY_NEXT_QUESTION = "ごみの収集日はいつ？"


def _question_to_keep(ctx: Context, text: str) -> str:
    """The garbage question to answer later, rebuilt from its day or categories (「明日のごみ」, 「次の…はいつ？」)."""
    if (day := day_question(text)) is not None:
        return _DAY_QUESTION.format(label=day[1])
    if is_when_question(text):
        categories = categories_in_text(ctx.garbage, text) if ctx.garbage is not None else []
        return _NEXT_QUESTION.format(categories="・".join(categories)) if categories else _ANY_NEXT_QUESTION
    return text


def area_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """An area chosen from the buttons offered: set it."""
    names = [area.name for area in _areas(ctx) if postbacks.area_key(area.name) == values.get("k")]
    if not names:
        return Reply(build.text(texts.STALE_BUTTON))
    open_step = conversation.current(ctx.session, user_id, ctx.now)
    return _set_area(ctx, user_id, names[0], then=open_step.data.get("then") if open_step else None)


def area_answer(ctx: Context, user_id: str, query: Query, data: dict) -> Reply | None:
    """The resident answered 「どの地域？」: set the area if it is clear, else offer choices or list them all.

    A number picks from the areas listed before; a garbage question naming an area sets it and is answered.
    The step lets go (None) of any other question, of a text an intent answers, and of a text naming no
    area that is no place name either but something the FAQ knows (「児童手当」): the resident has moved
    on, and the question waiting for the area is kept.
    """
    areas = _areas(ctx)
    if not areas:
        conversation.end(ctx.session, user_id)
        return Reply(build.text(texts.AREA_NONE_CONFIGURED), "intent", intent="area")
    if (picked := _numbered(query, data.get("offered") or [])) is not None:
        return _set_area(ctx, user_id, picked, then=data.get("then"))
    matches = match_areas(areas, query)
    choice = clear_choice(matches)
    if choice is None and _unsure(query):  # 「よくわからない」, 「どこかわからない」: the list, kindly
        return _list_areas(ctx, user_id, areas, data, typed=None)
    if is_question(query.text):  # 「林の燃えるごみはいつ？」 answers the step and asks anew
        if choice is not None and taken_by_intent(ctx, user_id, query):
            return _set_area(ctx, user_id, choice.name, then=query.text)
        return None
    if choice is not None:
        return _set_area(ctx, user_id, choice.name, then=data.get("then"))
    if taken_by_intent(ctx, user_id, query):
        return None
    if matches:
        names = [area.name for area, _score in matches]
        conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=data.get("then"), offered=names)
        return Reply(garbage_replies.area_choices(names), "intent", intent="area")
    if not looks_like_place(query.text) and not _names_the_city(ctx, query) and (
            len(query.key) > LONGEST_AREA_ANSWER or faq_knows(ctx, query)):
        return None
    return _list_areas(ctx, user_id, areas, data, typed=query.text)


def _list_areas(ctx: Context, user_id: str, areas: list[AreaInfo], data: dict, *, typed: str | None) -> Reply:
    """List every area, numbered, and keep asking (a number typed next picks one)."""
    names = [area.name for area in areas]
    conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=data.get("then"), offered=names)
    return Reply(garbage_replies.area_list(typed, names), "intent", intent="area")


# What a resident who does not know their area may say around 「わからない」: 「町名が」, 「どこか」, 「うちの地区は」.
_ABOUT_AREA = re.compile(r"^(?:うちの|自分の|じぶんの)?(?:町名|ちょうめい|地区名|地区|ちく|地域|ちいき|住所|じゅうしょ"
                         r"|どこ|どれ|どの地域|どの地区|何地区)?(?:が|は|か|も|の名前|のなまえ)*")


def _unsure(query: Query) -> bool:
    """True when the resident says they do not know (「よくわからない」, 「わからん」, 「地区がわかりません」)."""
    rest = _ABOUT_AREA.sub("", query.key)
    return bool(rest) and talk_of(Query.of(rest)) is Talk.UNSURE


def _names_the_city(ctx: Context, query: Query) -> bool:
    """True when the text names the city itself (「かもめ市のどこか」): an answer about where, too vague to place."""
    stem = normalize(ctx.city.name).removesuffix("市").removesuffix("町").removesuffix("村")
    return len(stem) >= 2 and stem in query.key


def later_answer(ctx: Context, user_id: str, query: Query, data: dict) -> Reply | None:
    """No step is open but a garbage question waits for the area: a text that clearly names one sets it."""
    if is_question(query.text) or (choice := clear_choice(match_areas(_areas(ctx), query))) is None:
        return None
    if taken_by_intent(ctx, user_id, query):
        return None
    return _set_area(ctx, user_id, choice.name, then=None)


def _numbered(query: Query, offered: list[str]) -> str | None:
    """The area listed under the number the resident typed (「2」, 「２番」), if it is one of them."""
    if (m := _NUMBER.fullmatch(query.key)) is None or not 1 <= int(m[1]) <= len(offered):
        return None
    return offered[int(m[1]) - 1]


_NUMBER = re.compile(r"(\d{1,3})(?:番|ばん|です|で|でお願いします|にします)?")


def _set_area(ctx: Context, user_id: str, name: str, *, then: str | None) -> Reply:
    """Store the resident's area and close the dialogue; the question that waited for it is handed back."""
    before = (found := residents.find(ctx.session, user_id)) and found.area
    residents.set_area(ctx.session, user_id, name, ctx.now)
    if before and before != name:
        planning.cancel_area_reminders(ctx.session, user_id)
    then = then or conversation.take_later(ctx.session, user_id, ctx.now)
    conversation.end(ctx.session, user_id)
    answer = garbage_replies.area_set(name)
    if grave := notices.in_force(ctx.session, name):  # an evacuation notice for the area: said before anything else
        notice = grave[0]
        answer = build.combine(build.text(texts.AREA_NOTICE_IN_FORCE.format(
            area=name, level=notice.level, name=notice.name, action=texts.NOTICE_ACTIONS[notice.level])), answer)
    return Reply(answer, "intent", intent="area", then=then)


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
    messages = garbage_replies.reminder_settings(updated, saved=True)
    if on and isinstance(consent := settings_for(ctx.session, user_id, then="reminders"), AskConsent):
        asked = settings_replies.ask_consent(consent, notes=[texts.REMINDER_NEEDS_CONSENT])
        messages = build.combine(messages, asked)
    return Reply(messages, "intent", intent="garbage_reminder")

"""One route for every event: follow, unfollow, postbacks and text, each to the right answer.

A text goes, in this order and each tried once: the health triage (119 first), flood control (a resident
sending dozens a minute gets one notice), the open conversation step (only if the text answers it), the
intents (first match wins), the FAQ. It is normalised once, into a ``Query`` every stage reads. Whatever
answers returns plain data; ``RESULTS`` says, per result type, what the bot does with it (open a step,
change a setting) and how it is shown. The webhook, ``chat`` and ``ask`` share this path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from linebot.v3.messaging import Message
from linebot.v3.webhooks import Event
from linebot.v3.webhooks import FollowEvent
from linebot.v3.webhooks import JoinEvent
from linebot.v3.webhooks import LocationMessageContent
from linebot.v3.webhooks import MessageEvent
from linebot.v3.webhooks import PostbackEvent
from linebot.v3.webhooks import StickerMessageContent
from linebot.v3.webhooks import TextMessageContent
from linebot.v3.webhooks import UnfollowEvent
from linebot.v3.webhooks import UserSource

import runtime
from bot import conversation
from bot import postbacks
from bot import querylog
from bot.context import Context
from bot.context import Reply
from bot.context import intent_context
from bot.conversation import Step
from bot.flows import areas
from bot.flows import children
from bot.flows import faq
from bot.flows import flood
from bot.flows import health
from bot.flows import items
from bot.flows import my_data
from bot.flows import settings
from bot.flows import shelters
from bot.replies import common
from bot.replies import garbage as garbage_replies
from bot.replies import settings as settings_replies
from bot.replies import shelters as shelter_replies
from faq.answers import Answered
from faq.answers import NotFound
from faq.answers import Suggested
from faq.models import QueryOutcome
from garbage.answers import DayAnswer
from garbage.answers import ItemAnswer
from garbage.answers import ItemChoices
from garbage.answers import NeedArea
from garbage.answers import NextAnswer
from garbage.year_end import YearEndAnswer
from intents import INTENTS
from intents.area import AskArea
from intents.children import AskBirth
from intents.children import ChildrenOverview
from intents.dates import DateAlone
from intents.my_data import ConfirmDeletion
from intents.notices import NoticeAnswer
from intents.reminders import NoReminders
from intents.reminders import ReminderSettings
from intents.reminders import RemindersHowTo
from intents.settings import AskConsent
from intents.settings import BabyMessages
from intents.settings import ChooseCategories
from intents.settings import PushSettings
from intents.settings import SettingsHowTo
from intents.settings import StopPush
from intents.shelters import AskLocation
from intents.shelters import ChooseHazard
from intents.shelters import ShelterStatusQuestion
from intents.smalltalk import SmallTalk
from intents.smalltalk import Talk
from intents.smalltalk import question_part
from japanese.normalize import katakana_as_hiragana
from messaging import build
from messaging import texts
from push import outbox
from residents import service as residents
from search.docs import Query


def handle_event(ctx: Context, event: Event) -> Reply:
    """The reply to one webhook event; unknown and unsupported events get no messages."""
    source = event.source
    if not isinstance(source, UserSource) or not source.user_id:
        if isinstance(event, JoinEvent):
            return Reply(build.text(texts.GROUP_ONLY_PERSONAL))
        return Reply([])
    user_id = source.user_id
    if isinstance(event, FollowEvent):
        return on_follow(ctx, user_id, unblocked=bool(event.follow and event.follow.is_unblocked))
    if isinstance(event, UnfollowEvent):
        on_unfollow(ctx, user_id)
        return Reply([])
    if isinstance(event, PostbackEvent):
        return on_postback(ctx, user_id, event.postback.data, event.postback.params)
    if isinstance(event, MessageEvent):
        residents.seen(ctx.session, user_id, ctx.now)
        if isinstance(event.message, TextMessageContent):
            return on_text(ctx, user_id, event.message.text)
        if (quiet := flood.throttled(ctx)) is not None:
            return quiet
        if isinstance(event.message, LocationMessageContent):
            return on_location(ctx, user_id, event.message.latitude, event.message.longitude)
        if isinstance(event.message, StickerMessageContent):
            return Reply(respond(ctx, user_id, SmallTalk(Talk.STICKER)), "intent", intent="smalltalk")
        return Reply(build.text(texts.NOT_TEXT))
    return Reply([])


def on_follow(ctx: Context, user_id: str, *, unblocked: bool) -> Reply:
    """Create or re-activate the resident and greet them."""
    residents.follow(ctx.session, user_id, ctx.now)
    return Reply(common.welcome(ctx.city, unblocked=unblocked))


def on_unfollow(ctx: Context, user_id: str) -> None:
    """Mark the resident blocked and cancel their queued pushes: nothing is sent to them from now on."""
    residents.block(ctx.session, user_id, ctx.now)
    outbox.cancel_for_resident(ctx.session, user_id, "unfollowed")


def on_text(ctx: Context, user_id: str | None, text: str) -> Reply:
    """Answer a text: the open step if the text answers it, else the first intent that takes it, else the FAQ.

    A message that may be about health is answered by the health desk before all of them: one that may be
    an emergency gets the 119 message first, whatever step is open (``bot.flows.health``). A step that does
    not take the text (a question instead of the date it waits for) is closed, and the text is answered as
    if no step were open; a garbage question that waited for the area is kept, and the resident told so
    once; a resident who left a date or a nickname is told how to go back to it (``RESUME_NOTES``). The
    FAQ is searched only when no intent took the text. Each stage notes what it decided in the trace, when
    one is collected (``bot.trace``).
    """
    query = Query.of(text)
    ctx.note("query", text=query.text, key=query.key)
    reply = _answer(ctx, user_id, query)
    ctx.note("reply", kind=reply.kind, intent=reply.intent, faq_id=reply.faq_id, messages=reply.messages)
    return reply


def on_location(ctx: Context, user_id: str, latitude: float, longitude: float) -> Reply:
    """A location sent (LINE's send-location button, or ``@LAT,LON`` in ``chat``): the shelters near it."""
    return shelters.on_location(ctx, user_id, latitude, longitude)


def _answer(ctx: Context, user_id: str | None, query: Query) -> Reply:
    """The health desk's answer, the open step's, or else the first intent's or the FAQ's (``on_text``)."""
    health_reply = health.answer_health(ctx, user_id, query)
    if health_reply is not None:
        return health_reply
    if (quiet := flood.throttled(ctx)) is not None:
        return quiet
    if (staff := shelters.staff_message(ctx, user_id, query.text)) is not None:
        return staff
    kept, left = False, None
    open_step = conversation.current(ctx.session, user_id, ctx.now) if user_id is not None else None
    if open_step is not None:
        if conversation.is_cancel(query, step_open=open_step.step is not Step.LATER):
            ctx.note("step", open=open_step.step, took=True, cancelled=True)
            conversation.cancel(ctx.session, user_id)
            return Reply(build.text(texts.CANCELLED), "intent", intent="cancel")
        answer = STEPS[open_step.step](ctx, user_id, query, open_step.data)
        ctx.note("step", open=open_step.step, took=answer is not None, answer=answer)
        if answer is not None:
            return _then(ctx, user_id, answer)
        kept, left = conversation.let_go(ctx.session, user_id, open_step, ctx.now), open_step.step
    elif conversation.is_cancel(query, step_open=False):  # 「やっぱやめる」 after a question with buttons only
        ctx.note("step", open=None, cancelled=True)
        return Reply(build.text(texts.CANCELLED), "intent", intent="cancel")
    else:
        ctx.note("step", open=None)
    reply = _intent_or_faq(ctx, user_id, query)
    if left is None:
        return reply
    still = conversation.current(ctx.session, user_id, ctx.now)
    if kept and still is not None and still.step is Step.LATER:
        reply.messages = common.with_note(reply.messages, texts.AREA_QUESTION_KEPT)
    elif open_step.data.get("asked", True) and left in RESUME_NOTES and (still is None or still.step is Step.LATER):
        reply.messages = common.with_note(reply.messages, RESUME_NOTES[left])  # and nothing else was asked since
    return reply


_HALF_WIDTH_KANA = re.compile("[\uff66-\uff9f]")


def _intent_or_faq(ctx: Context, user_id: str | None, query: Query) -> Reply:
    """The first intent's answer to a text, else the FAQ's; a question is read without the small talk around it."""
    intent_ctx = intent_context(ctx, user_id)
    query = question_part(query)
    read = _as_read(query)
    for intent in INTENTS:
        match = intent.match(read)
        result = intent.handle(match, intent_ctx) if match is not None else None
        if _unsure_item(result) and faq.knows(ctx, result.asked):
            ctx.note("intent", name=intent.name, matched=True, result=None, yielded="the FAQ knows the term")
            continue  # 「母子手帳」 only resembles an item (手帳); 「手帳はいつ？」 says no garbage: the FAQ's thing
        ctx.note("intent", name=intent.name, matched=match is not None, result=result)
        if result is not None:
            querylog.record(ctx, user_id, query, QueryOutcome.INTENT, intent=intent.name)
            return Reply(respond(ctx, user_id, result), "intent", intent=intent.name)
    result = faq.ask_faq(ctx, user_id, query)
    if ctx.trace is not None:  # the explanation is worked out only for a trace being collected
        ctx.note("faq", **faq.explained(ctx, query, result))
    return Reply(respond(ctx, user_id, result), result.kind.value, faq_id=result.faq_id, score=result.score,
                 candidates=list(result.hits))


def _as_read(query: Query) -> Query:
    """The message as the intents read it: typed in half-width katakana (「ﾌﾗｲﾊﾟﾝ ｽﾃﾙ」, as some phones type every
    word), in hiragana, as their words are written (``japanese.normalize.katakana_as_hiragana``). Full-width
    katakana is left as typed: there it spells loanwords, which Sudachi knows in katakana (ペットボトルのキャップ);
    the FAQ reads every message as typed (its keys fold kana anyway)."""
    if not _HALF_WIDTH_KANA.search(query.text):
        return query
    read = katakana_as_hiragana(query.text)
    return query if read == query.text else Query.of(read)


def _unsure_item(result: object) -> bool:
    """True for a garbage answer that may not be what the resident meant: items that only resemble the word, or a
    thing's day asked without a word of garbage (``maybe_not_garbage``)."""
    if isinstance(result, ItemChoices):
        return result.loose or result.maybe_not_garbage
    return isinstance(result, ItemAnswer) and result.maybe_not_garbage


def respond(ctx: Context, user_id: str | None, result: object) -> list[Message]:
    """What the bot does with a result and the messages that show it (``RESULTS``)."""
    return RESULTS[type(result)](ctx, user_id, result)


def on_postback(ctx: Context, user_id: str, data: str, params: dict[str, str] | None = None) -> Reply:
    """Act on one of our buttons; buttons we no longer know get a kind word.

    ``params`` are what LINE adds to a datetime picker's postback (``{"date": "2027-03-05"}``).
    """
    action, values = postbacks.decode(data)
    handler = POSTBACKS.get(action)
    if handler is None:
        return Reply(build.text(texts.STALE_BUTTON))
    return _then(ctx, user_id, handler(ctx, user_id, values, dict(params or {})))


def _then(ctx: Context, user_id: str, reply: Reply) -> Reply:
    """The reply, followed by the answer to the question it hands back (``Reply.then``), if any."""
    if not reply.then:
        return reply
    later = on_text(ctx, user_id, reply.then)
    return Reply(build.combine(reply.messages, later.messages), reply.kind, intent=reply.intent)


def _cancel_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    conversation.cancel(ctx.session, user_id)
    return Reply(build.text(texts.CANCELLED), "intent", intent="cancel")


def _shown(builder: Callable[..., list[Message]], *, with_city: bool = False) -> Callable[..., list[Message]]:
    """A result that is only shown: ``builder(result)`` (and the city, for contact details)."""
    if with_city:
        return lambda ctx, user_id, result: builder(result, ctx.city)
    return lambda ctx, user_id, result: builder(result)


# What each result leads to: (ctx, user id or None, result) → messages, acting first where the result asks
# for it (a step opened, a setting changed). Results of intents, then of the FAQ.
RESULTS: dict[type, Callable[[Context, str | None, Any], list[Message]]] = {
    SmallTalk: lambda ctx, user_id, result: common.small_talk(
        result, ctx.city, ctx.local_now.time() if ctx.local_now is not None else None),
    DateAlone: _shown(common.date_alone),
    ConfirmDeletion: my_data.ask_confirmation,
    AskArea: areas.ask_area,
    NeedArea: areas.need_area,
    ItemAnswer: _shown(garbage_replies.garbage_item, with_city=True),
    ItemChoices: _shown(garbage_replies.item_choices),
    DayAnswer: _shown(garbage_replies.garbage_day),
    YearEndAnswer: _shown(garbage_replies.garbage_year_end),
    NextAnswer: _shown(garbage_replies.garbage_next, with_city=True),
    ReminderSettings: _shown(garbage_replies.reminder_settings),
    NoReminders: lambda ctx, user_id, result: build.text(texts.REMINDER_NONE_SET),
    RemindersHowTo: lambda ctx, user_id, result: build.text(texts.REMINDER_HOW_TO),
    SettingsHowTo: lambda ctx, user_id, result: build.text(texts.SETTINGS_HOW_TO),
    AskConsent: children.ask_consent,
    PushSettings: _shown(settings_replies.push_settings),
    StopPush: settings.stop_push,
    BabyMessages: settings.baby_messages,
    ChooseCategories: settings.choose_categories,
    ChildrenOverview: children.show_children,
    AskLocation: shelters.ask_location,
    NoticeAnswer: lambda ctx, user_id, result: shelter_replies.notices_in_force(result, ctx.city.name,
                                                                              runtime.current().timezone),
    ChooseHazard: shelters.choose_hazard,
    ShelterStatusQuestion: shelters.status_of,
    AskBirth: children.ask_birth,
    Answered: faq.answered,
    Suggested: faq.suggested,
    NotFound: faq.not_found,
}

# The open step's answer: a Reply, or None when the text is not an answer and should be handled normally.
STEPS: dict[Step, Callable[[Context, str, Query, dict], Reply | None]] = {
    Step.ASK_AREA: areas.area_answer,
    Step.ASK_CHILD_DATE: children.child_date_answer,
    Step.ASK_CHILD_LABEL: children.child_label_answer,
    Step.ASK_OWN_BIRTH_DATE: settings.own_birth_answer,
    Step.ASK_CONSENT: children.consent_answer,
    Step.CONFIRM_DELETE: my_data.confirm_answer,
    Step.ASK_LOCATION: shelters.location_answer,
    Step.LATER: areas.later_answer,
}

# What a resident who left a step for another question is told, so that they know how to go back to it.
RESUME_NOTES: dict[Step, str] = {
    Step.ASK_CHILD_DATE: texts.CHILD_DATE_LEFT,
    Step.ASK_CHILD_LABEL: texts.CHILD_LABEL_LEFT,
    Step.ASK_OWN_BIRTH_DATE: texts.OWN_BIRTH_LEFT,
}

POSTBACKS: dict[str, Callable[[Context, str, dict, dict], Reply]] = {
    postbacks.FAQ: faq.chosen,
    postbacks.NONE: faq.none_chosen,
    postbacks.RATE: faq.rated,
    postbacks.AREA: areas.area_pressed,
    postbacks.REMIND: areas.remind_pressed,
    postbacks.CANCEL: _cancel_pressed,
    postbacks.DELETE: my_data.delete_pressed,
    postbacks.CONSENT: settings.consent_pressed,
    postbacks.CATEGORY: settings.category_pressed,
    postbacks.STOP_PUSH: settings.stop_push_pressed,
    postbacks.SETTINGS: settings.settings_pressed,
    postbacks.BABY: settings.baby_pressed,
    postbacks.ME: settings.own_birth_pressed,
    postbacks.CHILD: children.child_pressed,
    postbacks.ITEM: items.item_pressed,
    postbacks.SHELTER: shelters.shelter_pressed,
}

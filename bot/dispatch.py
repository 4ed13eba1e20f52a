"""Routes a resident's event to the right answer: intents first (first match wins), then the FAQ.

Everything here works on plain inputs (a user id, a text, postback data) so the webhook, ``chat`` and
``ask`` share one path. The result is a ``Reply``: the messages plus what was decided, for the logs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from linebot.v3.messaging import Message
from linebot.v3.webhooks import Event
from linebot.v3.webhooks import FollowEvent
from linebot.v3.webhooks import JoinEvent
from linebot.v3.webhooks import LocationMessageContent
from linebot.v3.webhooks import MessageEvent
from linebot.v3.webhooks import PostbackEvent
from linebot.v3.webhooks import TextMessageContent
from linebot.v3.webhooks import UnfollowEvent
from linebot.v3.webhooks import UserSource
from sqlalchemy.orm import Session

from bot import conversation
from bot import postbacks
from bot import replies
from bot import texts
from bot.conversation import Step
from city.service import CityInfo
from faq import store
from faq.matcher import AnswerPolicy
from faq.matcher import Hit
from faq.matcher import Matcher
from faq.matcher import Tier
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from garbage.answers import Catalog
from garbage.answers import NeedArea
from garbage.areas import AreaInfo
from garbage.areas import clear_choice
from garbage.areas import match_areas
from intents import INTENTS
from intents.area import AskArea
from intents.base import IntentContext
from intents.base import Query
from intents.reminders import ReminderSettings
from intents.reminders import settings_for as reminder_settings_for
from residents import service as residents

log = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500


@dataclass
class Context:
    """Everything one event needs: database, city, matcher, thresholds and the current time."""

    session: Session
    city: CityInfo
    matcher: Matcher
    policy: AnswerPolicy
    secret: str
    now: datetime
    today: date
    area: str | None = None
    top: int = 5
    garbage: Catalog | None = None


@dataclass
class Reply:
    """The messages to send and what was decided (kind is intent, faq, suggest, fallback or event)."""

    messages: list[Message]
    kind: str = "event"
    intent: str | None = None
    faq_id: str | None = None
    score: float | None = None
    candidates: list[Hit] = field(default_factory=list)


def handle_event(ctx: Context, event: Event) -> Reply:
    """The reply to one webhook event; unknown and unsupported events get no messages."""
    source = event.source
    if not isinstance(source, UserSource) or not source.user_id:
        if isinstance(event, JoinEvent):
            return Reply(replies.text(texts.GROUP_ONLY_PERSONAL))
        return Reply([])
    user_id = source.user_id
    if isinstance(event, FollowEvent):
        return on_follow(ctx, user_id, unblocked=bool(event.follow and event.follow.is_unblocked))
    if isinstance(event, UnfollowEvent):
        on_unfollow(ctx, user_id)
        return Reply([])
    if isinstance(event, PostbackEvent):
        return on_postback(ctx, user_id, event.postback.data)
    if isinstance(event, MessageEvent):
        residents.seen(ctx.session, user_id, ctx.now)
        if isinstance(event.message, TextMessageContent):
            return on_text(ctx, user_id, event.message.text)
        if isinstance(event.message, LocationMessageContent):
            return Reply(replies.text(texts.LOCATION_THANKS))
        return Reply(replies.text(texts.NOT_TEXT))
    return Reply([])


def on_follow(ctx: Context, user_id: str, *, unblocked: bool) -> Reply:
    """Create or re-activate the resident and greet them."""
    residents.follow(ctx.session, user_id, ctx.now)
    return Reply(replies.welcome(ctx.city, unblocked=unblocked))


def on_unfollow(ctx: Context, user_id: str) -> None:
    """Mark the resident blocked: nothing is sent to them from now on."""
    residents.block(ctx.session, user_id, ctx.now)


def on_text(ctx: Context, user_id: str | None, text: str) -> Reply:
    """Answer a text: an open dialogue step first, then the first matching intent, else the FAQ."""
    if user_id is not None and (open_step := conversation.current(ctx.session, user_id, ctx.now)) is not None:
        if conversation.is_cancel(text):
            conversation.end(ctx.session, user_id)
            return Reply(replies.text(texts.CANCELLED), "intent", intent="cancel")
        if open_step.step is Step.ASK_AREA:
            return _area_answer(ctx, user_id, text, open_step.data)
    query = Query.of(text)
    hits = ctx.matcher.search(text, k=ctx.top) if query.key else []
    resident_hash = residents.resident_hash(ctx.secret, user_id) if user_id else None
    intent_ctx = IntentContext(ctx.session, user_id, _area_of(ctx, user_id), ctx.today, ctx.garbage)
    for intent in INTENTS:
        if (match := intent.match(query)) is not None:
            result = intent.handle(match, intent_ctx)
            if result is None:
                continue
            if isinstance(result, AskArea | NeedArea) and user_id is not None:
                then = result.then if isinstance(result, NeedArea) else None
                conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=then)
            _log_query(ctx, query, QueryOutcome.INTENT, resident_hash, intent=intent.name)
            return Reply(replies.intent_result(result, ctx.city), "intent", intent=intent.name, candidates=hits)

    tier = ctx.policy.decide(hits, len(query.key))
    top = hits[0] if hits else None
    if tier is Tier.ANSWER:
        entry = store.get_entries(ctx.session, [top.faq_id])[top.faq_id]
        _log_query(ctx, query, QueryOutcome.FAQ, resident_hash, faq_id=top.faq_id, score=top.score)
        return Reply(replies.faq_answer(entry, ctx.city), "faq", faq_id=top.faq_id, score=top.score,
                     candidates=hits)
    if tier is Tier.SUGGEST:
        shown = hits[: ctx.policy.suggestions]
        entries = store.get_entries(ctx.session, [hit.faq_id for hit in shown])
        log_row = _log_query(ctx, query, QueryOutcome.SUGGEST, resident_hash, faq_id=top.faq_id, score=top.score)
        ordered = [entries[hit.faq_id] for hit in shown if hit.faq_id in entries]
        return Reply(replies.suggestions(ordered, log_row.id), "suggest", faq_id=top.faq_id, score=top.score,
                     candidates=hits)
    _log_query(ctx, query, QueryOutcome.FALLBACK, resident_hash, score=top.score if top else None)
    return Reply(replies.fallback(ctx.city), "fallback", score=top.score if top else None, candidates=hits)


def on_postback(ctx: Context, user_id: str, data: str) -> Reply:
    """Act on one of our buttons; buttons we no longer know get a kind word."""
    action, params = postbacks.decode(data)
    resident_hash = residents.resident_hash(ctx.secret, user_id)
    if action == postbacks.FAQ:
        entry = store.get_entries(ctx.session, [params.get("id", "")]).get(params.get("id", ""))
        if entry is None:
            return Reply(replies.text(texts.STALE_BUTTON))
        _feedback(ctx, params.get("q"), entry.faq_id, resident_hash)
        return Reply(replies.faq_answer(entry, ctx.city), "faq", faq_id=entry.faq_id)
    if action == postbacks.NONE:
        _feedback(ctx, params.get("q"), None, resident_hash)
        return Reply(replies.suggestion_declined(ctx.city), "fallback")
    if action == postbacks.AREA:
        names = [area.name for area in _areas(ctx) if postbacks.area_key(area.name) == params.get("k")]
        if not names:
            return Reply(replies.text(texts.STALE_BUTTON))
        name = names[0]
        open_step = conversation.current(ctx.session, user_id, ctx.now)
        return _set_area(ctx, user_id, name, then=open_step.data.get("then") if open_step else None)
    if action == postbacks.REMIND:
        return _change_reminders(ctx, user_id, params.get("k", ""), params.get("on") == "1")
    if action == postbacks.CANCEL:
        conversation.end(ctx.session, user_id)
        return Reply(replies.text(texts.CANCELLED), "intent", intent="cancel")
    if action == postbacks.DELETE:
        if params.get("c") == "yes":
            deleted = residents.delete_data(ctx.session, user_id)
            log.info("resident.deleted", extra={"user": resident_hash, "deleted": deleted})
            return Reply(replies.deletion_done(deleted), "intent", intent="delete_my_data")
        return Reply(replies.text(texts.DELETE_CANCELLED), "intent", intent="delete_my_data")
    return Reply(replies.text(texts.STALE_BUTTON))


def _area_of(ctx: Context, user_id: str | None) -> str | None:
    """The area answers should use: the one asked for (``ask --area``), else the resident's own."""
    if ctx.area:
        return ctx.area
    resident = residents.find(ctx.session, user_id) if user_id else None
    return resident.area if resident is not None else None


def _areas(ctx: Context) -> list[AreaInfo]:
    """The city's garbage areas."""
    return ctx.garbage.areas if ctx.garbage is not None else []


def _area_answer(ctx: Context, user_id: str, text: str, data: dict) -> Reply:
    """The resident answered 「どの地域？」: set the area if it is clear, else offer choices or ask again."""
    areas = _areas(ctx)
    if not areas:
        conversation.end(ctx.session, user_id)
        return Reply(replies.text(texts.AREA_NONE_CONFIGURED), "intent", intent="area")
    matches = match_areas(areas, text)
    if (choice := clear_choice(matches)) is not None:
        return _set_area(ctx, user_id, choice.name, then=data.get("then"))
    if matches:
        return Reply(replies.area_choices([area.name for area, _score in matches]), "intent", intent="area")
    return Reply(replies.area_not_found(text), "intent", intent="area")


def _set_area(ctx: Context, user_id: str, name: str, *, then: str | None) -> Reply:
    """Store the resident's area, close the dialogue, and answer the question that was waiting for it."""
    residents.set_area(ctx.session, user_id, name, ctx.now)
    conversation.end(ctx.session, user_id)
    messages = replies.area_set(name)
    if then:
        messages = replies.combine(messages, on_text(ctx, user_id, then).messages)
    return Reply(messages, "intent", intent="area")


def _change_reminders(ctx: Context, user_id: str, key: str, on: bool) -> Reply:
    """Switch one category's reminder (or all of them) and show the new settings."""
    settings = reminder_settings_for(IntentContext(ctx.session, user_id, _area_of(ctx, user_id), ctx.today,
                                                   ctx.garbage))
    if not isinstance(settings, ReminderSettings):
        return Reply(replies.text(texts.STALE_BUTTON))
    targets = set(settings.categories) if key == "*" else {
        c for c in settings.categories if postbacks.area_key(c) == key}
    if not targets:
        return Reply(replies.text(texts.STALE_BUTTON))
    chosen = (set(settings.chosen) | targets) if on else (set(settings.chosen) - targets)
    residents.set_reminder_categories(ctx.session, user_id, chosen, ctx.now)
    updated = ReminderSettings(settings.area, settings.categories, frozenset(chosen))
    return Reply(replies.reminder_settings(updated, saved=True), "intent", intent="garbage_reminder")


def _log_query(ctx: Context, query: Query, outcome: QueryOutcome, resident_hash: str | None, *,
               intent: str | None = None, faq_id: str | None = None, score: float | None = None) -> QueryLog:
    row = QueryLog(normalized_text=query.key[:MAX_LOGGED_CHARS], outcome=outcome, intent=intent,
                   faq_id=faq_id, score=score, resident_hash=resident_hash, created_at=ctx.now)
    ctx.session.add(row)
    ctx.session.flush()
    log.info("query.answered", extra={"outcome": outcome.value, "intent": intent, "faq_id": faq_id,
                                      "score": score, "user": resident_hash})
    return row


def _feedback(ctx: Context, query_log_id: str | None, faq_id: str | None, resident_hash: str) -> None:
    log_id = int(query_log_id) if query_log_id and query_log_id.isdigit() else None
    if log_id is not None and ctx.session.get(QueryLog, log_id) is None:
        log_id = None
    ctx.session.add(Feedback(query_log_id=log_id, chosen_faq_id=faq_id, resident_hash=resident_hash,
                             created_at=ctx.now))

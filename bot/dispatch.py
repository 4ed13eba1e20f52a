"""Routes a resident's event to the right answer: intents first (first match wins), then the FAQ.

Everything here works on plain inputs (a user id, a text, postback data) so the webhook, ``chat`` and
``ask`` share one path. The result is a ``Reply``: the messages plus what was decided, for the logs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

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

from bot import conversation
from bot import postbacks
from bot import replies
from bot.context import Context  # re-exported: `from bot.dispatch import Context` keeps working
from bot.context import Reply  # re-exported likewise
from bot.context import intent_context
from bot.conversation import Step
from bot.flows import areas
from bot.flows import children
from bot.flows import settings
from faq import store
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from faq.policy import Tier
from garbage.answers import NeedArea
from intents import INTENTS
from intents.area import AskArea
from intents.base import Query
from intents.children import AskBirth
from intents.children import ChildrenOverview
from intents.settings import BabyMessages
from intents.settings import StopPush
from messaging import build
from messaging import texts
from push import outbox
from residents import service as residents

log = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500


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
        if isinstance(event.message, LocationMessageContent):
            return Reply(build.text(texts.LOCATION_THANKS))
        return Reply(build.text(texts.NOT_TEXT))
    return Reply([])


def on_follow(ctx: Context, user_id: str, *, unblocked: bool) -> Reply:
    """Create or re-activate the resident and greet them."""
    residents.follow(ctx.session, user_id, ctx.now)
    return Reply(replies.welcome(ctx.city, unblocked=unblocked))


def on_unfollow(ctx: Context, user_id: str) -> None:
    """Mark the resident blocked and cancel their queued pushes: nothing is sent to them from now on."""
    residents.block(ctx.session, user_id, ctx.now)
    outbox.cancel_for_resident(ctx.session, user_id, "unfollowed")


def on_text(ctx: Context, user_id: str | None, text: str) -> Reply:
    """Answer a text: an open dialogue step first, then the first matching intent, else the FAQ.

    A step that does not take the text (a question instead of the date it waits for) is closed, and
    the text is answered as if no step were open.
    """
    if user_id is not None and (open_step := conversation.current(ctx.session, user_id, ctx.now)) is not None:
        if conversation.is_cancel(text):
            conversation.end(ctx.session, user_id)
            return Reply(build.text(texts.CANCELLED), "intent", intent="cancel")
        if (answer := STEP_ANSWERS[open_step.step](ctx, user_id, text, open_step.data)) is not None:
            return _then(ctx, user_id, answer)
        conversation.end(ctx.session, user_id)
    query = Query.of(text)
    hits = ctx.matcher.search(text, k=ctx.top) if query.key else []
    resident_hash = residents.resident_hash(ctx.secret, user_id) if user_id else None
    intent_ctx = intent_context(ctx, user_id)
    for intent in INTENTS:
        if (match := intent.match(query)) is not None:
            result = intent.handle(match, intent_ctx)
            if result is None:
                continue
            if isinstance(result, AskArea | NeedArea) and user_id is not None:
                then = result.then if isinstance(result, NeedArea) else None
                conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=then)
            _log_query(ctx, query, QueryOutcome.INTENT, resident_hash, intent=intent.name)
            if user_id is not None and (act := INTENT_ACTIONS.get(type(result))) is not None:
                return Reply(act(ctx, user_id, result), "intent", intent=intent.name, candidates=hits)
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


# ---- FAQ suggestions and data deletion ---------------------------------------------------------------------

def _faq_chosen(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    entry = store.get_entries(ctx.session, [values.get("id", "")]).get(values.get("id", ""))
    if entry is None:
        return Reply(build.text(texts.STALE_BUTTON))
    _feedback(ctx, values.get("q"), entry.faq_id, residents.resident_hash(ctx.secret, user_id))
    return Reply(replies.faq_answer(entry, ctx.city), "faq", faq_id=entry.faq_id)


def _none_chosen(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    _feedback(ctx, values.get("q"), None, residents.resident_hash(ctx.secret, user_id))
    return Reply(replies.suggestion_declined(ctx.city), "fallback")


def _cancel_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    conversation.end(ctx.session, user_id)
    return Reply(build.text(texts.CANCELLED), "intent", intent="cancel")


def _delete_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「削除する」: delete everything about the resident (children, settings, queued pushes) at once."""
    if values.get("c") != "yes":
        return Reply(build.text(texts.DELETE_CANCELLED), "intent", intent="delete_my_data")
    deleted = residents.delete_data(ctx.session, user_id)
    conversation.end(ctx.session, user_id)
    dropped = outbox.cancel_for_resident(ctx.session, user_id, "resident-deleted")
    dropped += outbox.forget_resident(ctx.session, user_id)
    log.info("resident.deleted", extra={"user": residents.resident_hash(ctx.secret, user_id), "deleted": deleted,
                                        "outbox_rows": dropped})
    return Reply(replies.deletion_done(deleted), "intent", intent="delete_my_data")


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


# The open step's answer: a Reply, or None when the text is not an answer and should be handled normally.
STEP_ANSWERS: dict[Step, Callable[[Context, str, str, dict], Reply | None]] = {
    Step.ASK_AREA: areas.area_answer,
    Step.ASK_CHILD_DATE: children.child_date_answer,
    Step.ASK_CHILD_LABEL: children.child_label_answer,
    Step.ASK_OWN_BIRTH_DATE: settings.own_birth_answer,
}

# Intent results the bot acts on (changing settings or opening a step) rather than only showing.
INTENT_ACTIONS: dict[type, Callable[[Context, str, object], list[Message]]] = {
    StopPush: settings.stop_push,
    BabyMessages: settings.baby_messages,
    ChildrenOverview: children.show_children,
    AskBirth: children.ask_birth,
}

POSTBACKS: dict[str, Callable[[Context, str, dict, dict], Reply]] = {
    postbacks.FAQ: _faq_chosen,
    postbacks.NONE: _none_chosen,
    postbacks.AREA: areas.area_pressed,
    postbacks.REMIND: areas.remind_pressed,
    postbacks.CANCEL: _cancel_pressed,
    postbacks.DELETE: _delete_pressed,
    postbacks.CONSENT: settings.consent_pressed,
    postbacks.CATEGORY: settings.category_pressed,
    postbacks.STOP_PUSH: settings.stop_push_pressed,
    postbacks.SETTINGS: settings.settings_pressed,
    postbacks.BABY: settings.baby_pressed,
    postbacks.ME: settings.own_birth_pressed,
    postbacks.CHILD: children.child_pressed,
}

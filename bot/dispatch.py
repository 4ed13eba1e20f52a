"""Routes a resident's event to the right answer: intents first (first match wins), then the FAQ.

Everything here works on plain inputs (a user id, a text, postback data) so the webhook, ``chat`` and
``ask`` share one path. The result is a ``Reply``: the messages plus what was decided, for the logs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
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
from intents.children import AskBirth
from intents.children import ChildrenOverview
from intents.children import ChildView
from intents.children import overview_for
from intents.children import views
from intents.dates import read_date
from intents.reminders import ReminderSettings
from intents.reminders import settings_for as reminder_settings_for
from intents.settings import AskConsent
from intents.settings import BabyMessages
from intents.settings import StopPush
from intents.settings import settings_for
from residents import dates as date_rules
from residents import service as residents
from residents.categories import CATEGORIES
from residents.categories import CHILDCARE
from residents.categories import ELDERLY

log = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500
MAX_CHILD_LABEL = 10  # characters of a child's nickname


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
        return on_postback(ctx, user_id, event.postback.data, event.postback.params)
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
    """Mark the resident blocked and cancel their queued pushes: nothing is sent to them from now on."""
    residents.block(ctx.session, user_id, ctx.now)
    _cancel_outbox(ctx, user_id, "unfollowed")


def on_text(ctx: Context, user_id: str | None, text: str) -> Reply:
    """Answer a text: an open dialogue step first, then the first matching intent, else the FAQ.

    A step that does not take the text (a question instead of the date it waits for) is closed, and
    the text is answered as if no step were open.
    """
    if user_id is not None and (open_step := conversation.current(ctx.session, user_id, ctx.now)) is not None:
        if conversation.is_cancel(text):
            conversation.end(ctx.session, user_id)
            return Reply(replies.text(texts.CANCELLED), "intent", intent="cancel")
        if (answer := STEP_ANSWERS[open_step.step](ctx, user_id, text, open_step.data)) is not None:
            return answer
        conversation.end(ctx.session, user_id)
    query = Query.of(text)
    hits = ctx.matcher.search(text, k=ctx.top) if query.key else []
    resident_hash = residents.resident_hash(ctx.secret, user_id) if user_id else None
    intent_ctx = _intent_ctx(ctx, user_id)
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
        return Reply(replies.text(texts.STALE_BUTTON))
    return handler(ctx, user_id, values, dict(params or {}))


def _intent_ctx(ctx: Context, user_id: str | None) -> IntentContext:
    return IntentContext(ctx.session, user_id, _area_of(ctx, user_id), ctx.today, ctx.garbage)


def _area_of(ctx: Context, user_id: str | None) -> str | None:
    """The area answers should use: the one asked for (``ask --area``), else the resident's own."""
    if ctx.area:
        return ctx.area
    resident = residents.find(ctx.session, user_id) if user_id else None
    return resident.area if resident is not None else None


def _areas(ctx: Context) -> list[AreaInfo]:
    """The city's garbage areas."""
    return ctx.garbage.areas if ctx.garbage is not None else []


# ---- FAQ suggestions and data deletion ---------------------------------------------------------------------

def _faq_chosen(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    entry = store.get_entries(ctx.session, [values.get("id", "")]).get(values.get("id", ""))
    if entry is None:
        return Reply(replies.text(texts.STALE_BUTTON))
    _feedback(ctx, values.get("q"), entry.faq_id, residents.resident_hash(ctx.secret, user_id))
    return Reply(replies.faq_answer(entry, ctx.city), "faq", faq_id=entry.faq_id)


def _none_chosen(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    _feedback(ctx, values.get("q"), None, residents.resident_hash(ctx.secret, user_id))
    return Reply(replies.suggestion_declined(ctx.city), "fallback")


def _cancel_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    conversation.end(ctx.session, user_id)
    return Reply(replies.text(texts.CANCELLED), "intent", intent="cancel")


def _delete_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「削除する」: delete everything about the resident (children, settings, queued pushes) at once."""
    if values.get("c") != "yes":
        return Reply(replies.text(texts.DELETE_CANCELLED), "intent", intent="delete_my_data")
    deleted = residents.delete_data(ctx.session, user_id)
    conversation.end(ctx.session, user_id)
    dropped = _cancel_outbox(ctx, user_id, "resident-deleted", forget=True)
    log.info("resident.deleted", extra={"user": residents.resident_hash(ctx.secret, user_id), "deleted": deleted,
                                        "outbox_rows": dropped})
    return Reply(replies.deletion_done(deleted), "intent", intent="delete_my_data")


def _cancel_outbox(ctx: Context, user_id: str, reason: str, *, forget: bool = False) -> int:
    """Cancel the resident's queued pushes (and with ``forget`` delete them) when the push outbox exists."""
    try:
        from push import outbox
    except ImportError:
        return 0
    count = 0
    if (cancel := getattr(outbox, "cancel_for_resident", None)) is not None:
        count += cancel(ctx.session, user_id, reason)
    if forget and (forget_rows := getattr(outbox, "forget_resident", None)) is not None:
        count += forget_rows(ctx.session, user_id)
    return count


def _push_planning():
    """``push.planning`` (its ``cancel_…`` functions for settings changes) when the push outbox exists."""
    try:
        from push import planning
    except ImportError:
        return None
    return planning


# ---- area and garbage reminders ----------------------------------------------------------------------------

def _area_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    names = [area.name for area in _areas(ctx) if postbacks.area_key(area.name) == values.get("k")]
    if not names:
        return Reply(replies.text(texts.STALE_BUTTON))
    open_step = conversation.current(ctx.session, user_id, ctx.now)
    return _set_area(ctx, user_id, names[0], then=open_step.data.get("then") if open_step else None)


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
    before = (found := residents.find(ctx.session, user_id)) and found.area
    residents.set_area(ctx.session, user_id, name, ctx.now)
    if before and before != name and (planning := _push_planning()) is not None:
        planning.cancel_area_reminders(ctx.session, user_id)
    conversation.end(ctx.session, user_id)
    messages = replies.area_set(name)
    if then:
        messages = replies.combine(messages, on_text(ctx, user_id, then).messages)
    return Reply(messages, "intent", intent="area")


def _remind_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """Switch one category's reminder (or all of them) and show the new settings.

    Turning a reminder on without consent to push keeps the choice and asks for consent: no reminder
    is sent before the resident agrees.
    """
    key, on = values.get("k", ""), values.get("on") == "1"
    settings = reminder_settings_for(_intent_ctx(ctx, user_id))
    if not isinstance(settings, ReminderSettings):
        return Reply(replies.text(texts.STALE_BUTTON))
    targets = set(settings.categories) if key == "*" else {
        c for c in settings.categories if postbacks.area_key(c) == key}
    if not targets:
        return Reply(replies.text(texts.STALE_BUTTON))
    chosen = (set(settings.chosen) | targets) if on else (set(settings.chosen) - targets)
    residents.set_reminder_categories(ctx.session, user_id, chosen, ctx.now)
    if not on and (planning := _push_planning()) is not None:
        planning.cancel_garbage_reminders(ctx.session, user_id, targets)
    updated = ReminderSettings(settings.area, settings.categories, frozenset(chosen))
    messages = replies.reminder_settings(updated, saved=True)
    if on and isinstance(consent := settings_for(ctx.session, user_id, then="reminders"), AskConsent):
        messages = replies.combine(messages, replies.ask_consent(consent, notes=[texts.REMINDER_NEEDS_CONSENT]))
    return Reply(messages, "intent", intent="garbage_reminder")


# ---- consent, categories and 「配信停止」 -------------------------------------------------------------------

def _settings_messages(ctx: Context, user_id: str, notes: Sequence[str] = ()) -> list[Message]:
    settings = settings_for(ctx.session, user_id)
    if isinstance(settings, AskConsent):
        return replies.ask_consent(settings, notes=notes)
    return replies.push_settings(settings, notes=notes)


def _settings_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """Show the push settings, or (s=area) ask for the resident's area."""
    if values.get("s") == "area":
        conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now, then=None)
        return Reply(replies.ask_area(_area_of(ctx, user_id)), "intent", intent="area")
    return Reply(_settings_messages(ctx, user_id), "intent", intent="push_settings")


def _consent_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「同意して受け取る」: record consent, then show what the resident came for."""
    residents.give_consent(ctx.session, user_id, ctx.now)
    log.info("resident.consented", extra={"user": residents.resident_hash(ctx.secret, user_id)})
    then = values.get("then")
    if then == "children":
        return Reply(_children_messages(ctx, user_id, notes=[texts.CONSENT_THANKS]), "intent", intent="children")
    if then == "reminders" and isinstance(settings := reminder_settings_for(_intent_ctx(ctx, user_id)),
                                          ReminderSettings):
        return Reply(replies.combine(replies.text(texts.CONSENT_THANKS), replies.reminder_settings(settings)),
                     "intent", intent="garbage_reminder")
    return Reply(_settings_messages(ctx, user_id, notes=[texts.CONSENT_THANKS]), "intent", intent="push_settings")


def _category_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """Switch one push category; 高齢者 on asks for the resident's own birth date, off forgets it."""
    category, on = values.get("k", ""), values.get("on") == "1"
    if category not in CATEGORIES:
        return Reply(replies.text(texts.STALE_BUTTON))
    if isinstance(settings := settings_for(ctx.session, user_id), AskConsent):
        return Reply(replies.ask_consent(settings), "intent", intent="push_settings")
    resident = residents.set_subscription(ctx.session, user_id, category, on, ctx.now)
    if not on and (planning := _push_planning()) is not None:
        planning.cancel_category(ctx.session, user_id, category)
    notes = [texts.SETTINGS_SAVED]
    if category == ELDERLY and not on and resident.birth_date is not None:
        _cancel_own_pushes(ctx, user_id, changed_to=None)
        residents.set_birth_date(ctx.session, user_id, None, ctx.now)
        notes.append(texts.OWN_BIRTH_REMOVED)
    if category == CHILDCARE and on and not residents.children(ctx.session, user_id):
        notes.append(texts.CHILDCARE_HINT)
    messages = _settings_messages(ctx, user_id, notes)
    if category == ELDERLY and on and resident.birth_date is None:
        conversation.start(ctx.session, user_id, Step.ASK_OWN_BIRTH_DATE, ctx.now)
        messages = replies.combine(messages, replies.ask_own_birth_date(ctx.today))
    return Reply(messages, "intent", intent="push_settings")


def _stop_push(ctx: Context, user_id: str, result: StopPush) -> list[Message]:
    """「配信停止」: withdraw consent (categories and children are kept) and cancel queued pushes."""
    was_on = residents.withdraw_consent(ctx.session, user_id)
    cancelled = _cancel_outbox(ctx, user_id, "push-stopped")
    log.info("resident.push_stopped", extra={"user": residents.resident_hash(ctx.secret, user_id),
                                             "was_on": was_on, "outbox_rows": cancelled})
    return replies.push_stopped(was_on)


def _stop_push_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    return Reply(_stop_push(ctx, user_id, StopPush()), "intent", intent="push_settings")


def _baby_messages(ctx: Context, user_id: str, result: BabyMessages) -> list[Message]:
    """Stop or resume pregnancy and baby messages quietly: no reason asked, nothing else changed."""
    residents.set_stop_baby(ctx.session, user_id, result.stop, ctx.now)
    if result.stop and (planning := _push_planning()) is not None:
        planning.cancel_baby(ctx.session, user_id)
    return replies.baby_messages(result.stop)


def _baby_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    return Reply(_baby_messages(ctx, user_id, BabyMessages(stop=values.get("on") != "1")), "intent",
                 intent="push_settings")


# ---- the resident's own birth date (高齢者) ------------------------------------------------------------------

def _own_birth_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """The date picker (op=set), 「登録しない」 (op=skip), or the question again (op=ask, or no date sent)."""
    if not _wants_elderly(ctx, user_id):
        return Reply(replies.text(texts.STALE_BUTTON))
    op = values.get("op")
    if op == "skip":
        conversation.end(ctx.session, user_id)
        return Reply(replies.text(texts.OWN_BIRTH_SKIPPED), "intent", intent="own_birth_date")
    if op == "set" and (day := _iso_date(params.get("date"))) is not None:
        return _set_own_birth_date(ctx, user_id, day)
    conversation.start(ctx.session, user_id, Step.ASK_OWN_BIRTH_DATE, ctx.now)
    return Reply(replies.ask_own_birth_date(ctx.today, explain=op == "ask"), "intent", intent="own_birth_date")


def _own_birth_answer(ctx: Context, user_id: str, text: str, data: dict) -> Reply | None:
    """A typed birth date for 高齢者 messages; None when the text is not a date."""
    reading = read_date(text, ctx.today)
    if reading is None:
        return None
    if not _wants_elderly(ctx, user_id):
        conversation.end(ctx.session, user_id)
        return Reply(replies.text(texts.STALE_BUTTON))
    if isinstance(reading, date):
        return _set_own_birth_date(ctx, user_id, reading)
    return Reply(replies.ask_own_birth_date(ctx.today, explain=False, notes=[replies.date_problem(reading)]),
                 "intent", intent="own_birth_date")


def _set_own_birth_date(ctx: Context, user_id: str, day: date) -> Reply:
    if (reason := date_rules.own_birth_refusal(day, ctx.today)) is not None:
        conversation.start(ctx.session, user_id, Step.ASK_OWN_BIRTH_DATE, ctx.now)
        return Reply(replies.ask_own_birth_date(ctx.today, explain=False,
                                                notes=[replies.date_refused(reason, day)]),
                     "intent", intent="own_birth_date")
    _cancel_own_pushes(ctx, user_id, changed_to=day)
    residents.set_birth_date(ctx.session, user_id, day, ctx.now)
    conversation.end(ctx.session, user_id)
    return Reply(replies.text(texts.OWN_BIRTH_SET.format(date=replies.jp_full_date(day))), "intent",
                 intent="own_birth_date")


def _wants_elderly(ctx: Context, user_id: str) -> bool:
    """The own birth date is kept only for a consenting resident who receives 高齢者 messages."""
    resident = residents.find(ctx.session, user_id)
    return (resident is not None and resident.consent_at is not None
            and ELDERLY in residents.subscriptions(ctx.session, user_id))


# ---- children ------------------------------------------------------------------------------------------------

_DATE_OPS = frozenset({"add", "born", "due", "birth"})


def _show_children(ctx: Context, user_id: str, overview: ChildrenOverview,
                   notes: Sequence[str] = ()) -> list[Message]:
    """The children list; a date typed next registers a new child (except when choosing who was born)."""
    if overview.kind == "born":
        conversation.end(ctx.session, user_id)
    else:
        conversation.start(ctx.session, user_id, Step.ASK_CHILD_DATE, ctx.now, op="add", kind=overview.kind)
    return replies.children_overview(overview, notes=notes)


def _children_messages(ctx: Context, user_id: str, notes: Sequence[str] = ()) -> list[Message]:
    overview = overview_for(ctx.session, user_id, ctx.today)
    if isinstance(overview, AskConsent):
        conversation.end(ctx.session, user_id)
        return replies.messages(["\n".join(notes)]) if notes else replies.ask_consent(overview)
    return _show_children(ctx, user_id, overview, notes)


def _ask_birth(ctx: Context, user_id: str, result: AskBirth) -> list[Message]:
    conversation.start(ctx.session, user_id, Step.ASK_CHILD_DATE, ctx.now, op="born", id=result.child.id)
    return replies.ask_birth(result.child, result.today)


def _child_view(ctx: Context, user_id: str, child_id: object) -> ChildView | None:
    """The resident's own child with this id, numbered as in their list; None for anyone else's."""
    wanted = str(child_id)
    return next((view for view in views(residents.children(ctx.session, user_id)) if str(view.id) == wanted), None)


def _child_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """A child button: a date picker (add, born, due, birth), or menu, label, remove, list."""
    op = values.get("op", "")
    if op == "list":
        return Reply(_children_messages(ctx, user_id), "intent", intent="children")
    if op in _DATE_OPS:
        step = {"op": op, "kind": values.get("kind"), "id": values.get("id")}
        if "date" not in params:  # no date came with the button (the terminal chat): ask for it in text
            return _child_date_retry(ctx, user_id, step, [])
        if (day := _iso_date(params["date"])) is None:
            return Reply(replies.text(texts.STALE_BUTTON))
        return _child_date(ctx, user_id, step, day)
    child = _child_view(ctx, user_id, values.get("id"))
    if child is None:
        return Reply(_children_messages(ctx, user_id, notes=[texts.CHILD_GONE]), "intent", intent="children")
    if op == "menu":
        conversation.end(ctx.session, user_id)
        return Reply(replies.child_menu(child, ctx.today), "intent", intent="children")
    if op == "label":
        conversation.start(ctx.session, user_id, Step.ASK_CHILD_LABEL, ctx.now, id=child.id)
        return Reply(replies.ask_child_label(child, MAX_CHILD_LABEL), "intent", intent="children")
    if op == "remove":
        residents.remove_child(ctx.session, user_id, child.id)
        _cancel_child_pushes(ctx, user_id, child.id, "child-removed")
        notes = [texts.CHILD_REMOVED.format(name=replies.child_name(child))]
        return Reply(_children_messages(ctx, user_id, notes), "intent", intent="children")
    return Reply(replies.text(texts.STALE_BUTTON))


def _child_date_answer(ctx: Context, user_id: str, text: str, data: dict) -> Reply | None:
    """A typed date for the open child step; None when the text is not a date (the resident moved on)."""
    op, kind = data.get("op"), data.get("kind")
    prefer = "future" if "due" in (op, kind) else "past" if op in ("born", "birth") or kind == "birth" else None
    reading = read_date(text, ctx.today, prefer)
    if reading is None:
        return None
    if isinstance(reading, date):
        return _child_date(ctx, user_id, data, reading)
    return _child_date_retry(ctx, user_id, data, [replies.date_problem(reading)])


def _child_date(ctx: Context, user_id: str, step: dict, day: date) -> Reply:
    """Register a child (op=add), its birth (born), or correct its due date (due) or birth date (birth)."""
    op = step.get("op")
    if op == "add":
        if isinstance(consent := settings_for(ctx.session, user_id, then="children"), AskConsent):
            conversation.end(ctx.session, user_id)
            return Reply(replies.ask_consent(consent), "intent", intent="children")
        kind = step.get("kind") or ("due" if day > ctx.today else "birth")
        if (reason := _refusal(kind, day, ctx.today)) is not None:
            return _child_date_retry(ctx, user_id, step, [replies.date_refused(reason, day)])
        residents.add_child(ctx.session, user_id, ctx.now, **{f"{kind}_date": day})
        what = texts.CHILD_DUE if kind == "due" else texts.CHILD_BIRTH
        notes = [texts.CHILD_ADDED.format(what=what, date=replies.jp_full_date(day))]
        if CHILDCARE not in residents.subscriptions(ctx.session, user_id):
            residents.set_subscription(ctx.session, user_id, CHILDCARE, True, ctx.now)
            notes.append(texts.CHILD_CHILDCARE_ON)
        log.info("child.added", extra={"user": residents.resident_hash(ctx.secret, user_id), "kind": kind})
        return Reply(_children_messages(ctx, user_id, notes), "intent", intent="children")
    child = _child_view(ctx, user_id, step.get("id"))
    if child is None or (op == "due" and child.born):
        conversation.end(ctx.session, user_id)
        return Reply(_children_messages(ctx, user_id, notes=[texts.CHILD_GONE]), "intent", intent="children")
    if (reason := _refusal("due" if op == "due" else "birth", day, ctx.today)) is not None:
        return _child_date_retry(ctx, user_id, step, [replies.date_refused(reason, day)])
    if op == "due":
        residents.change_due_date(ctx.session, user_id, child.id, day)
        note = texts.CHILD_DUE_CHANGED
    else:
        residents.record_birth(ctx.session, user_id, child.id, day)
        note = texts.CHILD_BORN if op == "born" else texts.CHILD_BIRTH_CHANGED
    if (child.due_date, child.birth_date) != ((day, None) if op == "due" else (None, day)):
        _cancel_child_pushes(ctx, user_id, child.id, "child-date-changed")
    return Reply(_children_messages(ctx, user_id, [note.format(date=replies.jp_full_date(day))]), "intent",
                 intent="children")


def _cancel_child_pushes(ctx: Context, user_id: str, child_id: int, reason: str) -> None:
    """Cancel the life-stage pushes queued for a child removed or whose date changed (planned from the old date).

    Not called when the date stayed the same: a message planned again under its key would find the
    cancelled row and never be sent.
    """
    if (planning := _push_planning()) is not None:
        planning.cancel_child(ctx.session, user_id, child_id, reason)


def _cancel_own_pushes(ctx: Context, user_id: str, *, changed_to: date | None) -> None:
    """Cancel the life-stage pushes queued from the resident's own birth date when it changes or goes."""
    resident = residents.find(ctx.session, user_id)
    if resident is None or resident.birth_date in (None, changed_to):
        return
    if (planning := _push_planning()) is not None:
        planning.cancel_own(ctx.session, user_id, resident.id)


def _refusal(kind: str, day: date, today: date) -> date_rules.Refusal | None:
    return (date_rules.due_refusal if kind == "due" else date_rules.birth_refusal)(day, today)


def _child_date_retry(ctx: Context, user_id: str, step: dict, notes: Sequence[str]) -> Reply:
    """Keep (or open) the child date step and ask again, with the date pickers that fit it."""
    conversation.start(ctx.session, user_id, Step.ASK_CHILD_DATE, ctx.now, **step)
    child = _child_view(ctx, user_id, step.get("id")) if step.get("op") != "add" else None
    picks = replies.child_date_picks(ctx.today, step.get("op"), step.get("kind"), child)
    return Reply(replies.ask_child_date(picks, notes=notes), "intent", intent="children")


def _child_label_answer(ctx: Context, user_id: str, text: str, data: dict) -> Reply:
    """The nickname typed for a child: kept when short enough, else asked again."""
    child = _child_view(ctx, user_id, data.get("id"))
    if child is None:
        conversation.end(ctx.session, user_id)
        return Reply(_children_messages(ctx, user_id, notes=[texts.CHILD_GONE]), "intent", intent="children")
    label = " ".join(text.split())
    if len(label) > MAX_CHILD_LABEL:
        return Reply(replies.ask_child_label(child, MAX_CHILD_LABEL, notes=[
            texts.CHILD_LABEL_TOO_LONG.format(max=MAX_CHILD_LABEL)]), "intent", intent="children")
    residents.set_child_label(ctx.session, user_id, child.id, label or None)
    return Reply(_children_messages(ctx, user_id, [texts.CHILD_LABEL_SET.format(label=label)]), "intent",
                 intent="children")


def _iso_date(value: str | None) -> date | None:
    """The date a datetime picker sent (YYYY-MM-DD), or None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


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
    Step.ASK_AREA: _area_answer,
    Step.ASK_CHILD_DATE: _child_date_answer,
    Step.ASK_CHILD_LABEL: _child_label_answer,
    Step.ASK_OWN_BIRTH_DATE: _own_birth_answer,
}

# Intent results the bot acts on (changing settings or opening a step) rather than only showing.
INTENT_ACTIONS: dict[type, Callable[[Context, str, object], list[Message]]] = {
    StopPush: _stop_push,
    BabyMessages: _baby_messages,
    ChildrenOverview: _show_children,
    AskBirth: _ask_birth,
}

POSTBACKS: dict[str, Callable[[Context, str, dict, dict], Reply]] = {
    postbacks.FAQ: _faq_chosen,
    postbacks.NONE: _none_chosen,
    postbacks.AREA: _area_pressed,
    postbacks.REMIND: _remind_pressed,
    postbacks.CANCEL: _cancel_pressed,
    postbacks.DELETE: _delete_pressed,
    postbacks.CONSENT: _consent_pressed,
    postbacks.CATEGORY: _category_pressed,
    postbacks.STOP_PUSH: _stop_push_pressed,
    postbacks.SETTINGS: _settings_pressed,
    postbacks.BABY: _baby_pressed,
    postbacks.ME: _own_birth_pressed,
    postbacks.CHILD: _child_pressed,
}

"""The children dialogue: list, register and correct a resident's children (due date, birth, nickname)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from linebot.v3.messaging import Message

from bot import conversation
from bot import postbacks
from bot.context import Context
from bot.context import Reply
from bot.conversation import Step
from bot.flows.elsewhere import meant_elsewhere
from bot.replies import children as children_replies
from bot.replies import common
from bot.replies import settings as settings_replies
from intents.children import AskBirth
from intents.children import ChildrenOverview
from intents.children import ChildView
from intents.children import overview_for
from intents.children import views
from intents.dates import read_date
from intents.requests import Action
from intents.requests import Topic
from intents.requests import read_request
from intents.settings import AskConsent
from intents.settings import settings_for
from messaging import build
from messaging import texts
from push import planning
from residents import dates as date_rules
from residents import service as residents
from residents.categories import CHILDCARE
from search.docs import Query

log = logging.getLogger(__name__)

MAX_CHILD_LABEL = 10  # characters of a child's nickname

_DATE_OPS = frozenset({"add", "born", "due", "birth"})


def show_children(ctx: Context, user_id: str, overview: ChildrenOverview,
                  notes: Sequence[str] = ()) -> list[Message]:
    """The children list; a date typed next registers a new child (except when choosing who was born)."""
    if overview.kind == "born":
        conversation.end(ctx.session, user_id)
    else:
        # The list with no child asks for a date; with children, a date typed next is welcome but not asked for.
        conversation.start(ctx.session, user_id, Step.ASK_CHILD_DATE, ctx.now, op="add", kind=overview.kind,
                           asked=not overview.children or None)
    return children_replies.children_overview(overview, notes=notes)


def children_messages(ctx: Context, user_id: str, notes: Sequence[str] = ()) -> list[Message]:
    overview = overview_for(ctx.session, user_id, ctx.today)
    if isinstance(overview, AskConsent):
        if notes:
            conversation.end(ctx.session, user_id)
            return build.messages(["\n".join(notes)])
        return ask_consent(ctx, user_id, overview)
    return show_children(ctx, user_id, overview, notes)


def ask_consent(ctx: Context, user_id: str | None, consent: AskConsent, notes: Sequence[str] = (), *,
                brief: bool = False) -> list[Message]:
    """The consent buttons, waiting at that step: a date typed there is not lost (``consent_answer``). ``brief``:
    the buttons under ``notes`` alone (the explanation was just shown)."""
    if user_id is not None:
        conversation.start(ctx.session, user_id, Step.ASK_CONSENT, ctx.now, then=consent.then,
                           kept=list(consent.kept))
    return settings_replies.ask_consent(consent, notes=notes, brief=brief)


def consent_answer(ctx: Context, user_id: str, query: Query, data: dict) -> Reply | None:
    """A date typed instead of pressing 「同意して受け取る」: keep the step and say to press it first.

    Anything else lets the step go (None): the resident moved on.
    """
    if (reading := read_date(query.text, ctx.today)) is None:
        return None
    consent = AskConsent(tuple(data.get("kept") or ()), data.get("then"))
    notes = [texts.CONSENT_FIRST] if isinstance(reading, date) else [common.date_problem(reading), texts.CONSENT_FIRST]
    return Reply(ask_consent(ctx, user_id, consent, notes=notes, brief=True), "intent", intent="children")


def ask_birth(ctx: Context, user_id: str, result: AskBirth) -> list[Message]:
    conversation.start(ctx.session, user_id, Step.ASK_CHILD_DATE, ctx.now, op="born", id=result.child.id, asked=True)
    return children_replies.ask_birth(result.child, result.today)


def _child_view(ctx: Context, user_id: str, child_id: object) -> ChildView | None:
    """The resident's own child with this id, numbered as in their list; None for anyone else's."""
    wanted = str(child_id)
    return next((view for view in views(residents.children(ctx.session, user_id)) if str(view.id) == wanted), None)


def child_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """A child button: a date picker (add, born, due, birth), or menu, label, remove, list."""
    op = values.get("op", "")
    if op == "list":
        return Reply(children_messages(ctx, user_id), "intent", intent="children")
    if op in _DATE_OPS:
        step = {"op": op, "kind": values.get("kind"), "id": values.get("id")}
        if "date" not in params:  # no date came with the button (the terminal chat): ask for it in text
            return _child_date_retry(ctx, user_id, step, [])
        if (day := postbacks.picked_date(params["date"])) is None:
            return Reply(build.text(texts.STALE_BUTTON))
        return _child_date(ctx, user_id, step, day)
    child = _child_view(ctx, user_id, values.get("id"))
    if child is None:
        return Reply(children_messages(ctx, user_id, notes=[texts.CHILD_GONE]), "intent", intent="children")
    if op == "menu":
        conversation.end(ctx.session, user_id)
        return Reply(children_replies.child_menu(child, ctx.today), "intent", intent="children")
    if op == "label":
        conversation.start(ctx.session, user_id, Step.ASK_CHILD_LABEL, ctx.now, id=child.id)
        return Reply(children_replies.ask_child_label(child, MAX_CHILD_LABEL), "intent", intent="children")
    if op == "remove":
        residents.remove_child(ctx.session, user_id, child.id)
        _cancel_child_pushes(ctx, user_id, child.id, "child-removed")
        notes = [texts.CHILD_REMOVED.format(name=children_replies.child_name(child))]
        return Reply(children_messages(ctx, user_id, notes), "intent", intent="children")
    return Reply(build.text(texts.STALE_BUTTON))


def child_date_answer(ctx: Context, user_id: str, query: Query, data: dict) -> Reply | None:
    """A typed date for the open child step; None when the text is not a date (the resident moved on).

    A removal asked for from the children's list (「登録したの消して」, 「子どもの登録消して」) is about a child,
    not all the resident's data: the child's buttons (with 「削除」) are shown.
    """
    if (removal := _child_removal(ctx, user_id, query)) is not None:
        return removal
    op, kind = data.get("op"), data.get("kind")
    prefer = "future" if "due" in (op, kind) else "past" if op in ("born", "birth") or kind == "birth" else None
    reading = read_date(query.text, ctx.today, prefer)
    if reading is None:
        return None
    if isinstance(reading, date):
        return _child_date(ctx, user_id, data, reading)
    return _child_date_retry(ctx, user_id, data, [common.date_problem(reading)])


def _child_removal(ctx: Context, user_id: str, query: Query) -> Reply | None:
    """The buttons to remove a child, when the text asks to delete a registration or a child; else None."""
    request = read_request(query.text)
    if request is None or request.action is not Action.DELETE:
        return None
    if not (request.topic is Topic.CHILDREN or request.topic is Topic.DATA and request.vague):
        return None
    listed = views(residents.children(ctx.session, user_id))
    if len(listed) != 1:
        return Reply(children_messages(ctx, user_id), "intent", intent="children")
    conversation.end(ctx.session, user_id)
    return Reply(children_replies.child_menu(listed[0], ctx.today), "intent", intent="children")


def _child_date(ctx: Context, user_id: str, step: dict, day: date) -> Reply:
    """Register a child (op=add), its birth (born), or correct its due date (due) or birth date (birth)."""
    op = step.get("op")
    if op == "add":
        if isinstance(consent := settings_for(ctx.session, user_id, then="children"), AskConsent):
            return Reply(ask_consent(ctx, user_id, consent), "intent", intent="children")
        kind = step.get("kind") or ("due" if day > ctx.today else "birth")
        if (reason := _refusal(kind, day, ctx.today)) is not None:
            return _child_date_retry(ctx, user_id, step, [common.date_refused(reason, day)])
        what = texts.CHILD_DUE if kind == "due" else texts.CHILD_BIRTH
        if any(getattr(child, f"{kind}_date") == day for child in residents.children(ctx.session, user_id)):
            # The same date sent again (a retry, or typed twice): a twin gets the same messages, so one is enough.
            conversation.end(ctx.session, user_id)
            notes = [texts.CHILD_ALREADY.format(what=what, date=build.jp_full_date(day))]
            return Reply(children_messages(ctx, user_id, notes), "intent", intent="children")
        residents.add_child(ctx.session, user_id, ctx.now, **{f"{kind}_date": day})
        notes = [texts.CHILD_ADDED.format(what=what, date=build.jp_full_date(day))]
        if CHILDCARE not in residents.subscriptions(ctx.session, user_id):
            residents.set_subscription(ctx.session, user_id, CHILDCARE, True, ctx.now)
            notes.append(texts.CHILD_CHILDCARE_ON)
        log.info("child.added", extra={"user": residents.resident_hash(ctx.secret, user_id), "kind": kind})
        return Reply(children_messages(ctx, user_id, notes), "intent", intent="children")
    child = _child_view(ctx, user_id, step.get("id"))
    if child is None or (op == "due" and child.born):
        conversation.end(ctx.session, user_id)
        return Reply(children_messages(ctx, user_id, notes=[texts.CHILD_GONE]), "intent", intent="children")
    if (reason := _refusal("due" if op == "due" else "birth", day, ctx.today)) is not None:
        return _child_date_retry(ctx, user_id, step, [common.date_refused(reason, day)])
    if op == "due":
        residents.change_due_date(ctx.session, user_id, child.id, day)
        note = texts.CHILD_DUE_CHANGED
    else:
        residents.record_birth(ctx.session, user_id, child.id, day)
        note = texts.CHILD_BORN if op == "born" else texts.CHILD_BIRTH_CHANGED
    if (child.due_date, child.birth_date) != ((day, None) if op == "due" else (None, day)):
        _cancel_child_pushes(ctx, user_id, child.id, "child-date-changed")
    return Reply(children_messages(ctx, user_id, [note.format(date=build.jp_full_date(day))]), "intent",
                 intent="children")


def _cancel_child_pushes(ctx: Context, user_id: str, child_id: int, reason: str) -> None:
    """Cancel the life-stage pushes queued for a child removed or whose date changed (planned from the old date).

    Not called when the date stayed the same: a message planned again under its key would find the
    cancelled row and never be sent.
    """
    planning.cancel_child(ctx.session, user_id, child_id, reason)


def _refusal(kind: str, day: date, today: date) -> date_rules.Refusal | None:
    return (date_rules.due_refusal if kind == "due" else date_rules.birth_refusal)(day, today)


def _child_date_retry(ctx: Context, user_id: str, step: dict, notes: Sequence[str]) -> Reply:
    """Keep (or open) the child date step and ask again, with the date pickers that fit it."""
    conversation.start(ctx.session, user_id, Step.ASK_CHILD_DATE, ctx.now, **{**step, "asked": True})
    child = _child_view(ctx, user_id, step.get("id")) if step.get("op") != "add" else None
    picks = children_replies.child_date_picks(ctx.today, step.get("op"), step.get("kind"), child)
    return Reply(children_replies.ask_child_date(picks, notes=notes), "intent", intent="children")


def child_label_answer(ctx: Context, user_id: str, query: Query, data: dict) -> Reply | None:
    """The nickname typed for a child: kept when short enough, else asked again.

    None (the step lets go) for a question, or a text an intent or the FAQ answers.
    """
    if meant_elsewhere(ctx, user_id, query):
        return None
    child = _child_view(ctx, user_id, data.get("id"))
    if child is None:
        conversation.end(ctx.session, user_id)
        return Reply(children_messages(ctx, user_id, notes=[texts.CHILD_GONE]), "intent", intent="children")
    label = " ".join(query.text.split())
    if len(label) > MAX_CHILD_LABEL:
        return Reply(children_replies.ask_child_label(child, MAX_CHILD_LABEL, notes=[
            texts.CHILD_LABEL_TOO_LONG.format(max=MAX_CHILD_LABEL)]), "intent", intent="children")
    residents.set_child_label(ctx.session, user_id, child.id, label or None)
    return Reply(children_messages(ctx, user_id, [texts.CHILD_LABEL_SET.format(label=label)]), "intent",
                 intent="children")

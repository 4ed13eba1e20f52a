"""The console's unanswered queue: what residents asked that the bot could not answer, and one click to fix it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

import db
import runtime
from admin import audit
from admin import auth
from admin import forms
from admin import texts
from admin.models import Role
from admin.replays import index_of
from admin.replays import policy
from admin.views import bp
from faq import drafts
from faq import store
from faq import unanswered
from faq.drafts import DraftError
from faq.models import FaqEntry
from faq.models import QueueDecision

PERIODS = (7, 30, 60)  # days the queue can look back (the query log keeps QUERY_LOG_KEEP_DAYS)
CANDIDATES = 5
SEARCHED = 10  # entries listed for the staff's own search words on a group's page (besides the matcher's)


@bp.get("/unanswered")
@auth.requires(Role.EDITOR)
def unanswered_list():
    """The groups of questions the bot missed in the last ``days``, the most asked first."""
    days = request.args.get("days", 30, type=int)
    days = days if days in PERIODS else 30
    with db.read_transaction() as session:
        groups = _queue(session, days)
    return render_template("admin/unanswered.html", groups=groups, days=days, periods=PERIODS)


@bp.get("/unanswered/<key>")
@auth.requires(Role.EDITOR)
def unanswered_group(key: str):
    """One group (named by ``Group.key``, never by residents' words, which URLs would carry into access logs):
    its wordings, the entries the matcher would suggest, entries staff search for with their own words
    (``find``: the bot's matcher and the plain filter, as on the FAQ page), and what can be done with it."""
    days = request.args.get("days", 30, type=int)
    find = (request.args.get("find") or "").strip()[:200]
    with db.read_transaction() as session:
        found = next((g for g in _queue(session, days if days in PERIODS else 30) if g.key == key), None)
        if found is None:
            flash(texts.QUEUE_GONE, "info")
            return redirect(url_for("admin.unanswered_list"))
        matcher = index_of(session).matcher
        candidates = [(entry, hit.score) for hit in matcher.search(found.text, k=CANDIDATES)
                      if (entry := drafts.entry(session, hit.faq_id)) is not None]
        searched: list[FaqEntry] = []
        if find:
            by_words = session.scalars(sa.select(FaqEntry).where(store.containing(find))
                                       .order_by(FaqEntry.id).limit(SEARCHED))
            floor = policy().suggest_at  # what the bot would at least offer under 「もしかして」
            by_matcher = [entry for hit in matcher.search(find, k=CANDIDATES)
                          if hit.score >= floor and (entry := drafts.entry(session, hit.faq_id)) is not None]
            searched = list({e.faq_id: e for e in [*by_matcher, *by_words]}.values())
            candidates = [(entry, score) for entry, score in candidates if entry not in searched]
    return render_template("admin/unanswered_group.html", group=found, candidates=candidates, days=days, find=find,
                           searched=searched)


@bp.post("/unanswered/alias")
@auth.requires(Role.EDITOR)
def unanswered_alias():
    """Add the chosen wordings to an entry's aliases, as a draft (approved and published like any)."""
    chosen, faq_id = _chosen(), (request.form.get("faq_id") or request.form.get("other_faq_id") or "").strip()
    now = runtime.current().now()
    try:
        with db.transaction() as session:
            entry, draft = drafts.entry(session, faq_id), drafts.open_draft(session, faq_id)
            if entry is None:
                raise DraftError("no_entry")
            content = dict(draft.content if draft is not None else drafts.content_of(entry))
            content["aliases"] = [*content["aliases"], *chosen]
            saved = drafts.save(session, faq_id, content, author=current_user.name, now=now)
            unanswered.decide(session, chosen, QueueDecision.ALIAS, by=current_user.name, now=now, faq_id=faq_id)
            audit.record(session, actor=current_user.name, action="queue.alias", target=f"faq:{faq_id}", now=now,
                         after={"aliases": chosen})
            draft_id = saved.id
    except DraftError as error:
        flash(texts.draft_error(error.reason, error.field), "error")
        return redirect(url_for("admin.unanswered_group", key=unanswered.key_of(chosen[0])))
    flash(texts.QUEUE_ALIASED, "info")
    return redirect(url_for("admin.draft", draft_id=draft_id))


@bp.post("/unanswered/new")
@auth.requires(Role.EDITOR)
def unanswered_new():
    """Start a new entry from the group: its wordings leave the queue; the new-entry form is filled in."""
    chosen = _chosen()
    _decide(chosen, QueueDecision.NEW, "queue.new")
    form = forms.FaqForm(formdata=None)  # shown here, not redirected to: the words stay out of URLs and logs
    form.fill({"question": chosen[0], "aliases": chosen[1:]})
    return render_template("admin/faq_edit.html", form=form, new=True)


@bp.post("/unanswered/dismiss")
@auth.requires(Role.EDITOR)
def unanswered_dismiss():
    """Set the wordings aside: not something the FAQ should answer."""
    _decide(_chosen(), QueueDecision.DISMISSED, "queue.dismiss")
    flash(texts.QUEUE_DISMISSED, "info")
    return redirect(url_for("admin.unanswered_list"))


def _queue(session, days: int) -> list[unanswered.Group]:
    return unanswered.queue(session, since=runtime.current().now() - timedelta(days=days))


def _chosen() -> list[str]:
    """The wordings ticked on the group's page (at least one), after the CSRF-checked form."""
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    chosen = [text.strip() for text in request.form.getlist("text") if text.strip()][:50]
    if not chosen:
        abort(400)
    return chosen


def _decide(chosen: list[str], decision: QueueDecision, action: str) -> None:
    with db.transaction() as session:
        now = runtime.current().now()
        unanswered.decide(session, chosen, decision, by=current_user.name, now=now)
        audit.record(session, actor=current_user.name, action=action, target=f"queue:{chosen[0]}", now=now,
                     after={"texts": chosen})

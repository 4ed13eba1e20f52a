"""The console's synonym pages: the city's synonym table, a group's draft, approved and published like the FAQ's."""

from __future__ import annotations

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
from admin import replays
from admin import rules
from admin import texts
from admin.faq_views import discard_step
from admin.faq_views import draft_step
from admin.models import Role
from admin.views import bp
from faq import drafts
from faq import synonym_drafts
from faq.drafts import DraftError
from faq.models import SynonymDraft


@bp.get("/synonyms")
@auth.requires(Role.EDITOR)
def synonyms():
    """The synonym table (filtered by ``q``), the drafts waiting, and a form for a new group."""
    query = (request.args.get("q") or "").strip()[:100]
    with db.read_transaction() as session:
        return render_template("admin/synonyms.html", groups=synonym_drafts.groups(session, query), query=query,
                               waiting=synonym_drafts.open_drafts(session))


@bp.route("/synonyms/edit", methods=["GET", "POST"])
@auth.requires(Role.EDITOR)
def synonym_edit():
    """A group's words, one per line (its open draft's, if any); saving writes the draft, none removes it."""
    term = (request.values.get("term") or "").strip()[:200]
    if request.method == "POST":
        if not forms.ButtonForm().validate_on_submit():
            abort(400)
        try:
            with db.transaction() as session:
                now = runtime.current().now()
                draft = synonym_drafts.save(session, term, request.form.get("words", ""), author=current_user.name,
                                            now=now)
                audit.record(session, actor=current_user.name, action="synonyms.draft", target=f"synonym:{term}",
                             now=now, before={"synonyms": draft.base or []}, after={"synonyms": draft.synonyms})
                draft_id = draft.id
        except DraftError as error:
            flash(texts.draft_error(error.reason, error.field), "error")
            return redirect(url_for("admin.synonym_edit", term=term) if term else url_for("admin.synonyms"))
        flash(texts.DRAFT_SAVED, "info")
        return redirect(url_for("admin.synonym_draft", draft_id=draft_id))
    with db.read_transaction() as session:
        draft = synonym_drafts.open_draft(session, term)
        words = draft.synonyms if draft is not None else (synonym_drafts.words_of(synonym_drafts.group(session, term))
                                                           or [])
    return render_template("admin/synonym_edit.html", term=term, words=words)


@bp.get("/synonym-drafts/<int:draft_id>")
@auth.requires(Role.EDITOR)
def synonym_draft(draft_id: int):
    """A group's draft: the words added and removed, and what can be done with it."""
    with db.read_transaction() as session:
        found = session.get(SynonymDraft, draft_id)
        if found is None:
            abort(404)
        base = found.base or []
        return render_template("admin/synonym_draft.html", draft=found,
                               added=[w for w in found.synonyms if w not in base],
                               removed=[w for w in base if w not in found.synonyms],
                               open=found.status in drafts.OPEN_STATES, two_person=rules.two_person(session),
                               replay=replays.for_synonyms(session, found)
                               if found.status in drafts.OPEN_STATES else None)


@bp.post("/synonym-drafts/<int:draft_id>/approve")
@auth.requires(Role.APPROVER)
def synonym_approve(draft_id: int):
    return _act(draft_id, lambda session, found, now: drafts.approve(
        session, found, approver=current_user.name, now=now, two_person=rules.two_person(session)),
        "synonyms.approve", texts.DRAFT_APPROVED)


@bp.post("/synonym-drafts/<int:draft_id>/publish")
@auth.requires(Role.APPROVER)
def synonym_publish(draft_id: int):
    needed = replays.seen_needed(SynonymDraft, draft_id)

    def publish(session, found, now):
        replays.require_seen(needed)
        synonym_drafts.publish(session, found, publisher=current_user.name, now=now)
    return _act(draft_id, publish, "synonyms.publish", texts.DRAFT_PUBLISHED)


@bp.post("/synonym-drafts/<int:draft_id>/discard")
@auth.requires(Role.EDITOR)
def synonym_discard(draft_id: int):
    return _act(draft_id, discard_step, "synonyms.discard", texts.DRAFT_DISCARDED)


def _act(draft_id: int, step, action: str, done: str):
    def after(session, found, now):
        step(session, found, now)
        return None, {"synonyms": found.synonyms}
    return draft_step(SynonymDraft, draft_id, after, action=action, done=done,
                      target=lambda found: f"synonym:{found.term}", endpoint="admin.synonym_draft")

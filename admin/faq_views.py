"""The console's FAQ pages: list and search, an entry with its history, drafts written, approved, published."""

from __future__ import annotations

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
from admin import replays
from admin import rules
from admin import texts
from admin.models import Role
from admin.replays import index_of
from admin.views import bp
from faq import drafts
from faq import imports
from faq import ratings
from faq import store
from faq.drafts import DraftError
from faq.models import FaqDraft
from faq.models import FaqEntry

PAGE_SIZE = 50
MATCHES = 20  # entries the matcher search shows


@bp.get("/faq")
@auth.requires(Role.EDITOR)
def faq_list():
    """Every entry, a page at a time, filtered by a word (``q``) or ranked by the bot's own matcher
    (``mode=match``: what residents typing ``q`` would be answered with)."""
    query = (request.args.get("q") or "").strip()[:200]
    mode = "match" if request.args.get("mode") == "match" and query else "filter"
    page = max(1, request.args.get("page", 1, type=int))
    with db.read_transaction() as session:
        if mode == "match":
            hits = index_of(session).matcher.search(query, k=MATCHES)
            found = {e.faq_id: e for e in session.scalars(sa.select(FaqEntry).where(
                FaqEntry.faq_id.in_([hit.faq_id for hit in hits])))}
            rows = [(found[hit.faq_id], hit.score) for hit in hits if hit.faq_id in found]
            total = len(rows)
        else:
            statement = sa.select(FaqEntry)
            if query:
                statement = statement.where(store.containing(query))
            total = session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
            rows = [(entry, None) for entry in session.scalars(
                statement.order_by(FaqEntry.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))]
        with_drafts = set(session.scalars(sa.select(FaqDraft.faq_id).where(FaqDraft.status.in_(drafts.OPEN_STATES))))
        return render_template("admin/faq_list.html", rows=rows, total=total, query=query, mode=mode, page=page,
                               pages=max(1, -(-total // PAGE_SIZE)), with_drafts=with_drafts)


@bp.get("/faq/<faq_id>")
@auth.requires(Role.EDITOR)
def faq_entry(faq_id: str):
    """One entry as residents get it, its open draft, its published versions and residents' ratings of it."""
    with db.read_transaction() as session:
        entry = drafts.entry(session, faq_id)
        if entry is None:
            abort(404)
        return render_template("admin/faq_entry.html", entry=entry, content=drafts.content_of(entry),
                               draft=drafts.open_draft(session, faq_id), history=drafts.history(session, faq_id),
                               rated=ratings.of_entry(session, faq_id))


@bp.route("/faq/new", methods=["GET", "POST"])
@auth.requires(Role.EDITOR)
def faq_new():
    """A new entry, written as a draft."""
    form = forms.FaqForm()
    if form.validate_on_submit():
        return _save_draft(form, (form.faq_id.data or "").strip(), new=True)
    return render_template("admin/faq_edit.html", form=form, new=True), 400 if form.errors else 200


@bp.route("/faq/<faq_id>/edit", methods=["GET", "POST"])
@auth.requires(Role.EDITOR)
def faq_edit(faq_id: str):
    """The entry's content in a form (its open draft's, if it has one); saving writes the draft."""
    with db.read_transaction() as session:
        entry, draft = drafts.entry(session, faq_id), drafts.open_draft(session, faq_id)
        if entry is None and draft is None:
            abort(404)
        content = draft.content if draft is not None else drafts.content_of(entry)
    form = forms.FaqForm()
    if form.validate_on_submit():
        return _save_draft(form, faq_id, new=False, title=content["question"])
    if request.method == "GET":
        form.fill(content)
    return render_template("admin/faq_edit.html", form=form, new=False, title=content["question"]), \
        400 if form.errors else 200


@bp.post("/faq/<faq_id>/versions/<int:version>/restore")
@auth.requires(Role.EDITOR)
def faq_restore(faq_id: str, version: int):
    """Write a draft that brings back an earlier version's content."""
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            now = runtime.current().now()
            draft = drafts.restore(session, faq_id, version, author=current_user.name, now=now)
            audit.record(session, actor=current_user.name, action="faq.restore", target=f"faq:{faq_id}", now=now,
                         after={"version": version})
            draft_id = draft.id
    except DraftError as error:
        flash(texts.draft_error(error.reason, error.field), "error")
        return redirect(url_for("admin.faq_entry", faq_id=faq_id))
    flash(texts.DRAFT_SAVED, "info")
    return redirect(url_for("admin.draft", draft_id=draft_id))


@bp.get("/drafts")
@auth.requires(Role.EDITOR)
def draft_list():
    """Every draft and uploaded file waiting for approval or publishing."""
    with db.read_transaction() as session:
        return render_template("admin/draft_list.html", drafts=drafts.open_drafts(session),
                               uploads=imports.open_uploads(session))


@bp.get("/drafts/<int:draft_id>")
@auth.requires(Role.EDITOR)
def draft(draft_id: int):
    """A draft beside what residents get now: each changed field, what was removed and added."""
    with db.read_transaction() as session:
        found = session.get(FaqDraft, draft_id)
        if found is None:
            abort(404)
        entry = drafts.entry(session, found.faq_id)
        published = drafts.content_of(entry) if entry is not None else None
        stale = entry is not None and found.status in drafts.OPEN_STATES and entry.version != found.base_version
        open_ = found.status in drafts.OPEN_STATES
        return render_template("admin/draft.html", draft=found, changes=drafts.changes(published, found.content),
                               new=found.base_version is None, stale=stale, two_person=rules.two_person(session),
                               open=open_, replay=replays.for_draft(session, found) if open_ else None)


@bp.post("/drafts/<int:draft_id>/approve")
@auth.requires(Role.APPROVER)
def draft_approve(draft_id: int):
    def approve(session, found, now):
        drafts.approve(session, found, approver=current_user.name, now=now, two_person=rules.two_person(session))
    return _act(draft_id, approve, "faq.approve", texts.DRAFT_APPROVED)


@bp.post("/drafts/<int:draft_id>/publish")
@auth.requires(Role.APPROVER)
def draft_publish(draft_id: int):
    needed = replays.seen_needed(FaqDraft, draft_id)

    def publish(session, found, now):
        replays.require_seen(needed)
        entry = drafts.entry(session, found.faq_id)
        before = drafts.content_of(entry) if entry is not None else None
        published = drafts.publish(session, found, publisher=current_user.name, now=now)
        return before, {**found.content, "version": published.version}
    return _act(draft_id, publish, "faq.publish", texts.DRAFT_PUBLISHED)


@bp.post("/drafts/<int:draft_id>/discard")
@auth.requires(Role.EDITOR)
def draft_discard(draft_id: int):
    return _act(draft_id, discard_step, "faq.discard", texts.DRAFT_DISCARDED)


@bp.route("/rules", methods=["GET", "POST"])
@auth.requires(Role.ADMIN)
def console_rules():
    """The console's rules: whether a draft needs an approver other than its author."""
    form = forms.RulesForm()
    if form.validate_on_submit():
        with db.transaction() as session:
            rules.set_two_person(session, bool(form.two_person.data), actor=current_user.name,
                                 now=runtime.current().now())
        flash(texts.RULES_SAVED, "info")
        return redirect(url_for("admin.console_rules"))
    with db.read_transaction() as session:
        form.two_person.data = rules.two_person(session)
    return render_template("admin/rules.html", form=form)


def _save_draft(form: forms.FaqForm, faq_id: str, *, new: bool, title: str = ""):
    try:
        with db.transaction() as session:
            now = runtime.current().now()
            saved = drafts.save(session, faq_id, form.content(), author=current_user.name, now=now, new=new)
            audit.record(session, actor=current_user.name, action="faq.draft", target=f"faq:{faq_id}", now=now,
                         after=saved.content)
            draft_id = saved.id
    except DraftError as error:
        flash(texts.draft_error(error.reason, error.field), "error")
        return render_template("admin/faq_edit.html", form=form, new=new, title=title), 400
    flash(texts.DRAFT_SAVED, "info")
    return redirect(url_for("admin.draft", draft_id=draft_id))


def draft_step(model: type, draft_id: int, step, *, action: str, done: str, target, endpoint: str,
               describe=texts.draft_error):
    """Run ``step(session, draft, now)`` on the draft ``model`` holds under ``draft_id`` in a short write
    transaction, audited as ``action`` on ``target(draft)`` (with the (before, after) the step returns, if any);
    back to the draft's page (``endpoint``) with what came of it (a refusal put in words by ``describe``)."""
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            found = session.get(model, draft_id)
            if found is None:
                abort(404)
            now = runtime.current().now()
            before, after = step(session, found, now) or (None, None)
            audit.record(session, actor=current_user.name, action=action, target=target(found), now=now,
                         before=before, after=after)
    except DraftError as error:
        flash(describe(error.reason, error.field), "error")
    else:
        flash(done, "info")
    return redirect(url_for(endpoint, draft_id=draft_id))


def discard_step(session, found, now) -> None:
    """Discard a draft: its author may, and any approver."""
    if found.author != current_user.name and not current_user.may(Role.APPROVER):
        raise DraftError("not_author")
    drafts.discard(session, found, now=now)


def _act(draft_id: int, step, action: str, done: str):
    return draft_step(FaqDraft, draft_id, step, action=action, done=done, target=lambda found: f"faq:{found.faq_id}",
                      endpoint="admin.draft")

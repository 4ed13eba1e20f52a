"""The console's FAQ files: export the published FAQ (CSV or Excel), upload a file and see what it would change
before anything is applied, then approve and publish it like a draft."""

from __future__ import annotations

from flask import Response
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
from faq import exports
from faq import imports
from faq.importers import read_faq_data
from faq.models import FaqImport
from importing.errors import ImportFailed

MAX_UPLOAD = 10 * 1024 * 1024  # bytes: a 10,000-entry FAQ as CSV is about 5 MB
SHOWN = 200  # entries of each kind the plan lists (the counts are always whole)
FORMATS = {  # ?format=: (file suffix, MIME type)
    "csv": (".csv", "text/csv; charset=utf-8"),
    "csv-sjis": (".csv", "text/csv; charset=shift_jis"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@bp.get("/faq/export")
@auth.requires(Role.EDITOR)
def faq_export():
    """The published FAQ as a file in the import layout (``format``: csv, csv-sjis or xlsx)."""
    kind = request.args.get("format", "csv")
    if kind not in FORMATS:
        abort(404)
    with db.read_transaction() as session:
        table = exports.rows(session)
    try:
        if kind == "xlsx":
            data = exports.to_xlsx(table)
        else:
            data = exports.to_csv(table, exports.SHIFT_JIS if kind == "csv-sjis" else exports.UTF8)
    except exports.NotInShiftJis as error:
        flash(texts.EXPORT_NOT_SHIFT_JIS.format(count=len(error.faq_ids), ids="、".join(error.faq_ids[:10])), "error")
        return redirect(url_for("admin.faq_import"))
    suffix, mime = FORMATS[kind]
    stamp = runtime.current().now().astimezone(runtime.current().timezone).strftime("%Y%m%d-%H%M")
    return Response(data, mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="faq-{stamp}{suffix}"'})


@bp.route("/faq/import", methods=["GET", "POST"])
@auth.requires(Role.EDITOR)
def faq_import():
    """Upload a CSV, Excel or JSON file; a good one is held and its plan shown, a bad one's rows listed."""
    form = forms.ImportForm()
    if not form.validate_on_submit():
        return render_template("admin/faq_import.html", form=form, errors=None), 400 if form.errors else 200
    upload = form.file.data
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        form.file.errors.append(texts.IMPORT_TOO_BIG)
        return render_template("admin/faq_import.html", form=form, errors=None), 400
    name = upload.filename or "upload"
    try:
        records = read_faq_data(data, name)
    except ImportFailed as error:
        return render_template("admin/faq_import.html", form=form, errors=error.errors, file_name=name), 400
    with db.transaction() as session:
        now = runtime.current().now()
        held = imports.upload(session, records, file_name=name, replace=bool(form.replace.data),
                              author=current_user.name, now=now)
        audit.record(session, actor=current_user.name, action="faq.upload", target=f"import:{held.id}", now=now,
                     after={"file": name, "entries": len(records), "replace": held.replace})
        held_id = held.id
    flash(texts.IMPORT_HELD, "info")
    return redirect(url_for("admin.faq_import_plan", draft_id=held_id))


@bp.get("/faq/imports/<int:draft_id>")
@auth.requires(Role.EDITOR)
def faq_import_plan(draft_id: int):
    """What an uploaded file would change if published now: added, changed (field by field), removed."""
    with db.read_transaction() as session:
        held = session.get(FaqImport, draft_id)
        if held is None:
            abort(404)
        open_ = held.status in imports.drafts.OPEN_STATES
        plan = imports.plan(session, held) if open_ else None
        return render_template("admin/faq_import_plan.html", held=held, plan=plan, shown=SHOWN, open=open_,
                               stale=open_ and imports.stale(session, held), two_person=rules.two_person(session),
                               replay=replays.for_upload(session, plan) if open_ else None)


@bp.post("/faq/imports/<int:draft_id>/approve")
@auth.requires(Role.APPROVER)
def faq_import_approve(draft_id: int):
    def approve(session, held, now):
        imports.approve(session, held, approver=current_user.name, now=now, two_person=rules.two_person(session))
    return _act(draft_id, approve, "faq.import_approve", texts.IMPORT_APPROVED)


@bp.post("/faq/imports/<int:draft_id>/publish")
@auth.requires(Role.APPROVER)
def faq_import_publish(draft_id: int):
    needed = replays.seen_needed(FaqImport, draft_id)

    def publish(session, held, now):
        replays.require_seen(needed)
        done = imports.publish(session, held, publisher=current_user.name, now=now)
        return None, {"added": [p.faq_id for p in done.added], "changed": [p.faq_id for p in done.changed],
                      "removed": [faq_id for faq_id, _question in done.removed]}
    return _act(draft_id, publish, "faq.import_publish", texts.IMPORT_PUBLISHED)


@bp.post("/faq/imports/<int:draft_id>/discard")
@auth.requires(Role.EDITOR)
def faq_import_discard(draft_id: int):
    return _act(draft_id, discard_step, "faq.import_discard", texts.IMPORT_DISCARDED)


def _act(draft_id: int, step, action: str, done: str):
    return draft_step(FaqImport, draft_id, step, action=action, done=done, target=lambda held: f"import:{held.id}",
                      endpoint="admin.faq_import_plan", describe=texts.import_error)

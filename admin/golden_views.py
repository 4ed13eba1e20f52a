"""The console's golden queries: the list (with how each is answered now), adding one from the test page,
removing one (their replay before publishing is ``admin.replays``)."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
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
from faq import golden
from faq import store


@bp.get("/golden")
@auth.requires(Role.EDITOR)
def golden_list():
    """Every golden query with its entry and how the bot answers it now."""
    with db.read_transaction() as session:
        faq = index_of(session)
        queries = golden.queries(session)
        grades = golden.grades(queries, policy(), (faq.entries, faq.matcher))
        answered = sum(grade is golden.Grade.ANSWERED for grade, _answered in grades.values())
        return render_template("admin/golden.html", queries=queries, grades=grades, answered=answered,
                               entries=faq.entries, Grade=golden.Grade)


@bp.post("/golden")
@auth.requires(Role.EDITOR)
def golden_add():
    """Keep a question (from the test page) as a golden query answered by the entry given."""
    form = forms.GoldenForm()
    if not form.validate_on_submit():
        flash(texts.GOLDEN_INVALID, "error")
        return redirect(url_for("admin.golden_list"))
    faq_id = form.faq_id.data.strip()
    with db.transaction() as session:
        if store.get_entries(session, [faq_id]).get(faq_id) is None:
            flash(texts.GOLDEN_NO_ENTRY.format(faq_id=faq_id), "error")
            return redirect(url_for("admin.golden_list"))
        now = runtime.current().now()
        added = golden.add(session, form.question.data, faq_id, added_by=current_user.name, now=now)
        audit.record(session, actor=current_user.name, action="golden.add", target=f"golden:{added.id}", now=now,
                     after={"question": added.question, "faq_id": faq_id})
    flash(texts.GOLDEN_ADDED, "info")
    return redirect(url_for("admin.golden_list"))


@bp.post("/golden/<int:query_id>/remove")
@auth.requires(Role.EDITOR)
def golden_remove(query_id: int):
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        removed = golden.remove(session, query_id)
        if removed is None:
            abort(404)
        audit.record(session, actor=current_user.name, action="golden.remove", target=f"golden:{query_id}",
                     now=runtime.current().now(), before={"question": removed.question, "faq_id": removed.faq_id})
    flash(texts.GOLDEN_REMOVED, "info")
    return redirect(url_for("admin.golden_list"))

"""The console's broadcasts: compose a text (with an optional link) for a segment built in a form, see how many
residents it reaches and how much of the month's quota it uses, schedule it, have it approved (two people for
everyone or an emergency), cancel it, and follow its delivery, opens and clicks."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import abort
from flask import flash
from flask import jsonify
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
from admin.views import bp
from garbage.catalog import load_areas
from japanese.normalize import same_person
from messaging.errors import LineApiError
from push import broadcasts
from push import segments
from push.messages import aggregation_unit
from push.models import Broadcast
from push.models import BroadcastStatus
from residents.categories import CATEGORIES

STAGE_NAMES = {"pregnant": "妊娠中の方", "infant": "0歳の子がいる方", "preschool": "未就学の子がいる方",
               "school": "小・中学生の子がいる方"}
STATS_DAYS = 30  # LINE's insight API reads at most 30 days after the send


@bp.get("/broadcasts")
@auth.requires(Role.EDITOR)
def broadcast_list():
    """The latest broadcasts with where each stands."""
    with db.read_transaction() as session:
        return render_template("admin/broadcasts.html", rows=broadcasts.listing(session))


@bp.route("/broadcasts/new", methods=["GET", "POST"])
@auth.requires(Role.EDITOR)
def broadcast_new():
    """Compose a broadcast: 「人数を数える」 shows the reach and quota; 「下書きを保存」 keeps it for approval."""
    rt = runtime.current()
    with db.read_transaction() as session:
        areas = [area.name for area in load_areas(session)]
    form = forms.BroadcastForm()
    form.areas.choices = [(name, name) for name in areas]
    form.categories.choices = [(name, name) for name in CATEGORIES]
    form.stages.choices = list(STAGE_NAMES.items())
    if request.method == "GET":
        local = rt.now().astimezone(rt.timezone).replace(tzinfo=None, second=0, microsecond=0)
        form.at.data = local + timedelta(hours=1)
        return render_template("admin/broadcast_new.html", form=form, preview=None)
    preview, problem = None, None
    if form.validate_on_submit():
        expression = form.expression()
        try:
            segment = segments.parse(expression)
        except segments.SegmentError as error:
            problem = texts.SEGMENT_ERROR.format(position=error.position, detail=error)
        else:
            preview = _preview(expression, segment, rt)
            at = form.at.data.replace(tzinfo=rt.timezone) if form.at.data else rt.now()
            if at < rt.now() - timedelta(minutes=1):
                form.at.errors.append(texts.BROADCAST_PAST)
            elif form.save.data:
                return _create(form, expression, at)
    if problem:
        flash(problem, "error")
    return render_template("admin/broadcast_new.html", form=form, preview=preview), \
        400 if form.errors or problem else 200


@bp.get("/broadcasts/reach")
@auth.requires(Role.EDITOR)
def broadcast_reach():
    """The reach today of the segment the compose form's fields build (in the query string), as JSON, for the
    page's live count."""
    expression = forms.BroadcastForm(formdata=request.args, meta={"csrf": False}).expression()[:1000]
    try:
        segment = segments.parse(expression)
    except segments.SegmentError as error:
        return jsonify({"error": texts.SEGMENT_ERROR.format(position=error.position, detail=error)}), 400
    rt = runtime.current()
    with db.read_transaction() as session:
        reach = segments.reach(session, segment, rt.now().astimezone(rt.timezone).date())
    return jsonify({"segment": expression, "reach": reach})


@bp.get("/broadcasts/<int:broadcast_id>")
@auth.requires(Role.EDITOR)
def broadcast(broadcast_id: int):
    """One broadcast: its text and segment, approvals, delivery by status with the reasons of failures, and
    from LINE how many opened it and clicked its links."""
    rt = runtime.current()
    with db.read_transaction() as session:
        found = session.get(Broadcast, broadcast_id)
        if found is None:
            abort(404)
        counts = broadcasts.delivery_counts(session, broadcast_id)
        failed = broadcasts.failures(session, broadcast_id)
        approvers = broadcasts.approvers(found)
        needed = broadcasts.required_approvals(found)
        statistics, stats_problem = None, None
        if found.planned_at is not None:
            since = found.planned_at.astimezone(rt.timezone).date()
            try:
                statistics = rt.line.unit_statistics(aggregation_unit(broadcast_id), since,
                                                     since + timedelta(days=STATS_DAYS))
            except LineApiError:
                stats_problem = texts.LINE_UNREACHABLE
        may_approve = (found.status in broadcasts.OPEN and current_user.may(Role.APPROVER)
                       and not same_person(current_user.name, found.created_by)
                       and not any(same_person(current_user.name, name) for name in approvers))
        may_cancel = found.status in (*broadcasts.OPEN, BroadcastStatus.PLANNING, BroadcastStatus.SENDING) and (
            current_user.may(Role.APPROVER) or same_person(current_user.name, found.created_by))
        return render_template("admin/broadcast.html", broadcast=found, counts=counts, failed=failed,
                               approvers=approvers, needed=needed, statistics=statistics, stats_problem=stats_problem,
                               may_approve=may_approve, may_cancel=may_cancel)


@bp.post("/broadcasts/<int:broadcast_id>/approve")
@auth.requires(Role.APPROVER)
def broadcast_approve(broadcast_id: int):
    """One approver's approval; the broadcast is scheduled once enough people other than its author approved."""
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        found = session.get(Broadcast, broadcast_id)
        if found is None:
            abort(404)
        if same_person(current_user.name, found.created_by):
            flash(texts.BROADCAST_OWN, "error")
        elif found.status not in broadcasts.OPEN:
            flash(texts.BROADCAST_CLOSED, "error")
        else:
            now = runtime.current().now()
            approved = broadcasts.approve(session, broadcast_id, current_user.name, now)
            audit.record(session, actor=current_user.name, action="broadcast.approve",
                         target=f"broadcast:{broadcast_id}", now=now, after={"status": approved.status.value})
            flash(texts.BROADCAST_APPROVED if approved.status is not BroadcastStatus.DRAFT
                  else texts.BROADCAST_NEEDS_MORE, "info")
    return redirect(url_for("admin.broadcast", broadcast_id=broadcast_id))


@bp.post("/broadcasts/<int:broadcast_id>/cancel")
@auth.requires(Role.EDITOR)
def broadcast_cancel(broadcast_id: int):
    """Stop a broadcast before it is done: its author may, and any approver."""
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        found = session.get(Broadcast, broadcast_id)
        if found is None:
            abort(404)
        if not (current_user.may(Role.APPROVER) or same_person(current_user.name, found.created_by)):
            abort(403)
        now = runtime.current().now()
        try:
            cancelled = broadcasts.cancel(session, broadcast_id, now)
        except broadcasts.BroadcastError:
            flash(texts.BROADCAST_CLOSED, "error")
        else:
            audit.record(session, actor=current_user.name, action="broadcast.cancel",
                         target=f"broadcast:{broadcast_id}", now=now, after={"cancelled": cancelled})
            flash(texts.BROADCAST_CANCELLED.format(count=cancelled), "info")
    return redirect(url_for("admin.broadcast", broadcast_id=broadcast_id))


def _preview(expression: str, segment: segments.Segment, rt) -> dict:
    """The segment's reach today and the month's quota left (None: no limit; a problem asking LINE is said)."""
    today: date = rt.now().astimezone(rt.timezone).date()
    with db.read_transaction() as session:
        reach = segments.reach(session, segment, today)
        try:
            left, quota_problem = broadcasts.quota_left(session, rt.line), None
        except LineApiError:
            left, quota_problem = None, texts.LINE_UNREACHABLE
    return {"expression": expression, "reach": reach, "left": left, "quota_problem": quota_problem,
            "over": left is not None and reach > left,
            "approvals": 2 if broadcasts.is_all_residents(segment) else 1}


def _create(form: forms.BroadcastForm, expression: str, at: datetime):
    text = form.message()
    now = runtime.current().now()
    with db.transaction() as session:
        created = broadcasts.create(session, text=text, segment=expression, scheduled_at=at, now=now,
                                    emergency=bool(form.emergency.data), created_by=current_user.name)
        audit.record(session, actor=current_user.name, action="broadcast.create", target=f"broadcast:{created.id}",
                     now=now, after={"text": text, "segment": expression, "at": at.isoformat(timespec="minutes")})
        broadcast_id = created.id
    flash(texts.BROADCAST_SAVED, "info")
    return redirect(url_for("admin.broadcast", broadcast_id=broadcast_id))

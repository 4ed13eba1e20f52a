"""The console's pages: login and logout, the home page, one's own password, accounts and the audit log."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

import db
import runtime
from admin import accounts
from admin import audit
from admin import auth
from admin import charts
from admin import forms
from admin import texts
from admin.accounts import AccountError
from admin.models import Role
from admin.models import StaffUser
from faq import ratings
from faq import stats
from faq import store
from push import broadcasts

log = logging.getLogger(__name__)
RATINGS_DAYS = 30  # the home page's window for answers said not to help
DASHBOARD_DAYS = 30  # days of questions the home page charts
LATEST_BROADCASTS = 5
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")
bp.before_request(auth.guard)


@bp.context_processor
def _texts():
    return {"texts": texts, "Role": Role, "button": forms.ButtonForm(), "tz": runtime.current().timezone}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page; on success, the page asked for (within the console) or the home page."""
    form = forms.LoginForm()
    status = 200
    if form.validate_on_submit():
        now = runtime.current().now()
        result = accounts.log_in(db.read_transaction, db.transaction, form.name.data, form.password.data,
                                 address=request.remote_addr or "", now=now)
        if result.staff is not None:
            auth.log_in(result.staff, now)
            log.info("admin.login", extra={"staff": result.staff.name})
            return redirect(_next_page(request.args.get("next")))
        log.warning("admin.login_failed", extra={"throttled": result.throttled})
        flash(texts.LOGIN_THROTTLED if result.throttled else texts.LOGIN_FAILED, "error")
        status = 429 if result.throttled else 401
    elif request.method == "POST":
        status = 400
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
@auth.requires(Role.EDITOR)
def logout():
    auth.log_out()
    flash(texts.LOGGED_OUT, "info")
    return redirect(url_for("admin.login"))


@bp.get("/")
@auth.requires(Role.EDITOR)
def home():
    """The staff's start page, a dashboard: questions per day by how the bot answered them, the share answered,
    residents' ratings, the answers most often said not to help, and the latest broadcasts' delivery."""
    rt = runtime.current()
    now = rt.now()
    with db.read_transaction() as session:
        daily = stats.days(session, last=now.astimezone(rt.timezone).date(), count=DASHBOARD_DAYS,
                           timezone=rt.timezone)
        unhelpful = ratings.most_unhelpful(session, since=now - timedelta(days=RATINGS_DAYS))
        questions = {entry.faq_id: entry.question
                     for entry in store.get_entries(session, [r.faq_id for r in unhelpful]).values()}
        latest = [(sent, broadcasts.delivery_counts(session, sent.id))
                  for sent in broadcasts.listing(session, limit=LATEST_BROADCASTS)]
    return render_template("admin/home.html", daily=daily, chart=charts.stacked_days(daily),
                           unhelpful=unhelpful, questions=questions, days=RATINGS_DAYS, latest=latest)


@bp.route("/account/password", methods=["GET", "POST"])
@auth.requires(Role.EDITOR)
def own_password():
    """Change one's own password (the current one is asked for)."""
    form = forms.PasswordForm()
    if form.validate_on_submit():
        rt = runtime.current()
        try:
            staff = accounts.change_own_password(db.read_transaction, db.transaction, current_user, form.current.data,
                                                 form.new.data, now=rt.now())
        except AccountError as error:
            flash(texts.ACCOUNT_ERRORS[error.reason], "error")
        else:
            auth.log_in(staff, rt.now())  # the new password ended the old login: carry on in a new one
            flash(texts.PASSWORD_CHANGED, "info")
            return redirect(url_for("admin.home"))
    return render_template("admin/password.html", form=form), 400 if form.errors else 200


@bp.get("/users")
@auth.requires(Role.ADMIN)
def users():
    """Every account, with forms to add one, change a role, reset a password, disable or enable."""
    return _users_page(forms.NewUserForm())


@bp.post("/users")
@auth.requires(Role.ADMIN)
def create_user():
    form = forms.NewUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        with db.transaction() as session:
            accounts.create(session, form.name.data, Role(form.role.data), form.password.data,
                            now=runtime.current().now(), actor=current_user.name)
    except AccountError as error:
        flash(texts.ACCOUNT_ERRORS[error.reason], "error")
        return _users_page(form, 400)
    flash(texts.USER_CREATED.format(name=accounts.normal_name(form.name.data)), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/disable")
@auth.requires(Role.ADMIN)
def disable_user(user_id: int):
    return _change_user(user_id, forms.ButtonForm(), lambda session, user, now: accounts.set_active(
        session, user, False, now=now, actor=current_user.name), texts.USER_DISABLED)


@bp.post("/users/<int:user_id>/enable")
@auth.requires(Role.ADMIN)
def enable_user(user_id: int):
    return _change_user(user_id, forms.ButtonForm(), lambda session, user, now: accounts.set_active(
        session, user, True, now=now, actor=current_user.name), texts.USER_ENABLED)


@bp.post("/users/<int:user_id>/password")
@auth.requires(Role.ADMIN)
def reset_password(user_id: int):
    form = forms.ResetPasswordForm()
    return _change_user(user_id, form, lambda session, user, now: accounts.set_password(
        session, user, form.password.data, now=now, actor=current_user.name), texts.USER_PASSWORD_RESET)


@bp.post("/users/<int:user_id>/role")
@auth.requires(Role.ADMIN)
def change_role(user_id: int):
    form = forms.RoleForm()
    return _change_user(user_id, form, lambda session, user, now: accounts.set_role(
        session, user, Role(form.role.data), now=now, actor=current_user.name), texts.USER_ROLE_CHANGED,
        role=texts.ROLE_NAMES.get(Role(form.role.data)) if form.role.data in set(Role) else "")


@bp.get("/audit")
@auth.requires(Role.ADMIN)
def audit_log():
    """The newest changes made in the console and with the staff commands."""
    with db.read_transaction() as session:
        entries = audit.latest(session, limit=200)
        return render_template("admin/audit.html", entries=entries, command_line=audit.COMMAND_LINE)


@bp.errorhandler(CSRFError)
def _form_expired(_error):
    return render_template("admin/error.html", message=texts.FORM_EXPIRED), 400


@bp.errorhandler(403)
def _forbidden(_error):
    return render_template("admin/error.html", message=texts.FORBIDDEN), 403


@bp.errorhandler(404)
def _not_found(_error):
    return render_template("admin/error.html", message=texts.NOT_FOUND), 404


def _users_page(form: forms.NewUserForm, status: int = 200):
    with db.read_transaction() as session:
        staff = accounts.everyone(session)
        return render_template("admin/users.html", staff=staff, form=form), status


def _change_user(user_id: int, form, change, done: str, **words):
    """Apply ``change(session, user, now)`` to one account in a short write transaction, then back to the list."""
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("admin.users"))
    try:
        with db.transaction() as session:
            user = session.get(StaffUser, user_id)
            if user is None:
                return _not_found(None)
            change(session, user, runtime.current().now())
            name = user.name
    except AccountError as error:
        flash(texts.ACCOUNT_ERRORS[error.reason], "error")
    else:
        flash(done.format(name=name, **words), "info")
    return redirect(url_for("admin.users"))


def _next_page(target: str | None) -> str:
    """Where to go after logging in: ``target`` if it is a page of the console on this host, else home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin/") and "\\" not in target:
            return target
    return url_for("admin.home")

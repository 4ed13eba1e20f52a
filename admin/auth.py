"""Who is signed in to the console: Flask-Login's wiring, the idle timeout, CSRF on every write, roles.

Every console page needs a login except the login page itself, and every view says which role it needs
(``requires``): a view without one is refused, so that a new page cannot be left open by mistake. A login ends
after ``ADMIN_IDLE_MINUTES`` without a request (checked on the server, against the app's clock), when its
account is disabled, and when its password is set again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta

from flask import Flask
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import LoginManager
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf.csrf import CSRFProtect

import db
import runtime
from admin import accounts
from admin import texts
from admin.accounts import Staff
from admin.models import Role

OPEN_ENDPOINTS = frozenset({"admin.login", "admin.static"})  # the only console endpoints without a login
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SEEN = "seen"  # the session's key for the time of the login's last request

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Set the session cookie's rules and wire Flask-Login and CSRF protection into ``app``."""
    settings = runtime.of(app).settings
    app.config.update(
        SESSION_COOKIE_NAME="machi_console",
        SESSION_COOKIE_PATH="/admin",  # the webhook and the health checks never get it
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.admin_cookie_secure,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.admin_idle_minutes),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by the console's own guard (the webhook has no forms)
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its login (which ends when idle)
    )
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = texts.LOGIN_REQUIRED
    login_manager.session_protection = "basic"
    csrf.init_app(app)


@login_manager.user_loader
def _load(token: str) -> Staff | None:
    with db.read_transaction() as db_session:
        return accounts.by_session_token(db_session, token)


def guard():
    """Before every console request: CSRF on every write, then a login that has not been idle too long."""
    if request.method not in SAFE_METHODS:
        csrf.protect()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    rt = runtime.current()
    now = rt.now()
    seen = session.get(_SEEN)
    idle = timedelta(minutes=rt.settings.admin_idle_minutes)
    if not isinstance(seen, str) or now - datetime.fromisoformat(seen) > idle:
        log_out()
        flash(texts.IDLE_LOGGED_OUT, "info")
        return redirect(url_for("admin.login", next=request.path if request.method == "GET" else None))
    session[_SEEN] = now.isoformat()
    if required_role(current_app.view_functions[request.endpoint]) is None:
        abort(403)  # a view that does not say which role it needs is open to nobody
    return None


def log_in(staff: Staff, now: datetime) -> None:
    """Start ``staff``'s login in a fresh session (nothing of the session before it is kept)."""
    session.clear()
    login_user(staff)
    session.permanent = True
    session[_SEEN] = now.isoformat()


def log_out() -> None:
    logout_user()
    session.clear()


def requires(role: Role) -> Callable:
    """Mark a console view as needing ``role`` (or a role above it): 403 for anyone below."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if not current_user.may(role):
                abort(403)
            return view(*args, **kwargs)

        checked.required_role = role
        return checked

    return decorate


def required_role(view: Callable) -> Role | None:
    """The role a console view was marked with (``requires``), or None."""
    return getattr(view, "required_role", None)

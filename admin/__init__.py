"""The staff console under ``/admin/``: accounts and roles, the FAQ's drafts, approval and history, the audit log."""

from __future__ import annotations

from admin import auth
from admin import faq_views
from admin import queue_views
from admin import try_views
from admin.cli import users_cli
from admin.try_views import PREVIEW
from admin.views import bp

__all__ = ["PREVIEW", "init_app"]


def init_app(app) -> None:
    """Register the console's pages, its login and CSRF wiring, and the ``users`` commands."""
    auth.init_app(app)
    assert faq_views.bp is queue_views.bp is try_views.bp is bp  # their pages are on it (by importing them)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)

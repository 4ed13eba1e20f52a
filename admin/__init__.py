"""The staff console under ``/admin/``: accounts and roles; the FAQ and synonyms' drafts, approval and history;
FAQ files exported and uploaded; golden queries replayed before publishing;
the unanswered queue; the test page; broadcasts composed, approved and followed; the audit log."""

from __future__ import annotations

from admin import auth
from admin import broadcast_views
from admin import data_views
from admin import faq_views
from admin import golden_views
from admin import import_views
from admin import queue_views
from admin import synonym_views
from admin import try_views
from admin.cli import users_cli
from admin.try_views import PREVIEW
from admin.views import bp

__all__ = ["PREVIEW", "init_app"]


def init_app(app) -> None:
    """Register the console's pages, its login and CSRF wiring, and the ``users`` commands."""
    auth.init_app(app)
    # the pages of these modules are on the console's blueprint (registered by importing them)
    pages = (broadcast_views, data_views, faq_views, golden_views, import_views, queue_views, synonym_views, try_views)
    assert all(module.bp is bp for module in pages)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)

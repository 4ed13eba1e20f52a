"""The staff console under ``/admin/``: accounts and roles, the audit log (more screens come with issue 13)."""

from __future__ import annotations

from admin import auth
from admin.cli import users_cli
from admin.views import bp


def init_app(app) -> None:
    """Register the console's pages, its login and CSRF wiring, and the ``users`` commands."""
    auth.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)

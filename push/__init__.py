"""Push: life-stage rules, segments and broadcasts, the outbox and the worker that sends it."""

from __future__ import annotations

from push.cli import push_cli


def init_app(app) -> None:
    """Register the ``push`` commands."""
    app.cli.add_command(push_cli)

"""Residents: who follows the account, their area and consent, and deleting their data."""

from __future__ import annotations

from residents.cli import residents_cli


def init_app(app) -> None:
    """Register the ``residents`` commands."""
    app.cli.add_command(residents_cli)

"""The municipality this deployment serves: its contact details and the pack it was loaded from."""

from __future__ import annotations

import runtime
from city import info
from city.cli import pack_cli


def init_app(app) -> None:
    """Keep the city's details per process and register the ``pack`` commands."""
    runtime.of(app).caches[info.KEY] = info.city_cache()
    app.cli.add_command(pack_cli)

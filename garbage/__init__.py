"""ごみ: the sorting dictionary, collection calendars by area, and the answers built from them."""

from __future__ import annotations

import runtime
from garbage import catalog
from garbage.cli import garbage_cli


def init_app(app) -> None:
    """Keep the garbage catalog per process and register the ``garbage`` commands."""
    runtime.of(app).caches[catalog.KEY] = catalog.catalog_cache()
    app.cli.add_command(garbage_cli)

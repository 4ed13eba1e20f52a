"""ごみ: the sorting dictionary, collection calendars by area, and the answers built from them."""

from __future__ import annotations

import runtime
from garbage import catalog
from garbage.cli import garbage_cli
from residents.areas import KEY as KNOWN_AREAS


def init_app(app) -> None:
    """Keep the garbage catalog (and the areas the residents package asks for) per process; register commands."""
    caches = runtime.of(app).caches
    caches[catalog.KEY] = catalog.catalog_cache()
    caches[KNOWN_AREAS] = catalog.areas_cache()
    app.cli.add_command(garbage_cli)

"""防災: the city's shelters (import, nearest search, status); disaster notices and JMA telegrams to come."""

from __future__ import annotations

import runtime
from disaster import atlas
from disaster.cli import shelters_cli


def init_app(app) -> None:
    """Keep the shelter atlas per process; register the commands."""
    runtime.of(app).caches[atlas.KEY] = atlas.atlas_cache()
    app.cli.add_command(shelters_cli)

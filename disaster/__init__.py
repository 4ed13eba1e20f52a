"""防災: the city's shelters (import, nearest search, status), evacuation notices, and JMA's telegrams."""

from __future__ import annotations

import runtime
from disaster import atlas
from disaster.cli import disaster_cli
from disaster.cli import shelters_cli
from disaster.jma.cli import jma_cli


def init_app(app) -> None:
    """Keep the shelter atlas per process; register the commands."""
    runtime.of(app).caches[atlas.KEY] = atlas.atlas_cache()
    app.cli.add_command(shelters_cli)
    app.cli.add_command(disaster_cli)
    app.cli.add_command(jma_cli)

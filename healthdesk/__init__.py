"""The health desk: 119 first for red flags, then consultation lines and the city's desk, never a diagnosis."""

from __future__ import annotations

import runtime
from healthdesk import store


def init_app(app) -> None:
    """Keep the city's health desk per process."""
    runtime.of(app).caches[store.KEY] = store.desk_cache()

"""FAQ: the city's questions and answers, their store and importers, the index every process keeps, and the
three-tier reply policy."""

from __future__ import annotations

import runtime
from faq import index
from faq import stats  # noqa: F401 - counts each logged question per hour (a flush listener)
from faq.cli import faq_cli


def init_app(app) -> None:
    """Keep an FAQ index per process and register the ``faq`` commands."""
    runtime.of(app).caches[index.KEY] = index.index_cache()
    app.cli.add_command(faq_cli)

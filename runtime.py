"""What every part of one process shares: the settings, the clock, the local timezone, the LINE client and
the content each package derives from the database (kept per process, see ``content.cache``).

``app.create_app`` builds one ``Runtime`` and keeps it in ``app.extensions["runtime"]``; each package's
``init_app`` registers its caches on it, and its commands find it with ``current()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from content.cache import RevisionCache
from messaging.client import LineClient
from settings import Settings

Clock = Callable[[], datetime]  # the current time, timezone-aware (tests fix it)
KEY = "runtime"


@dataclass
class Runtime:
    """The process's settings, clock, timezone and LINE client, and the caches and worker passes packages
    registered."""

    settings: Settings
    line: LineClient
    clock: Clock
    timezone: ZoneInfo
    caches: dict[str, RevisionCache[Any]] = field(default_factory=dict)
    # Further rounds of work ``push worker`` runs beside sending (see ``push.worker.register_pass``).
    worker_passes: list[Callable[[], int]] = field(default_factory=list)

    def now(self) -> datetime:
        """The current time (UTC, timezone-aware)."""
        return self.clock()

    def today(self) -> date:
        """Today's date in the city's timezone."""
        return self.clock().astimezone(self.timezone).date()

    def local_date(self, moment: datetime) -> date:
        """The city's date at ``moment``."""
        return moment.astimezone(self.timezone).date()


def of(app: Any) -> Runtime:
    """The runtime of ``app``."""
    return app.extensions[KEY]


def current() -> Runtime:
    """The runtime of the app handling the current request or command."""
    return current_app.extensions[KEY]


def app_context() -> Callable[[], Any]:
    """A function that enters the current app's context again (``with enter(): …``), for a thread the caller
    starts: Flask's context is per thread, and ``current()`` needs it."""
    return current_app._get_current_object().app_context


def group(name: str, help: str) -> click.Group:
    """A command group whose commands run inside the app's context (sessions, ``current()``)."""
    return AppGroup(name, help=help)
